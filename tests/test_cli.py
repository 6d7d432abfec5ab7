"""The console script answers --help on every command."""

from __future__ import annotations

import contextlib
import json
import os
import smtplib
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from server import settings


def citylearn(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


COMMANDS = [[], ["run"], ["serve"], ["worker"], ["migrate"], ["seed"], ["services"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "citylearn")
def test_help(command: list[str]) -> None:
    result = citylearn(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: citylearn" in result.stdout


def test_services_status_names_every_server() -> None:
    result = citylearn("services", "status")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["postgres", "redis", "mail"]
    mail = " ".join(lines[2].split())
    assert mail in ("mail stopped", "mail external (SMTP_URL)") or "private mail sink" in mail


def test_stop_leaves_private_servers_alone_when_urls_point_elsewhere() -> None:
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql://elsewhere/db",
        "REDIS_URL": "redis://x/0",
        "SMTP_URL": "smtp://mail.elsewhere:25",
    }
    stopped = citylearn("services", "stop", env=env)
    assert stopped.returncode == 0, stopped.stderr
    assert "external (DATABASE_URL)" in stopped.stdout
    assert "external (SMTP_URL)" in stopped.stdout
    status = citylearn("services", "status")
    # This suite itself runs on the private servers unless the URLs are set for it.
    if not os.environ.get("DATABASE_URL"):
        assert "postgres running" in " ".join(status.stdout.split())


def test_mail_sink_service_moves_off_a_held_port_keeps_mail_and_stops(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SMTP_URL", "CITYLEARN_SMTP_PORT")}
    # Only the mail sink is ours here; the scratch data folder keeps it apart from var/.
    env.update(
        CITYLEARN_DATA_DIR=str(tmp_path),
        DATABASE_URL="postgresql://elsewhere/db",
        REDIS_URL="redis://elsewhere/0",
    )
    with contextlib.ExitStack() as stack:
        # Held by someone else: another checkout's sink (or this checkout's own).
        with contextlib.suppress(OSError):
            stack.enter_context(socket.create_server(("127.0.0.1", settings.DEFAULT_SMTP_PORT)))
        started = citylearn("services", "start", env=env)
        try:
            assert started.returncode == 0, started.stderr + _log(tmp_path)
            port = json.loads((tmp_path / "ports.json").read_text())["smtp"]
            assert port != settings.DEFAULT_SMTP_PORT
            assert f"mail     running on 127.0.0.1:{port} (private mail sink" in started.stdout

            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                client.sendmail("a@example.org", ["b@example.org"], b"Subject: hi\r\n\r\nhola\r\n")
            [stored] = (tmp_path / "mail").glob("*.eml")
            assert b"Subject: hi" in stored.read_bytes()
        finally:
            stopped = citylearn("services", "stop", env=env)
    assert stopped.returncode == 0, stopped.stderr
    assert "mail     stopped" in stopped.stdout
    assert not (tmp_path / "smtp" / "sink.pid").exists()


def _log(data: Path) -> str:
    log = data / "log" / "smtp.log"
    return log.read_text() if log.exists() else ""
