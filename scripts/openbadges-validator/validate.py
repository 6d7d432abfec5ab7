"""Run the IMS Global Open Badges validator (PyPI `openbadges`) offline; print one JSON result.

Run it with the validator's own venv (made by setup.sh next to this file), never with ours:

    var/openbadges-validator/bin/python scripts/openbadges-validator/validate.py \
        (--url URL | --file PATH | --json-file PATH | --data TEXT) [--recipient EMAIL] \
        [--context URL=PATH ...] [--allow-remote] [--upstream]

stdout gets exactly one JSON object:
    {"valid": bool, "errors": [str], "warnings": [str], "report": <openbadges.verify() result>,
     "validator_valid": bool, "driver": {...what this driver fetched, served and added...}}
"report" is the validator's full result: {"graph": [...], "input": {...}, "report": {"valid",
"messages", "errorCount", "recipientProfile", ...}}.
Exit status: 0 valid, 1 not valid, 2 bad arguments or the validator itself crashed (JSON still
printed for the last two unless the arguments could not be parsed).

What it took to make openbadges 1.1.2 work on Python 3.11 and offline:

* Pins (requirements.txt, installed with --no-deps). The declared pycryptodome==3.6.6 has Python 2
  syntax (`0xffffffffL`), python-jose==3.0.1 and pytz==2017.2 do `from collections import Mapping`:
  none of them imports on 3.11. We use pycryptodome 3.23.0, pytz 2026.6 and python-jose 3.2.0,
  the last python-jose that still has the pycryptodome backend: tasks/crypto.py hands
  jose.jwk.construct() a `Crypto.PublicKey.RSA` key object, which python-jose >= 3.3 (and 3.2 when
  `cryptography` is importable, it then prefers that backend) rejects with JWKError.
  future 0.16.0 -> 1.0.0 (a wheel). Everything else is as declared.
* JSON-LD contexts. The validator compacts every node against https://w3id.org/openbadges/v2 and
  fetches that context through its document loader with requests. We pass our own loader
  (options["jsonld_options"]) and also make it PyLD's default loader, for the calls that pass no
  options. It serves the v2 context from the copy bundled in the package
  (openbadges.verifier.openbadges_context.OPENBADGES_CONTEXT_V2_DICT) under the v2 URL and its
  aliases (CONTEXT_ALIASES below). Other contexts (for example the OB 1.1 context
  https://w3id.org/openbadges/v1, which the package does not bundle and which only 1.x badges
  use) come from --context URL=PATH files, from loopback http servers, or fail with a clear
  "not available offline" error. OB 2.0 badges ask for nothing but the v2 context.
* No network. requests.Session.send is wrapped: requests to anything but a loopback host
  (127.0.0.0/8, ::1, localhost) raise ConnectionError unless --allow-remote is given. That also
  covers redirects. Each request also gets a timeout (the validator sets none).
* http on loopback. openbadges 1.1.2 has no https requirement. Plain http ids and URLs pass as
  they are (is_url() accepts http, the issuer check is `^http(s)?://`, hosted verification only
  compares the URL authority, 127.0.0.1:PORT, with the issuer id's authority). So nothing is
  patched for that.
* requests-cache. Setting options["cache_backend"] to a false value makes the fetch tasks use a
  plain requests.Session. requests-cache 0.4.13 is still imported, and the module-level loaders in
  openbadges.verifier.utils build CachedSession objects, but those are never used to fetch anything.

Two openbadges 1.1.2 bugs are fixed at run time (--upstream turns both fixes off):
* fix_rule_queueing: its rule table (ClassValidators) is only partly queued, so no `type` rule and
  no Issuer `email` rule ever runs. A verification of type "Bogus" or an Issuer without email
  passed.
* fix_revocation_list_arrays: a signed assertion revoked in a RevocationList with a single entry
  was reported as not revoked.

Checks this driver adds because openbadges 1.1.2 skips them (errors marked "[driver]", left out of
"validator_valid", all turned off by --upstream):
* HTTP status. The validator ignores status codes and parses whatever body comes back. Any fetched
  response with a status >= 400 is an error. 410 Gone, the OB 2.0 way to revoke a hosted
  assertion, is reported as a revocation.
* `revoked: true` on an Assertion node. The validator only checks revocation for signed badges,
  through the issuer's revocationList. Hosted assertions marked revoked are an error here.
* SignedBadge given as a URL or JSON (not as a JWS). The validator then checks neither a
  signature nor the hosting origin, and passes it.
* Tasks left unrun. A task whose prerequisites never complete silently disappears from the report.
  For example, a SignedBadge without a creator key leaves VERIFY_JWS unrun and the signature
  unchecked. Every task left incomplete is an error here.
"""

