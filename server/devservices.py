"""Private PostgreSQL+PostGIS, Redis and mail sink servers for development and tests.

Without DATABASE_URL / REDIS_URL / SMTP_URL the project runs its own servers under
the data folder (``settings.DATA_DIR``, default ``<checkout>/var``):

    DATA_DIR/pg                    PostgreSQL cluster (superuser ``postgres``, trust auth)
    DATA_DIR/run                   PostgreSQL unix socket directory
    DATA_DIR/redis                 Redis working directory, config and pidfile
    DATA_DIR/smtp                  the mail sink's working directory and pidfile
    DATA_DIR/mail                  every email sent in development, one .eml file each
    DATA_DIR/log/postgres.log      server logs
    DATA_DIR/log/redis.log
    DATA_DIR/log/smtp.log

All listen on 127.0.0.1 only, on uncommon ports (settings.PRIVATE_PG_PORT,
settings.PRIVATE_REDIS_PORT and settings.PRIVATE_SMTP_PORT), so they never collide
with system-wide servers. Each service is independent: with DATABASE_URL set the
PostgreSQL part is skipped, with REDIS_URL set the Redis part, with SMTP_URL set the
mail sink (server/mail/sink.py, a plain Python process, also when run as root).

PostgreSQL refuses to run as root, so when this runs as root the cluster is
created and run as the unprivileged ``postgres`` system user (or whoever owns
an existing cluster).

Command line: ``python -m server.devservices start|stop|status``.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from server import settings

DB_NAME = "citylearn"
SUPERUSER = "postgres"
PG_SYSTEM_USER = "postgres"
PG_START_TIMEOUT = 60
REDIS_START_TIMEOUT = 20
SMTP_START_TIMEOUT = 20
STOP_TIMEOUT = 60
PG_LOG_MAX_BYTES = 20 * 1024 * 1024
# sizeof(sockaddr_un.sun_path) is 108 on Linux, including the terminating NUL.
MAX_UNIX_SOCKET_PATH = 107

INSTALL_HINT = (
    "Install the Debian packages postgresql-15, postgresql-15-postgis-3 and redis-server, e.g.\n"
    "    sudo apt-get install -y --no-install-recommends "
    "postgresql-15 postgresql-15-postgis-3 redis-server\n"
    "or run: bash scripts/system-deps.sh\n"
    "(Alternatively set DATABASE_URL and REDIS_URL to use servers you run yourself.)"
)


# --------------------------------------------------------------------------- paths


@dataclass(frozen=True)
class _Paths:
    data: Path

    @property
    def pg(self) -> Path:
        return self.data / "pg"

    @property
    def pg_new(self) -> Path:
        return self.data / "pg.initdb-tmp"

    @property
    def run(self) -> Path:
        return self.data / "run"

    @property
    def log(self) -> Path:
        return self.data / "log"

    @property
    def pg_log(self) -> Path:
        return self.log / "postgres.log"

    @property
    def redis(self) -> Path:
        return self.data / "redis"

    @property
    def redis_log(self) -> Path:
        return self.log / "redis.log"

    @property
    def redis_pid(self) -> Path:
        return self.redis / "redis.pid"

    @property
    def redis_conf(self) -> Path:
        return self.redis / "redis.conf"

    @property
    def smtp(self) -> Path:
        return self.data / "smtp"

    @property
    def smtp_pid(self) -> Path:
        return self.smtp / "sink.pid"

    @property
    def smtp_log(self) -> Path:
        return self.log / "smtp.log"

    @property
    def mail(self) -> Path:
        return self.data / "mail"

    @property
    def lock(self) -> Path:
        return self.data / ".devservices.lock"


def _paths() -> _Paths:
    return _Paths(Path(settings.DATA_DIR).resolve())


def _mkdir(path: Path, mode: int = 0o755) -> None:
    """Create a directory with an explicit mode (independent of the umask)."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, mode)


