"""The console script answers --help on every command."""

from __future__ import annotations

import subprocess
import sys

import pytest

COMMANDS = [[], ["run"], ["serve"], ["worker"], ["migrate"], ["seed"], ["services"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "citylearn")
def test_help(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", *command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage: citylearn" in result.stdout


def test_services_status_names_both_servers() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "services", "status"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "postgres" in result.stdout and "redis" in result.stdout