from __future__ import annotations

import argparse
import importlib
import io
import ipaddress
import json
import sys
import traceback
import urllib.parse
from pathlib import Path
from typing import Any

HTTP_TIMEOUT = 15.0  # seconds, per request; the validator passes no timeout of its own
V2_CONTEXT_URL = "https://w3id.org/openbadges/v2"
CONTEXT_ALIASES = (
    V2_CONTEXT_URL,
    "http://w3id.org/openbadges/v2",
    "https://w3id.org/openbadges/v2/",
    "https://openbadgespec.org/v2/context.json",
    "http://openbadgespec.org/v2/context.json",
)
ACCEPT_JSONLD = "application/ld+json, application/json"

# The validator's modules. They live only in the validator's venv and are untyped, so they are
# imported at run time (module attributes are then Any to the type checker).
requests: Any = None
jsonld: Any = None
ob_verifier: Any = None
ob_utils: Any = None
ob_context: Any = None
bakery: Any = None


def _import_validator() -> None:
    global requests, jsonld, ob_verifier, ob_utils, ob_context, bakery
    requests = importlib.import_module("requests")
    jsonld = importlib.import_module("pyld.jsonld")
    ob_verifier = importlib.import_module("openbadges.verifier.verifier")
    ob_utils = importlib.import_module("openbadges.verifier.utils")
    ob_context = importlib.import_module("openbadges.verifier.openbadges_context")
    bakery = importlib.import_module("openbadges_bakery")


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class NetworkGuard:
    """Wraps requests.Session.send: loopback only (unless allowed), a timeout, a fetch log."""

    def __init__(self, allow_remote: bool) -> None:
        self.allow_remote = allow_remote
        self.fetched: list[dict[str, Any]] = []

    def install(self) -> None:
        original_send = requests.Session.send
        guard = self

        def send(session: Any, request: Any, **kwargs: Any) -> Any:
            url = str(request.url)
            host = urllib.parse.urlsplit(url).hostname or ""
            if not guard.allow_remote and not is_loopback_host(host):
                guard.fetched.append({"url": url, "refused": True})
                raise requests.ConnectionError(
                    f"offline: refusing to fetch {url} (not a loopback host; "
                    "validate.py --allow-remote permits it)"
                )
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = HTTP_TIMEOUT
            try:
                response = original_send(session, request, **kwargs)
            except Exception as exc:
                guard.fetched.append({"url": url, "error": f"{type(exc).__name__}: {exc}"})
                raise
            guard.fetched.append(
                {
                    "url": url,
                    "status": response.status_code,
                    "contentType": response.headers.get("Content-Type", ""),
                }
            )
            return response

        requests.Session.send = send


