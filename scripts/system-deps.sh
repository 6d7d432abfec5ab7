#!/usr/bin/env bash
# Make sure the system packages CityLearn needs are present (Debian/Ubuntu package names).
#
#   bash scripts/system-deps.sh            PostgreSQL + PostGIS and Redis
#   bash scripts/system-deps.sh --browser  ... plus Chromium and a font for the browser tests
#   bash scripts/system-deps.sh --venv     only Python's venv module (python3-venv on Debian)
#
# PostgreSQL/PostGIS is not checked when DATABASE_URL is set, Redis not when REDIS_URL is
# set (those servers are run by someone else). Silent when everything is present. When
# something is missing: as root with apt-get it is installed, otherwise this prints exactly
# what to install and exits 1.
set -euo pipefail

browser=0
venv_only=0
for arg in "$@"; do
  case "$arg" in
    --browser) browser=1 ;;
    --venv) venv_only=1 ;;
    -h | --help)
      sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "system-deps.sh: unknown argument: $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

PREFERRED_PG=15

# Highest PostgreSQL major version with server binaries in /usr/lib/postgresql ("" if none).
pg_server_version() {
  local best="" dir ver
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" ]] || continue
    ver=$(basename "$(dirname "$dir")")
    [[ "$ver" =~ ^[0-9]+$ ]] || continue
    if [[ -z "$best" || "$ver" -gt "$best" ]]; then best=$ver; fi
  done
  echo "$best"
}

# Server binaries found only through pg_config (non-Debian layouts)? Prints the share dir.
pg_config_sharedir() {
  local bindir
  command -v pg_config >/dev/null 2>&1 || return 1
  bindir=$(pg_config --bindir 2>/dev/null) || return 1
  [[ -x "$bindir/initdb" ]] || return 1
  pg_config --sharedir 2>/dev/null
}

# Fills the globals below with what is missing.
need_pg_server=0 # no PostgreSQL server at all
postgis_for=""   # PostgreSQL major version that lacks PostGIS
need_postgis_generic=0
missing_pkgs=() # packages whose names do not depend on the PostgreSQL version

check() {
  need_pg_server=0
  postgis_for=""
  need_postgis_generic=0
  missing_pkgs=()

  if ((venv_only)); then
    # Debian splits ensurepip (which venv needs) out of python3 into python3-venv.
    "${PYTHON:-python3}" -c 'import ensurepip' >/dev/null 2>&1 || missing_pkgs+=(python3-venv)
    return
  fi

  if [[ -z "${DATABASE_URL:-}" ]]; then
    local ver sharedir
    ver=$(pg_server_version)
    if [[ -n "$ver" ]]; then
      [[ -f "/usr/share/postgresql/$ver/extension/postgis.control" ]] || postgis_for=$ver
    elif sharedir=$(pg_config_sharedir); then
      [[ -f "$sharedir/extension/postgis.control" ]] || need_postgis_generic=1
    else
      need_pg_server=1
    fi
  fi

  if [[ -z "${REDIS_URL:-}" ]]; then
    if ! command -v redis-server >/dev/null 2>&1 && [[ ! -x /usr/bin/redis-server ]]; then
      missing_pkgs+=(redis-server)
    fi
  fi

  if ((browser)); then
    [[ -x /usr/bin/chromium ]] || missing_pkgs+=(chromium)
    if [[ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] &&
      ! dpkg-query -W -f='${Status}' fonts-dejavu-core 2>/dev/null | grep -q 'ok installed'; then
      missing_pkgs+=(fonts-dejavu-core)
    fi
  fi
}

something_missing() {
  ((need_pg_server || need_postgis_generic)) || [[ -n "$postgis_for" ]] || ((${#missing_pkgs[@]}))
}

apt_updated=0
apt_update_once() {
  if ((apt_updated == 0)); then
    echo "system-deps: apt-get update" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
}

has_candidate() {
  command -v apt-cache >/dev/null 2>&1 &&
    apt-cache show --no-all-versions "$1" >/dev/null 2>&1
}

# PostgreSQL major version to install: 15 when the archive has it, else the highest offered.
pick_pg_version() {
  local ver
  if has_candidate "postgresql-$PREFERRED_PG"; then
    echo "$PREFERRED_PG"
    return
  fi
  if command -v apt-cache >/dev/null 2>&1; then
    ver=$(apt-cache search --names-only '^postgresql-[0-9]+$' 2>/dev/null |
      awk '{print $1}' | sed 's/^postgresql-//' | sort -n | tail -n 1 || true)
    if [[ -n "$ver" ]]; then
      echo "$ver"
      return
    fi
  fi
  echo "$PREFERRED_PG"
}

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# Full list of Debian packages to install for what check() found missing.
package_list() {
  local pkgs=() ver
  if ((need_pg_server)); then
    ver=$(pick_pg_version)
    pkgs+=("postgresql-$ver" "postgresql-$ver-postgis-3")
  fi
  [[ -z "$postgis_for" ]] || pkgs+=("postgresql-$postgis_for-postgis-3")
  ((need_postgis_generic == 0)) || pkgs+=("postgis")
  ((${#missing_pkgs[@]} == 0)) || pkgs+=("${missing_pkgs[@]}")
  echo "${pkgs[*]}"
}

check
something_missing || exit 0

if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  # Refresh the package lists only when the archive does not know a package we need.
  if ((need_pg_server)) && ! has_candidate "postgresql-$PREFERRED_PG"; then apt_update_once; fi
  read -r -a pkgs <<<"$(package_list)"
  for pkg in "${pkgs[@]}"; do
    has_candidate "$pkg" || apt_update_once
  done
  echo "system-deps: installing ${pkgs[*]}" >&2
  if ! apt_install "${pkgs[@]}"; then
    # Stale package lists give 404s: refresh once and retry.
    ((apt_updated == 0)) || exit 1
    apt_update_once
    apt_install "${pkgs[@]}"
  fi
  check
  if something_missing; then
    echo "system-deps: still missing after installation: $(package_list)" >&2
    exit 1
  fi
  exit 0
fi

pkgs=$(package_list)
{
  echo "Missing system packages: $pkgs"
  echo "Install them (Debian/Ubuntu) with:"
  echo "    sudo apt-get install -y --no-install-recommends $pkgs"
  if [[ -z "${DATABASE_URL:-}" || -z "${REDIS_URL:-}" ]]; then
    echo "Or point DATABASE_URL and REDIS_URL at PostgreSQL+PostGIS and Redis servers you run."
  fi
} >&2
exit 1