@contextlib.contextmanager
def _locked(paths: _Paths) -> Iterator[None]:
    """Serialise start/stop between concurrent processes (e.g. `make run` and `make test`)."""
    _mkdir(paths.data)
    with open(paths.lock, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 16384))
            data = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return f"(no log file at {path})"
    text = "\n".join(data.splitlines()[-lines:])
    return f"--- last lines of {path} ---\n{text}" if text else f"({path} is empty)"


# ------------------------------------------------------------------------ processes


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_our_process(pid: int, workdir: Path, names: tuple[str, ...]) -> bool:
    """Is `pid` alive and really the server for `workdir`? (Guards against stale pidfiles.)

    postgres, redis and the mail sink run in their own directory, so /proc/PID/cwd
    identifies them precisely; the process name is the fallback when cwd cannot be read.
    """
    if pid <= 0 or not _alive(pid):
        return False
    proc = Path(f"/proc/{pid}")
    if not proc.is_dir():
        return True  # no procfs: trust the pidfile
    try:
        return Path(os.readlink(proc / "cwd")).resolve() == workdir.resolve()
    except OSError:
        pass
    try:
        comm = (proc / "comm").read_text().strip()
    except OSError:
        return True
    return any(name in comm for name in names)


def _read_pid(pidfile: Path) -> int | None:
    try:
        first = pidfile.read_text().split("\n", 1)[0].strip()
        return int(first)
    except (OSError, ValueError):
        return None


