"""The console script answers --help on every command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


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


def test_services_status_names_both_servers() -> None:
    result = citylearn("services", "status")
    assert result.returncode == 0, result.stderr
    assert "postgres" in result.stdout and "redis" in result.stdout


def test_stop_leaves_private_servers_alone_when_urls_point_elsewhere() -> None:
    env = {**os.environ, "DATABASE_URL": "postgresql://elsewhere/db", "REDIS_URL": "redis://x/0"}
    stopped = citylearn("services", "stop", env=env)
    assert stopped.returncode == 0, stopped.stderr
    assert "external (DATABASE_URL)" in stopped.stdout
    status = citylearn("services", "status")
    # This suite itself runs on the private servers unless the URLs are set for it.
    if not os.environ.get("DATABASE_URL"):
        assert "postgres running" in " ".join(status.stdout.split())