class OfflineDocumentLoader:
    """A PyLD document loader that behaves like openbadges' CachableDocumentLoader but serves
    the bundled v2 context and --context files locally. It has the same `contexts` attribute
    that openbadges uses to detect extension contexts."""

    def __init__(self, documents: dict[str, str], allow_remote: bool) -> None:
        self.documents = documents
        self.allow_remote = allow_remote
        self.contexts: set[str] = set()
        self.loaded: dict[str, dict[str, Any]] = {}  # url -> {"source": ..., "count": n}

    def _note(self, url: str, source: str) -> None:
        entry = self.loaded.setdefault(url, {"source": source, "count": 0})
        entry["count"] += 1

    def __call__(self, url: str) -> dict[str, Any]:
        text = self.documents.get(url)
        if text is not None:
            self._note(url, "local")
        else:
            host = urllib.parse.urlsplit(url).hostname or ""
            if not self.allow_remote and not is_loopback_host(host):
                self._note(url, "refused")
                raise jsonld.JsonLdError(
                    f"JSON-LD document {url} is not available offline; "
                    "pass validate.py --context URL=PATH to serve it from a file.",
                    "jsonld.LoadDocumentError",
                    {"url": url},
                    code="loading document failed",
                )
            try:
                response = requests.Session().get(url, headers={"Accept": ACCEPT_JSONLD})
            except Exception as exc:
                raise jsonld.JsonLdError(
                    "Could not retrieve JSON-LD document from URL.",
                    "jsonld.LoadDocumentError",
                    {"url": url},
                    code="loading document failed",
                    cause=exc,
                ) from exc
            text = str(response.text)
            self._note(url, "http")
        # Same bookkeeping as CachableDocumentLoader: a document whose @context holds an object is
        # a potential extension context.
        try:
            context = json.loads(text)["@context"]
            items = context if isinstance(context, list) else [context]
            if any(isinstance(item, dict) for item in items):
                self.contexts.add(url)
        except (ValueError, KeyError, TypeError):
            pass
        return {"contextUrl": None, "documentUrl": url, "document": text}


def fix_rule_queueing() -> None:
    """Make openbadges queue every property rule of its own ClassValidators table.

    In openbadges 1.1.2 tasks/validation.py:_get_validation_actions() queues a rule only when its
    prop_type is in ValueTypes.PRIMITIVES, which lacks RDF_TYPE, EMAIL, COMPACT_IRI and DATA_URI
    (and the RDF_TYPE branch is an `if` that the following if/else then discards). So no `type`
    rule ever runs (e.g. verification.type must be HostedBadge or SignedBadge, recipient.type one
    of id/email/url/telephone) and neither does the required Issuer `email`. This replacement
    queues those rules, with the task names and arguments the validator defines for them.
    """
    validation: Any = importlib.import_module("openbadges.verifier.tasks.validation")
    task_types = importlib.import_module("openbadges.verifier.tasks.task_types")
    add_task = importlib.import_module("openbadges.verifier.actions.tasks").add_task
    value_types = validation.ValueTypes
    checked_types = {*value_types.PRIMITIVES, value_types.EMAIL, value_types.COMPACT_IRI}
    checked_types.add(value_types.DATA_URI)

    def get_validation_actions(
        node_class: Any, node_id: Any = None, node_path: Any = None
    ) -> list[dict[str, Any]]:
        actions: list[dict[str, Any]] = []
        for rule in validation.ClassValidators(node_class).validators:
            prop_type = rule.get("prop_type")
            if prop_type == value_types.RDF_TYPE:
                name = task_types.VALIDATE_RDF_TYPE_PROPERTY
            elif prop_type in checked_types:
                name = task_types.VALIDATE_PROPERTY
            elif rule.get("task_type") in task_types.CLASS_VALIDATION_TASKS:
                name = rule["task_type"]
            else:
                continue
            action: dict[str, Any] = add_task(name, **rule)
            if node_id:
                action["node_id"] = node_id
            else:
                action["node_path"] = node_path
            actions.append(action)
        return actions

    validation._get_validation_actions = get_validation_actions


