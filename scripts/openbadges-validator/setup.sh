#!/usr/bin/env bash
# Create the venv of the IMS Global Open Badges validator (PyPI `openbadges`), the external judge
# that tests/badges/ runs through validate.py. It is a venv of its own because the validator's pins
# clash with ours.
#
#   bash scripts/openbadges-validator/setup.sh
#
# Where:  ${OB_VALIDATOR_VENV:-var/openbadges-validator}, relative to the repo root unless absolute.
# Python: ${PYTHON:-python3}, which needs its venv module with ensurepip (python3-venv on Debian).
# Idempotent: does nothing when the venv's stamp file holds the sha256 of requirements.txt.
# Prints the venv's python path on stdout; progress and errors go to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
requirements="$here/requirements.txt"
python=${PYTHON:-python3}
venv=${OB_VALIDATOR_VENV:-var/openbadges-validator}
[[ "$venv" == /* ]] || venv="$root/$venv"
stamp="$venv/.requirements.sha256"

say() { echo "openbadges-validator setup: $*" >&2; }
die() {
  say "$*"
  exit 1
}

want=$(sha256sum "$requirements" | cut -d' ' -f1)

up_to_date() {
  [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && "$venv/bin/python" -c '' 2>/dev/null
}

if up_to_date; then
  echo "$venv/bin/python"
  exit 0
fi

mkdir -p "$(dirname "$venv")"
# Serialise concurrent runs (parallel test workers): the second one waits, then finds the stamp.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$venv.lock"
  flock 9
  if up_to_date; then
    echo "$venv/bin/python"
    exit 0
  fi
fi

command -v "$python" >/dev/null 2>&1 || die "no Python interpreter '$python' (set PYTHON=...)"
if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  die "'$python' cannot create venvs: its venv/ensurepip modules are missing. On Debian or" \
    "Ubuntu install python3-venv (or python3.X-venv for your version), for example with" \
    "'bash scripts/system-deps.sh --venv' as root, or set PYTHON to another interpreter."
fi

if [[ -e "$venv" ]]; then
  # Only ever delete something that is a venv (or an empty leftover), never an arbitrary folder.
  if [[ -f "$venv/pyvenv.cfg" ]] || [[ -d "$venv" && -z "$(ls -A "$venv")" ]]; then
    say "requirements changed or venv incomplete: recreating $venv"
    rm -rf "$venv"
  else
    die "$venv exists and is not a venv; remove it or set OB_VALIDATOR_VENV elsewhere"
  fi
fi

say "creating $venv with $("$python" -c 'import sys; print(sys.version.split()[0])')"
if ! "$python" -m venv "$venv" >&2; then
  rm -rf "$venv"
  die "'$python -m venv $venv' failed (see above). On Debian install python3-venv."
fi

say "installing $(grep -c '^[A-Za-z]' "$requirements") pinned packages"
# --no-deps: requirements.txt is the complete resolved set; openbadges' own declared pins
# (pycryptodome==3.6.6, python-jose==3.0.1, ...) cannot import on Python 3.11.
if ! "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet \
  --no-deps -r "$requirements" >&2; then
  die "pip install -r $requirements failed (see above)"
fi

# Import what validate.py uses, so a broken set fails here and not in the middle of a test.
"$venv/bin/python" - <<'EOF' >&2 || die "the installed validator does not import (see above)"
import importlib.util
import sys

import Crypto.PublicKey.RSA  # noqa: F401
import jose.jws  # noqa: F401
import openbadges.verifier.verifier  # noqa: F401
import openbadges_bakery  # noqa: F401
import pyld.jsonld  # noqa: F401

if importlib.util.find_spec("cryptography") is not None:
    sys.exit("cryptography is installed: python-jose would use it and reject the validator's keys")
EOF

echo "$want" >"$stamp"
say "ready: $venv"
echo "$venv/bin/python"