def _port_in_use(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _ensure_port_free(port: int, what: str, env_var: str, data: Path) -> None:
    if _port_in_use(port):
        raise RuntimeError(
            f"Cannot start the private {what} server for {data}: 127.0.0.1:{port} is already "
            f"in use by another process (perhaps another checkout's private server). Stop that "
            f"process, or pick another port with {env_var}=<port>."
        )


@dataclass(frozen=True)
class _RunAs:
    """The account that owns and runs the PostgreSQL cluster."""

    name: str
    uid: int
    gid: int
    groups: tuple[int, ...]
    switch: bool  # True when we are root and must drop privileges


def _clean_env(run_as: _RunAs | None = None) -> dict[str, str]:
    # PG* variables (PGPORT, PGDATA, PGHOST...) would silently change what the tools do.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if run_as is not None and run_as.switch:
        try:
            home = pwd.getpwuid(run_as.uid).pw_dir
        except KeyError:
            home = "/"
        env.update(HOME=home, USER=run_as.name, LOGNAME=run_as.name)
    return env


def _run(
    cmd: Sequence[str | Path],
    *,
    cwd: Path,
    run_as: _RunAs | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    switch = run_as is not None and run_as.switch
    try:
        return subprocess.run(
            [str(c) for c in cmd],
            cwd=cwd,
            env=_clean_env(run_as),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,
            user=run_as.uid if switch and run_as else None,
            group=run_as.gid if switch and run_as else None,
            extra_groups=list(run_as.groups) if switch and run_as else None,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"Timed out after {timeout:.0f}s running: {' '.join(exc.cmd)}") from exc


def _output(proc: subprocess.CompletedProcess[str]) -> str:
    return "\n".join(s.strip() for s in (proc.stdout, proc.stderr) if s and s.strip())


# ----------------------------------------------------------------------- postgresql


def _pg_version_of(bindir: Path) -> str | None:
    try:
        out = subprocess.run(
            [str(bindir / "postgres"), "--version"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return match.group(1) if match else None


def _find_pg_bindir(major: str | None) -> Path:
    """Highest /usr/lib/postgresql/<ver>/bin that has initdb, else `pg_config --bindir`.

    With `major` set (an existing cluster's PG_VERSION) only that version is acceptable.
    """
    candidates: list[tuple[int, Path]] = []
    root = Path("/usr/lib/postgresql")
    if root.is_dir():
        for ver_dir in root.iterdir():
            bindir = ver_dir / "bin"
            if ver_dir.name.isdigit() and (bindir / "initdb").is_file():
                candidates.append((int(ver_dir.name), bindir))
    if major is not None:
        candidates = [c for c in candidates if str(c[0]) == major]
    if candidates:
        return max(candidates)[1]

    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
            bindir = Path(out)
            if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
                if major is None or _pg_version_of(bindir) == major:
                    return bindir

    if major is not None:
        raise RuntimeError(
            f"The private cluster in {_paths().pg} was created by PostgreSQL {major}, but the "
            f"PostgreSQL {major} server binaries are not installed (looked in "
            f"/usr/lib/postgresql/{major}/bin and `pg_config --bindir`). Install "
            f"postgresql-{major} and postgresql-{major}-postgis-3, or delete {_paths().pg} "
            f"to start over with an empty database."
        )
    raise RuntimeError(
        "PostgreSQL server binaries not found (no initdb under /usr/lib/postgresql/<ver>/bin "
        "or in `pg_config --bindir`).\n" + INSTALL_HINT
    )


def _pg_run_as(paths: _Paths) -> _RunAs:
    if os.geteuid() != 0:
        uid, gid = os.getuid(), os.getgid()
        try:
            name = pwd.getpwuid(uid).pw_name
        except KeyError:
            name = str(uid)
        return _RunAs(name, uid, gid, tuple(os.getgroups()), switch=False)

    pw: pwd.struct_passwd | None = None
    if (paths.pg / "PG_VERSION").exists():
        owner = paths.pg.stat().st_uid
        if owner != 0:
            try:
                pw = pwd.getpwuid(owner)
            except KeyError as exc:
                raise RuntimeError(
                    f"{paths.pg} is owned by uid {owner}, which has no account on this system."
                ) from exc
    if pw is None:
        try:
            pw = pwd.getpwnam(PG_SYSTEM_USER)
        except KeyError as exc:
            raise RuntimeError(
                "Running as root, but PostgreSQL refuses to run as root and there is no "
                f"'{PG_SYSTEM_USER}' system user to run it as. That user is created by the "
                "postgresql-15 package.\n" + INSTALL_HINT
            ) from exc
    groups = tuple(os.getgrouplist(pw.pw_name, pw.pw_gid))
    return _RunAs(pw.pw_name, pw.pw_uid, pw.pw_gid, groups, switch=True)


def _check_traversable(paths: _Paths, who: _RunAs) -> None:
    """Make sure `who` can reach DATA_DIR (every directory on the way needs search permission)."""
    chain = [*reversed(paths.data.parents), paths.data]
    for directory in chain:
        st = directory.stat()
        if st.st_uid == who.uid:
            ok = bool(st.st_mode & stat.S_IXUSR)
        elif st.st_gid in who.groups:
            ok = bool(st.st_mode & stat.S_IXGRP)
        else:
            ok = bool(st.st_mode & stat.S_IXOTH)
        if ok:
            continue
        if directory == paths.data and st.st_uid == os.geteuid():
            os.chmod(directory, stat.S_IMODE(st.st_mode) | 0o711)
            continue
        mode = stat.filemode(st.st_mode)
        raise RuntimeError(
            f"The private PostgreSQL server must run as the unprivileged user '{who.name}' "
            f"(PostgreSQL refuses to run as root), but that user cannot enter the directory "
            f"{directory} ({mode}), which is on the way to the data folder {paths.data}.\n"
            f"Fix it with:  chmod o+x {directory}\n"
            f"or point CITYLEARN_DATA_DIR at a folder '{who.name}' can reach, "
            f"or set DATABASE_URL/REDIS_URL to use external servers."
        )


def _pg_pid(paths: _Paths) -> int | None:
    pid = _read_pid(paths.pg / "postmaster.pid")
    if pid is not None and _is_our_process(pid, paths.pg, ("postgres", "postmaster")):
        return pid
    return None


def _conf_str(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def _chown(path: Path, run_as: _RunAs) -> None:
    if run_as.switch:
        os.chown(path, run_as.uid, run_as.gid)


def _initdb(paths: _Paths, bindir: Path, run_as: _RunAs) -> None:
    if paths.pg.exists():
        if any(paths.pg.iterdir()):
            raise RuntimeError(
                f"{paths.pg} exists and is not empty but holds no PostgreSQL cluster "
                f"(no PG_VERSION). Move it away or delete it, then try again."
            )
        paths.pg.rmdir()
    # initdb into a scratch directory and rename, so an interrupted initdb never leaves
    # a half-made cluster behind.
    if paths.pg_new.exists():
        shutil.rmtree(paths.pg_new)
    paths.pg_new.mkdir(mode=0o700)
    _chown(paths.pg_new, run_as)
    proc = _run(
        [
            bindir / "initdb",
            "-D",
            paths.pg_new,
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-instructions",
        ],
        cwd=paths.data,
        run_as=run_as,
        timeout=600,
    )
    if proc.returncode != 0:
        shutil.rmtree(paths.pg_new, ignore_errors=True)
        raise RuntimeError(f"initdb failed for {paths.pg}:\n{_output(proc)}")
    with open(paths.pg_new / "postgresql.conf", "a", encoding="utf-8") as fh:
        fh.write("\n# Managed by server/devservices.py\ninclude_if_exists = 'citylearn.conf'\n")
    paths.pg_new.rename(paths.pg)


def _write_pg_conf(paths: _Paths, run_as: _RunAs) -> None:
    port = settings.PRIVATE_PG_PORT
    socket_path = paths.run / f".s.PGSQL.{port}"
    # Unix socket paths are limited to 107 bytes; in a deeply nested checkout use TCP only.
    socket_dirs = str(paths.run) if len(str(socket_path)) <= MAX_UNIX_SOCKET_PATH else ""
    conf = (
        "# Written by server/devservices.py on every start; edits are overwritten.\n"
        f"listen_addresses = '127.0.0.1'\n"
        f"port = {port}\n"
        f"unix_socket_directories = {_conf_str(socket_dirs)}\n"
        "synchronous_commit = off\n"
        "max_connections = 200\n"
    )
    target = paths.pg / "citylearn.conf"
    target.write_text(conf, encoding="utf-8")
    os.chmod(target, 0o600)
    _chown(target, run_as)


def _pg_ctl_start(paths: _Paths, bindir: Path, run_as: _RunAs) -> None:
    _mkdir(paths.run, 0o755)
    _chown(paths.run, run_as)
    _mkdir(paths.log, 0o755)
    with contextlib.suppress(OSError):
        if paths.pg_log.stat().st_size > PG_LOG_MAX_BYTES:
            paths.pg_log.write_bytes(b"")
    paths.pg_log.touch()
    _chown(paths.pg_log, run_as)

    # A pidfile whose pid now belongs to an unrelated process would make postgres refuse
    # to start; _pg_pid() already established that no postmaster serves this directory.
    with contextlib.suppress(FileNotFoundError):
        (paths.pg / "postmaster.pid").unlink()

    proc = _run(
        [
            bindir / "pg_ctl",
            "start",
            "-D",
            paths.pg,
            "-l",
            paths.pg_log,
            "-w",
            "-t",
            str(PG_START_TIMEOUT),
            "-s",
        ],
        cwd=paths.data,
        run_as=run_as,
        timeout=PG_START_TIMEOUT + 30,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"The private PostgreSQL server ({paths.pg}, port {settings.PRIVATE_PG_PORT}) "
            f"did not start:\n{_output(proc)}\n{_tail(paths.pg_log)}"
        )


def _wait_pg_ready(paths: _Paths, bindir: Path) -> None:
    port = settings.PRIVATE_PG_PORT
    deadline = time.monotonic() + PG_START_TIMEOUT
    last = ""
    while True:
        proc = _run(
            [
                bindir / "pg_isready",
                "-q",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                SUPERUSER,
                "-d",
                "postgres",
                "-t",
                "2",
            ],
            cwd=paths.data,
            timeout=30,
        )
        if proc.returncode == 0:
            return
        last = _output(proc)
        if _pg_pid(paths) is None or time.monotonic() > deadline:
            raise RuntimeError(
                f"The private PostgreSQL server on 127.0.0.1:{port} is not accepting "
                f"connections (pg_isready exit {proc.returncode}{': ' + last if last else ''}).\n"
                f"{_tail(paths.pg_log)}"
            )
        time.sleep(0.2)


def _psql(paths: _Paths, bindir: Path, database: str, sql: str) -> str:
    proc = _run(
        [
            bindir / "psql",
            "-X",
            "-q",
            "-t",
            "-A",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-p",
            str(settings.PRIVATE_PG_PORT),
            "-U",
            SUPERUSER,
            "-d",
            database,
            "-c",
            sql,
        ],
        cwd=paths.data,
        timeout=120,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"psql ({database}) failed for {sql!r}:\n{_output(proc)}")
    return proc.stdout.strip()


def _ensure_database(paths: _Paths, bindir: Path) -> None:
    exists = _psql(
        paths, bindir, "postgres", f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"
    )
    if exists != "1":
        _psql(paths, bindir, "postgres", f'CREATE DATABASE "{DB_NAME}"')
    try:
        _psql(paths, bindir, DB_NAME, "CREATE EXTENSION IF NOT EXISTS postgis")
    except RuntimeError as exc:
        major = (paths.pg / "PG_VERSION").read_text().strip()
        raise RuntimeError(
            f"PostGIS is not available to the private PostgreSQL {major} server. Install the "
            f"Debian package postgresql-{major}-postgis-3 (or run: bash scripts/system-deps.sh)."
            f"\n{exc}"
        ) from exc


def _start_postgres(paths: _Paths) -> None:
    version_file = paths.pg / "PG_VERSION"
    major = version_file.read_text().strip() if version_file.exists() else None
    bindir = _find_pg_bindir(major)
    run_as = _pg_run_as(paths)
    if run_as.switch:
        _check_traversable(paths, run_as)
    if _pg_pid(paths) is None:
        _ensure_port_free(settings.PRIVATE_PG_PORT, "PostgreSQL", "CITYLEARN_PG_PORT", paths.data)
        if major is None:
            _initdb(paths, bindir, run_as)
        _write_pg_conf(paths, run_as)
        _pg_ctl_start(paths, bindir, run_as)
    _wait_pg_ready(paths, bindir)
    _ensure_database(paths, bindir)


def _stop_postgres(paths: _Paths) -> None:
    if _pg_pid(paths) is None:
        return
    major = (paths.pg / "PG_VERSION").read_text().strip()
    bindir = _find_pg_bindir(major)
    run_as = _pg_run_as(paths)
    proc = _run(
        [
            bindir / "pg_ctl",
            "stop",
            "-D",
            paths.pg,
            "-m",
            "fast",
            "-w",
            "-t",
            str(STOP_TIMEOUT),
            "-s",
        ],
        cwd=paths.data,
        run_as=run_as,
        timeout=STOP_TIMEOUT + 30,
    )
    if proc.returncode != 0 and _pg_pid(paths) is not None:
        raise RuntimeError(
            f"Could not stop the private PostgreSQL server ({paths.pg}):\n{_output(proc)}"
        )


# ---------------------------------------------------------------------------- redis


def _redis_pid(paths: _Paths) -> int | None:
    pid = _read_pid(paths.redis_pid)
    if pid is not None and _is_our_process(pid, paths.redis, ("redis",)):
        return pid
    return None


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _redis_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _start_redis(paths: _Paths) -> None:
    port = settings.PRIVATE_REDIS_PORT
    if _redis_pid(paths) is None:
        server = shutil.which("redis-server")
        if server is None:
            raise RuntimeError("redis-server not found on PATH.\n" + INSTALL_HINT)
        _ensure_port_free(port, "Redis", "CITYLEARN_REDIS_PORT", paths.data)
        _mkdir(paths.redis, 0o755)
        _mkdir(paths.log, 0o755)
        with contextlib.suppress(FileNotFoundError):
            paths.redis_pid.unlink()
        paths.redis_conf.write_text(
            "# Written by server/devservices.py on every start; edits are overwritten.\n"
            f"port {port}\n"
            "bind 127.0.0.1\n"
            "protected-mode yes\n"
            "daemonize yes\n"
            "supervised no\n"
            f"pidfile {_redis_quote(str(paths.redis_pid))}\n"
            f"logfile {_redis_quote(str(paths.redis_log))}\n"
            f"dir {_redis_quote(str(paths.redis))}\n"
            'save ""\n'
            "appendonly no\n",
            encoding="utf-8",
        )
        proc = _run([server, paths.redis_conf], cwd=paths.redis, timeout=60)
        if proc.returncode != 0:
            raise RuntimeError(
                f"redis-server failed to start (exit {proc.returncode}):\n{_output(proc)}\n"
                f"{_tail(paths.redis_log)}"
            )
    deadline = time.monotonic() + REDIS_START_TIMEOUT
    while not (_redis_ping(port) and _redis_pid(paths) is not None):
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"The private Redis server on 127.0.0.1:{port} did not answer PING within "
                f"{REDIS_START_TIMEOUT}s.\n{_tail(paths.redis_log)}"
            )
        time.sleep(0.1)


def _terminate(pid: int, pidfile: Path) -> None:
    """SIGTERM, wait, SIGKILL after STOP_TIMEOUT; then forget the pidfile."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while _alive(pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    with contextlib.suppress(FileNotFoundError):
        pidfile.unlink()


def _stop_redis(paths: _Paths) -> None:
    pid = _redis_pid(paths)
    if pid is None:
        return
    # No save points are configured, so SIGTERM shuts down without writing a dump.
    _terminate(pid, paths.redis_pid)


# ------------------------------------------------------------------------ mail sink


def _smtp_pid(paths: _Paths) -> int | None:
    pid = _read_pid(paths.smtp_pid)
    if pid is not None and _is_our_process(pid, paths.smtp, ("python",)):
        return pid
    return None


def _smtp_greets(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            return sock.recv(64).startswith(b"220")
    except OSError:
        return False


def _start_smtp(paths: _Paths) -> None:
    port = settings.PRIVATE_SMTP_PORT
    if _smtp_pid(paths) is None:
        _ensure_port_free(port, "mail sink", "CITYLEARN_SMTP_PORT", paths.data)
        for directory in (paths.smtp, paths.mail, paths.log):
            _mkdir(directory, 0o755)
        with contextlib.suppress(FileNotFoundError):
            paths.smtp_pid.unlink()
        command = [
            sys.executable,
            "-m",
            "server.mail.sink",
            "--port",
            str(port),
            "--folder",
            str(paths.mail),
            "--daemon",
            "--pidfile",
            str(paths.smtp_pid),
        ]
        # Output into the log, not a pipe: the detached server would hold a pipe open.
        with open(paths.smtp_log, "ab") as log:
            proc = subprocess.run(
                command,
                cwd=paths.smtp,
                env=_clean_env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                timeout=60,
                check=False,
            )
        if proc.returncode != 0:
            raise RuntimeError(
                f"The private mail sink did not start (exit {proc.returncode}).\n"
                f"{_tail(paths.smtp_log)}"
            )
    deadline = time.monotonic() + SMTP_START_TIMEOUT
    while not (_smtp_greets(port) and _smtp_pid(paths) is not None):
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"The private mail sink on 127.0.0.1:{port} did not greet within "
                f"{SMTP_START_TIMEOUT}s.\n{_tail(paths.smtp_log)}"
            )
        time.sleep(0.1)


def _stop_smtp(paths: _Paths) -> None:
    pid = _smtp_pid(paths)
    if pid is not None:
        _terminate(pid, paths.smtp_pid)


def _free_port_from(start: int) -> int:
    for port in range(start, start + 200):
        if not _port_in_use(port):
            return port
    raise RuntimeError(f"no free port in {start}..{start + 199} on 127.0.0.1")


def _choose_ports(paths: _Paths, *, need_pg: bool, need_redis: bool, need_smtp: bool) -> None:
    """Move off a port that another process holds (say, another checkout's servers).

    Ports set in the environment are the operator's choice and are never moved.
    """
    pg, redis, smtp = (
        settings.PRIVATE_PG_PORT,
        settings.PRIVATE_REDIS_PORT,
        settings.PRIVATE_SMTP_PORT,
    )
    if (
        need_pg
        and not os.environ.get("CITYLEARN_PG_PORT")
        and _pg_pid(paths) is None
        and _port_in_use(pg)
    ):
        pg = _free_port_from(pg + 1)
    if (
        need_redis
        and not os.environ.get("CITYLEARN_REDIS_PORT")
        and _redis_pid(paths) is None
        and _port_in_use(redis)
    ):
        redis = _free_port_from(redis + 1)
    if (
        need_smtp
        and not os.environ.get("CITYLEARN_SMTP_PORT")
        and _smtp_pid(paths) is None
        and _port_in_use(smtp)
    ):
        smtp = _free_port_from(smtp + 1)
    chosen = (pg, redis, smtp)
    if chosen != (
        settings.PRIVATE_PG_PORT,
        settings.PRIVATE_REDIS_PORT,
        settings.PRIVATE_SMTP_PORT,
    ):
        settings.save_private_ports(pg, redis, smtp=smtp)


# ------------------------------------------------------------------------ public API


def start(test: bool = False) -> None:
    """Start the private servers that are needed (idempotent; quick when already running).

    A service whose URL is set in the environment (DATABASE_URL / REDIS_URL / SMTP_URL)
    is left to the operator. `test` changes nothing today: tests create their own
    throwaway database and run their own in-process mail sink.
    """
    del test
    paths = _paths()
    need_pg = not os.environ.get("DATABASE_URL")
    need_redis = not os.environ.get("REDIS_URL")
    need_smtp = not os.environ.get("SMTP_URL")
    if not (need_pg or need_redis or need_smtp):
        return
    with _locked(paths):
        _choose_ports(paths, need_pg=need_pg, need_redis=need_redis, need_smtp=need_smtp)
        if need_pg:
            _start_postgres(paths)
        if need_redis:
            _start_redis(paths)
        if need_smtp:
            _start_smtp(paths)


def stop() -> None:
    """Stop the private servers of this data folder if they are running.

    Like start(), a service whose URL is set in the environment is not ours to manage
    in this shell: `DATABASE_URL=... make test` must not stop a developer's servers.
    """
    paths = _paths()
    if not paths.data.is_dir():
        return
    with _locked(paths):
        if not os.environ.get("SMTP_URL"):
            _stop_smtp(paths)
        if not os.environ.get("REDIS_URL"):
            _stop_redis(paths)
        if not os.environ.get("DATABASE_URL"):
            _stop_postgres(paths)


def status() -> dict[str, str]:
    """{"postgres", "redis", "mail"} -> "running on ...", "stopped" or "external (...)"."""
    paths = _paths()
    result: dict[str, str] = {}
    if os.environ.get("DATABASE_URL"):
        result["postgres"] = "external (DATABASE_URL)"
    elif _pg_pid(paths) is not None:
        result["postgres"] = (
            f"running on 127.0.0.1:{settings.PRIVATE_PG_PORT} (private, {paths.pg})"
        )
    else:
        result["postgres"] = "stopped"
    if os.environ.get("REDIS_URL"):
        result["redis"] = "external (REDIS_URL)"
    elif _redis_pid(paths) is not None:
        result["redis"] = (
            f"running on 127.0.0.1:{settings.PRIVATE_REDIS_PORT} (private, {paths.redis})"
        )
    else:
        result["redis"] = "stopped"
    if os.environ.get("SMTP_URL"):
        result["mail"] = "external (SMTP_URL)"
    elif _smtp_pid(paths) is not None:
        result["mail"] = (
            f"running on 127.0.0.1:{settings.PRIVATE_SMTP_PORT} (private mail sink, {paths.mail})"
        )
    else:
        result["mail"] = "stopped"
    return result


def mail_folder() -> Path:
    """Where the private mail sink keeps what it receives (the /dev/mail pages read it)."""
    return _paths().mail


def status_text() -> str:
    return "\n".join(f"{name:<9}{state}" for name, state in status().items())


def print_status() -> None:
    print(status_text())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m server.devservices",
        description="Manage the private PostgreSQL+PostGIS, Redis and mail sink under DATA_DIR.",
    )
    parser.add_argument("command", choices=["start", "stop", "status"], nargs="?", default="status")
    parser.add_argument("--test", action="store_true", help="start for the test suite")
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            start(test=args.test)
        elif args.command == "stop":
            stop()
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print_status()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