def fix_revocation_list_arrays() -> None:
    """Let VERIFY_SIGNED_ASSERTION_NOT_REVOKED see one-entry revocation lists.

    JSON-LD compaction turns a one-element revokedAssertions array into its single element, and
    openbadges 1.1.2 (tasks/crypto.py) then iterates that dict's keys or that string's characters,
    so an assertion revoked in a list of one was reported as not revoked. This wrapper hands the
    original task a state in which every revokedAssertions value is a list again.
    """
    tasks = importlib.import_module("openbadges.verifier.tasks")
    task_types = importlib.import_module("openbadges.verifier.tasks.task_types")
    name = task_types.VERIFY_SIGNED_ASSERTION_NOT_REVOKED
    original = tasks.FUNCTIONS[name]

    def verify_not_revoked(state: dict[str, Any], task_meta: Any, **options: Any) -> Any:
        graph = []
        for node in state.get("graph", []):
            entries = node.get("revokedAssertions")
            if entries is not None and not isinstance(entries, list):
                node = {**node, "revokedAssertions": [entries]}
            graph.append(node)
        return original({**state, "graph": graph}, task_meta, **options)

    tasks.FUNCTIONS[name] = verify_not_revoked


def _build_documents(extra: list[str]) -> dict[str, str]:
    v2 = json.dumps(ob_context.OPENBADGES_CONTEXT_V2_DICT)
    documents = dict.fromkeys(CONTEXT_ALIASES, v2)
    for item in extra:
        url, sep, path = item.partition("=")
        if not sep or not url or not path:
            raise ValueError(f"--context expects URL=PATH, got {item!r}")
        text = Path(path).read_text(encoding="utf-8")
        json.loads(text)  # fail early on a broken file
        documents[url] = text
    return documents


def _read_input(args: argparse.Namespace) -> tuple[Any, str]:
    """Returns (what to hand openbadges' verification_store, a description of the input)."""
    if args.url is not None:
        return str(args.url), "url"
    if args.data is not None:
        return str(args.data).strip(), "data"
    if args.json_file is not None:
        text = Path(args.json_file).read_text(encoding="utf-8")
        json.loads(text)
        return text, "json-file"
    raw = Path(args.file).read_bytes()
    if raw.startswith(b"\x89PNG\r\n\x1a\n") or b"<svg" in raw[:256]:
        # The validator unbakes file-like objects itself.
        stream = io.BytesIO(raw)
        stream.name = str(args.file)
        return stream, "baked-image"
    # A text file: a URL, JSON or a compact JWS, like the validator's own string input.
    return raw.decode("utf-8").strip(), "text-file"


def _driver_checks(state: dict[str, Any], guard: NetworkGuard) -> list[str]:
    errors: list[str] = []
    for fetch in guard.fetched:
        status = fetch.get("status")
        if isinstance(status, int) and status >= 400:
            if status == 410:
                errors.append(
                    f"[driver] HTTP 410 Gone from {fetch['url']}: the resource is revoked."
                )
            else:
                errors.append(f"[driver] HTTP {status} from {fetch['url']}.")
    for node in state.get("graph", []):
        types = node.get("type")
        type_list = types if isinstance(types, list) else [types]
        if "Assertion" in type_list and node.get("revoked") is True:
            reason = node.get("revocationReason")
            suffix = f" Reason: {reason}" if reason else ""
            errors.append(
                f"[driver] Assertion {node.get('id')} is revoked (revoked: true).{suffix}"
            )
        verification = node.get("verification")
        if "Assertion" in type_list and isinstance(verification, str):
            verification = next((n for n in state["graph"] if n.get("id") == verification), {})
        if (
            "Assertion" in type_list
            and isinstance(verification, dict)
            and verification.get("type") == "SignedBadge"
            and state.get("input", {}).get("input_type") != "jws"
        ):
            errors.append(
                f"[driver] Assertion {node.get('id')} declares SignedBadge verification but was "
                "not given as a JWS, so no signature was checked."
            )
    for task in state.get("tasks", []):
        if not task.get("complete"):
            errors.append(
                f"[driver] Validator task {task.get('name')} "
                f"(node {task.get('node_id') or task.get('node_path')}) never ran: its "
                f"prerequisites {task.get('prerequisites')} did not complete."
            )
    return errors


