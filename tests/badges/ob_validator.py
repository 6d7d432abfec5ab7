"""The IMS Global Open Badges validator as an external judge for the badge tests.

Not a test module. The validator (PyPI `openbadges`, openbadges-validator-core) runs in a venv of
its own, made by scripts/openbadges-validator/setup.sh, because its pins clash with ours. Each
validation is a subprocess running scripts/openbadges-validator/validate.py, offline: JSON-LD
contexts come from the validator's bundled copy, and only loopback hosts are fetched.

    from tests.badges.ob_validator import validate

    result = validate(url="http://127.0.0.1:8123/assertions/1", recipient="a@example.org")
    assert result["valid"], result["errors"]

The result is validate.py's JSON: {"valid", "errors", "warnings", "report", "validator_valid",
"driver"}. "report" is openbadges.verify()'s full result ({"graph", "input", "report"}).
validate.py fixes one openbadges 1.1.2 bug at run time (it never queued its `type`, Issuer
`email` and a few other rules) and adds checks 1.1.2 lacks: HTTP >= 400 (410 Gone = revoked),
`revoked: true`, SignedBadge assertions not given as a JWS, tasks that never ran. Those errors
start with "[driver]"; "validator_valid" is the verdict without them. Read the header of
scripts/openbadges-validator/validate.py for the details.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT_DIR = REPO_ROOT / "scripts" / "openbadges-validator"
SETUP_SH = SCRIPT_DIR / "setup.sh"
VALIDATE_PY = SCRIPT_DIR / "validate.py"

VALIDATE_TIMEOUT = 60.0  # seconds for one validate.py run
SETUP_TIMEOUT = 900.0  # seconds for setup.sh (a cold pip install takes well under a minute)

# Our venv's variables must not leak into the validator's interpreter.
_SCRUBBED_ENV = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")


class ValidatorSetupError(RuntimeError):
    """setup.sh could not create the validator's venv."""


class ValidatorRunError(RuntimeError):
    """validate.py did not produce a verdict (timeout, crash, unreadable output)."""


_lock = threading.Lock()
_python: Path | None = None
_setup_error: ValidatorSetupError | None = None


def _child_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}


def ensure_validator() -> Path:
    """Run setup.sh (once per process; it is itself a no-op when up to date) and return the
    validator venv's python. Raises ValidatorSetupError, also on later calls, if it failed."""
    global _python, _setup_error
    with _lock:
        if _python is not None:
            return _python
        if _setup_error is not None:
            raise _setup_error
        try:
            proc = subprocess.run(
                ["bash", str(SETUP_SH)],
                cwd=REPO_ROOT,
                env=_child_env(),
                capture_output=True,
                text=True,
                timeout=SETUP_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            _setup_error = ValidatorSetupError(f"{SETUP_SH} did not finish: {exc}")
            raise _setup_error from exc
        lines = proc.stdout.strip().splitlines()
        python = Path(lines[-1]) if lines else None
        if proc.returncode != 0 or python is None or not python.is_file():
            _setup_error = ValidatorSetupError(
                f"{SETUP_SH} failed (exit {proc.returncode}); the Open Badges validator venv "
                f"could not be created.\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n"
                f"{proc.stderr}"
            )
            raise _setup_error
        _python = python
        return python


def validate(
    *,
    url: str | None = None,
    file: str | os.PathLike[str] | None = None,
    json_text: str | None = None,
    jws: str | None = None,
    recipient: str | None = None,
    upstream: bool = False,
    timeout: float = VALIDATE_TIMEOUT,
) -> dict[str, Any]:
    """Validate exactly one input with the Open Badges validator and return its verdict.

    url: a hosted assertion URL. file: a baked PNG/SVG, or a text file holding a URL, JSON or a
    compact JWS. json_text: assertion JSON (the validator fetches its `id`). jws: a compact JWS
    string (a signed assertion). recipient: the email the assertion must be awarded to.
    upstream: openbadges 1.1.2 exactly as released, without validate.py's rule-queueing fix
    and [driver] checks (for comparisons; still offline).
    """
    given = [v for v in (url, file, json_text, jws) if v is not None]
    if len(given) != 1:
        raise ValueError("pass exactly one of url=, file=, json_text=, jws=")
    python = ensure_validator()
    with tempfile.TemporaryDirectory(prefix="ob-validate-") as tmp:
        args: list[str]
        if url is not None:
            args = ["--url", url]
        elif file is not None:
            args = ["--file", os.fspath(file)]
        elif json_text is not None:
            path = Path(tmp) / "assertion.json"
            path.write_text(json_text, encoding="utf-8")
            args = ["--json-file", str(path)]
        else:
            assert jws is not None
            args = ["--data", jws]
        if recipient is not None:
            args += ["--recipient", recipient]
        if upstream:
            args.append("--upstream")
        command = [str(python), str(VALIDATE_PY), *args]
        try:
            proc = subprocess.run(
                command,
                cwd=REPO_ROOT,
                env=_child_env(),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ValidatorRunError(f"validate.py timed out after {timeout} s: {args}") from exc
    try:
        result = json.loads(proc.stdout)
    except json.JSONDecodeError:
        result = None
    if proc.returncode not in (0, 1) or not isinstance(result, dict):
        if isinstance(result, dict):
            detail = f"{result.get('errors')}\n{result.get('driver', {}).get('traceback', '')}"
        else:
            detail = proc.stdout[-2000:]
        raise ValidatorRunError(
            f"validate.py {args} exited {proc.returncode} without a verdict: {detail}\n"
            f"--- stderr ---\n{proc.stderr[-4000:]}"
        )
    return result