def run(args: argparse.Namespace) -> dict[str, Any]:
    _import_validator()
    if not args.upstream:
        fix_rule_queueing()
        fix_revocation_list_arrays()
    guard = NetworkGuard(allow_remote=bool(args.allow_remote))
    guard.install()
    loader = OfflineDocumentLoader(_build_documents(list(args.context)), bool(args.allow_remote))
    jsonld.set_document_loader(loader)
    for shared in (ob_utils.jsonld_use_cache, ob_utils.jsonld_no_cache):
        shared["documentLoader"] = loader  # module-level defaults some tasks fall back on

    options: dict[str, Any] = {
        "include_original_json": False,
        "use_cache": False,
        "cache_backend": None,  # false: fetch tasks use requests.Session, not requests-cache
        "cache_expire_after": 0,
        "jsonld_options": {"documentLoader": loader},
    }
    badge_input, input_kind = _read_input(args)
    recipient_profile = {"email": args.recipient} if args.recipient else None

    driver: dict[str, Any] = {
        "input": input_kind,
        "recipient": args.recipient,
        "upstream": bool(args.upstream),
        "fetched": guard.fetched,
        "documents": loader.loaded,
    }
    if input_kind == "baked-image":
        found = bakery.unbake(badge_input)
        badge_input.seek(0)
        if not found:
            # openbadges would crash here (it reads ValueError.message, gone in Python 3).
            message = "Could not find Open Badges metadata in file."
            return _result(False, [message], [], {}, driver, validator_valid=False)
        driver["baked"] = found

    store = ob_verifier.verification_store(badge_input, recipient_profile, options=options)
    report = ob_verifier.generate_report(store, options=options)
    state = store.get_state()

    messages = report["report"]["messages"]
    errors = [str(m["result"]) for m in messages if m["messageLevel"] == "ERROR"]
    warnings = [str(m["result"]) for m in messages if m["messageLevel"] == "WARNING"]
    validator_valid = bool(report["report"]["valid"])
    driver_errors = [] if args.upstream else _driver_checks(state, guard)
    driver["errors"] = driver_errors
    valid = validator_valid and not driver_errors
    return _result(valid, errors + driver_errors, warnings, report, driver, validator_valid)


def _result(
    valid: bool,
    errors: list[str],
    warnings: list[str],
    report: dict[str, Any],
    driver: dict[str, Any],
    validator_valid: bool,
) -> dict[str, Any]:
    return {
        "valid": valid,
        "errors": errors,
        "warnings": warnings,
        "report": report,
        "validator_valid": validator_valid,
        "driver": driver,
    }


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--url", help="hosted assertion URL")
    source.add_argument("--file", help="baked PNG/SVG, or a text file with a URL, JSON or JWS")
    source.add_argument("--json-file", help="assertion JSON (the validator follows its id)")
    source.add_argument("--data", help="a URL, JSON or compact JWS string")
    parser.add_argument("--recipient", help="expected recipient email (checked against the hash)")
    parser.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="URL=PATH",
        help="serve the JSON-LD document URL from PATH (repeatable)",
    )
    parser.add_argument(
        "--allow-remote", action="store_true", help="allow fetches beyond loopback hosts"
    )
    parser.add_argument(
        "--upstream",
        action="store_true",
        help="openbadges 1.1.2 as it is: no rule-queueing fix, no [driver] checks (still offline)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        result = run(args)
    except Exception as exc:
        crash = f"validate.py: {type(exc).__name__}: {exc}"
        driver = {"traceback": traceback.format_exc()}
        print(json.dumps(_result(False, [crash], [], {}, driver, validator_valid=False)))
        return 2
    print(json.dumps(result, default=str))
    return 0 if result["valid"] else 1


if __name__ == "__main__":
    sys.exit(main())
