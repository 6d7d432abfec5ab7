"""Verify an Open Badge from anywhere: a learner importing it into their backpack, the public
verify page and ``citylearn badges verify`` all call :func:`verify`.

The input is a baked PNG or SVG (bytes), or text: a URL, a compact JWS / VC-JWT, badge JSON or
an SVG document. Whatever it is, the answer is a :class:`Verification`; nothing raises. Every
problem (not a badge, bad JSON, a host that is unreachable, slow or private, an answer that is
too large, a bad signature) is a failed :class:`Check` with a sentence a person can act on.
Every fetch goes through ``partners.fetch``: size limit, time limit, no private or loopback
addresses unless the ``Limits`` allow them, on every redirect too.

The checks, in the order they run (a failure that leaves nothing to check stops the rest):

``parse``
    What the input is: a PNG or SVG with an ``openbadges`` (OB 2.0) or
    ``openbadgecredential`` (OB 3.0) bake, a URL, a JWS, OB 2.0 Assertion or OB 3.0
    credential JSON.
``fetch``
    (URL input) the URL answers; what it answers decides the rest.
``fetch assertion``
    (OB 2.0 hosted) the assertion URL answers JSON; 410 Gone means revoked.
``fetch key``
    (signed) the key the signature names: OB 2.0 ``verification.creator`` (a
    CryptographicKey with ``publicKeyPem``); OB 3.0 the JOSE ``kid`` URL (a JWK or a JWK Set).
``signature``
    (signed) the JWS verifies with that key (OB 2.0: RS256 only; OB 3.0: RS256 or EdDSA).
    OB 3.0 JSON with an embedded ``proof`` (Data Integrity) fails here: it is not checked.
``assertion``
    (OB 2.0) the required fields are there; a hosted assertion's ``id`` is the URL it came
    from.
``badge class`` / ``issuer``
    (OB 2.0) the BadgeClass (``badge``) and Issuer (``badge.issuer``) are fetched, have their
    required fields, and name themselves by the URL they came from.
``origin``
    (OB 2.0 hosted) the assertion is hosted on the issuer's origin (or one the issuer's
    ``verification.allowedOrigins`` / ``startsWith`` allows): another site cannot host
    assertions in an issuer's name.
``signing key``
    (OB 2.0 signed) the issuer's ``publicKey`` lists the key, and the key's ``owner`` is the
    issuer.
``issuer key``
    (OB 3.0) the key is the issuer's: published on the issuer's origin, or listed in the
    issuer's JWK Set (profile ``jwks_uri`` or ``/.well-known/jwks.json``).
``credential``
    (OB 3.0) an OpenBadgeCredential with an achievement and a recipient whose JWT claims match
    it (``server.badges.ob3.verify_vc_jwt``).
``recipient``
    the badge names one of ``recipient_emails`` (hashed ``sha256$``/``md5$`` with its salt, or
    plain). Passes as "not checked" when no address is given (``recipient_match`` is None).
``revocation``
    OB 2.0: the issuer's ``revocationList`` does not list the assertion (by ``id`` or ``uid``).
    OB 3.0: the ``1EdTechRevocationList`` in ``credentialStatus`` does not list the credential.
``expiry``
    the badge has not expired (OB 2.0 ``expires``, OB 3.0 ``validUntil``/``exp``) and is not
    dated in the future.
``verify``
    only if the verifier itself broke (a bug): reported, never raised.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, NoReturn
from urllib.parse import urlsplit

import httpx
import orjson

from partners import fetch
from server.badges import identity
from server.badges.baking import (
    MAX_PNG_BYTES,
    OB2_KEYWORD,
    OB3_KEYWORD,
    PNG_SIGNATURE,
    BakingError,
    read_svg_bake,
    unbake_png,
)
from server.badges.ob3 import (
    REVOCATION_LIST_TYPE,
    CredentialError,
    unverified_issuer,
    verify_vc_jwt,
)
from server.badges.signing import (
    SUPPORTED_ALGORITHMS,
    SignatureError,
    b64url_decode,
    jws_header,
    verify_jws,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT_SECONDS",
    "MAX_INPUT_BYTES",
    "BadgeSummary",
    "Check",
    "IssuerSummary",
    "Source",
    "Spec",
    "Verification",
    "default_limits",
    "looks_like_jws",
    "verify",
]

Source = bytes | bytearray | memoryview | str
Spec = Literal["ob2", "ob3"]

# Badge documents are a few kB; a baked image fetched from a URL stays well under this.
DEFAULT_MAX_BYTES: Final = 2 * 1024 * 1024
DEFAULT_TIMEOUT_SECONDS: Final = 10.0
# One verification fetches at most: assertion, badge class, issuer, key, revocation list, and
# for OB 3.0 a profile and a JWK Set. The cap bounds what a hostile badge can make us fetch.
MAX_FETCHES: Final = 10
MAX_INPUT_BYTES: Final = MAX_PNG_BYTES
LEEWAY: Final = timedelta(seconds=60)  # clock skew tolerated on issuedOn / validFrom

USER_AGENT: Final = "CityLearn badge verifier (+https://citylearn.example/badges)"
ACCEPT: Final = "application/ld+json, application/json;q=0.9, */*;q=0.8"

_JWS: Final = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_JWT_CLAIMS: Final = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
_OB3_TYPES: Final = frozenset(
    {"VerifiableCredential", "OpenBadgeCredential", "AchievementCredential"}
)
_ENVELOPED_JWT: Final = "data:application/vc+jwt,"
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def looks_like_jws(text: str) -> bool:
    """Three base64url segments: a compact JWS or VC-JWT (nothing is decoded)."""
    return _JWS.fullmatch(text.strip()) is not None


def default_limits(
    *,
    allow_private: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
) -> fetch.Limits:
    """Limits for badge fetches: small, quick, no retries (a person is waiting)."""
    return fetch.Limits(
        max_bytes=max_bytes,
        timeout_seconds=timeout_seconds,
        allow_private=allow_private,
        retries=0,
    )


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class BadgeSummary:
    name: str | None = None
    description: str | None = None
    image: str | None = None
    criteria_url: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class IssuerSummary:
    name: str | None = None
    url: str | None = None
    id: str | None = None


@dataclass
class Verification:
    """What :func:`verify` found. ``valid`` only when every check passed."""

    valid: bool = False
    spec: Spec | None = None
    # What the input was: "png", "svg", "url", "jws", "json" (or None when unrecognised).
    kind: str | None = None
    checks: list[Check] = field(default_factory=list)
    revoked: bool = False
    expired: bool = False
    recipient_match: bool | None = None
    badge: BadgeSummary | None = None
    issuer: IssuerSummary | None = None
    issued_on: datetime | None = None
    expires_at: datetime | None = None
    document: dict[str, Any] | None = None

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    def to_json(self) -> dict[str, Any]:
        def moment(value: datetime | None) -> str | None:
            return None if value is None else value.astimezone(UTC).isoformat()

        return {
            "valid": self.valid,
            "spec": self.spec,
            "kind": self.kind,
            "revoked": self.revoked,
            "expired": self.expired,
            "recipient_match": self.recipient_match,
            "badge": None if self.badge is None else dataclasses.asdict(self.badge),
            "issuer": None if self.issuer is None else dataclasses.asdict(self.issuer),
            "issued_on": moment(self.issued_on),
            "expires_at": moment(self.expires_at),
            "checks": [
                {"name": c.name, "passed": c.passed, "detail": c.detail} for c in self.checks
            ],
            "document": self.document,
        }


# --------------------------------------------------------------------------- helpers


class _Stop(Exception):
    """A check failed and nothing after it can run."""


class _FetchFailed(Exception):
    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class _Url:
    url: str


@dataclass(frozen=True)
class _Token:
    token: str
    header: dict[str, Any]
    claims: dict[str, Any]
    spec: Spec


@dataclass(frozen=True)
class _Json:
    document: dict[str, Any]
    spec: Spec


_Payload = _Url | _Token | _Json


class _NotBadge(Exception):
    """The input is not something this module can verify; the message says why."""


def _is_http(value: object) -> bool:
    if not isinstance(value, str) or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _origin(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.hostname.lower()}:{port}"


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _id_of(value: object) -> str | None:
    """A JSON-LD node's id: the string itself, or its ``id`` / ``@id``."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for key in ("id", "@id"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return None


def _types(document: Mapping[str, Any]) -> set[str]:
    raw = document.get("type", document.get("@type"))
    values = raw if isinstance(raw, list) else [raw]
    # Expanded IRIs ("https://w3id.org/openbadges#Assertion") count as their last segment.
    return {re.split(r"[#/:]", v)[-1] for v in values if isinstance(v, str)}


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
        if moment.tzinfo is None:  # OB requires a zone; a bare date or time is read as UTC
            moment = moment.replace(tzinfo=UTC)
        moment.astimezone(UTC)  # OverflowError at the ends of the calendar
    except (ValueError, OverflowError):
        return None
    return moment


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _json_object(body: bytes | str) -> dict[str, Any] | None:
    try:
        value = orjson.loads(body)
    except (orjson.JSONDecodeError, UnicodeError, TypeError):  # lone surrogates, too deep
        return None
    return value if isinstance(value, dict) else None


def _is_ob3(document: Mapping[str, Any]) -> bool:
    contexts = document.get("@context")
    listed = contexts if isinstance(contexts, list) else [contexts]
    return bool(_OB3_TYPES & _types(document)) or any(
        isinstance(c, str) and ("/ob/v3p0/" in c or "/ns/credentials/" in c) for c in listed
    )


def _is_ob2(document: Mapping[str, Any]) -> bool:
    return "Assertion" in _types(document) or ("recipient" in document and "badge" in document)


def _classify(text: str) -> _Payload:
    """A URL, a JWS / VC-JWT or badge JSON; raises _NotBadge otherwise."""
    value = text.strip()
    if not value:
        raise _NotBadge("the input is empty")
    if value[:8].lower().startswith(("http://", "https://")):
        if not _is_http(value):
            raise _NotBadge("it starts like a URL but is not a valid http(s) address")
        return _Url(value)
    if value.startswith("{"):
        document = _json_object(value)
        if document is None:
            raise _NotBadge("it starts like JSON but is not a valid JSON object")
        if _is_ob3(document):
            return _Json(document, "ob3")
        if _is_ob2(document):
            return _Json(document, "ob2")
        raise _NotBadge(
            "it is JSON, but neither an Open Badges 2.0 Assertion nor an Open Badges 3.0 "
            "credential (no such type, no recipient and badge)"
        )
    if _JWS.fullmatch(value):
        try:
            header = jws_header(value)
            claims = orjson.loads(b64url_decode(value.split(".")[1]))
        except (SignatureError, orjson.JSONDecodeError) as exc:
            raise _NotBadge(f"it looks like a JWS but cannot be read ({exc})") from None
        if not isinstance(claims, dict):
            raise _NotBadge("it is a JWS whose payload is not a JSON object")
        if isinstance(claims.get("vc"), dict) or _is_ob3(claims):
            return _Token(value, header, claims, "ob3")
        if _is_ob2(claims):
            return _Token(value, header, claims, "ob2")
        raise _NotBadge(
            "it is a JWS, but its payload is not an Open Badges assertion or credential"
        )
    raise _NotBadge(
        "expected a baked PNG or SVG badge, an assertion URL, a JWS / VC-JWT or badge JSON"
    )


def _describe(payload: _Payload) -> str:
    if isinstance(payload, _Url):
        return f"an assertion URL ({payload.url})"
    if isinstance(payload, _Token):
        return (
            "a signed Open Badges 2.0 assertion (JWS)"
            if payload.spec == "ob2"
            else "an Open Badges 3.0 credential (VC-JWT)"
        )
    return (
        "Open Badges 2.0 assertion JSON"
        if payload.spec == "ob2"
        else "Open Badges 3.0 credential JSON"
    )


def _fetch_reason(exc: fetch.FetchError) -> str:
    # partners.fetch words its errors for feeds; say the same thing about badge documents.
    return exc.reason.replace("feeds must be public", "only public addresses are fetched").replace(
        "the feed is larger", "the answer is larger"
    )


def _badge_summary(document: Mapping[str, Any]) -> BadgeSummary:
    criteria = document.get("criteria")
    return BadgeSummary(
        name=_text(document.get("name")),
        description=_text(document.get("description")),
        image=_id_of(document.get("image")),
        criteria_url=criteria if isinstance(criteria, str) else _text(_id_of(criteria)),
        id=_id_of(document),
    )


def _issuer_summary(value: object) -> IssuerSummary:
    if isinstance(value, Mapping):
        return IssuerSummary(_text(value.get("name")), _text(value.get("url")), _id_of(value))
    return IssuerSummary(id=value if isinstance(value, str) else None)


def _same_key(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    members = ("kty", "n", "e") if a.get("kty") == "RSA" else ("kty", "crv", "x")
    return all(a.get(m) is not None and a.get(m) == b.get(m) for m in members)


# --------------------------------------------------------------------------- the run


class _Run:
    def __init__(self, limits: fetch.Limits, emails: Sequence[str], now: datetime) -> None:
        self.limits = limits
        self.emails = [e.strip() for e in emails if isinstance(e, str) and e.strip()]
        self.now = now
        self.result = Verification()
        self._http: httpx.AsyncClient | None = None
        self._cache: dict[str, fetch.Fetched | _FetchFailed] = {}
        self._fetches = 0

    # --- bookkeeping

    def ok(self, name: str, detail: str) -> None:
        self.result.checks.append(Check(name, True, detail))

    def fail(self, name: str, detail: str) -> None:
        self.result.checks.append(Check(name, False, detail))

    def stop(self, name: str, detail: str) -> NoReturn:
        self.fail(name, detail)
        raise _Stop

    def finish(self) -> Verification:
        result = self.result
        result.valid = (
            bool(result.checks)
            and all(check.passed for check in result.checks)
            and not result.revoked
            and not result.expired
            and result.recipient_match is not False
        )
        return result

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    # --- fetching

    async def get(self, url: str) -> fetch.Fetched:
        """Fetch through partners.fetch (guarded, bounded); raises _FetchFailed."""
        cached = self._cache.get(url)
        if isinstance(cached, _FetchFailed):
            raise cached
        if cached is not None:
            return cached
        if self._fetches >= MAX_FETCHES:
            raise _FetchFailed(f"more than {MAX_FETCHES} documents would have to be fetched")
        self._fetches += 1
        if self._http is None:
            self._http = fetch.client(self.limits)
            self._http.headers["User-Agent"] = USER_AGENT
            self._http.headers["Accept"] = ACCEPT
        try:
            got = await fetch.fetch(self._http, url, self.limits)
        except fetch.FetchError as exc:
            failed = _FetchFailed(_fetch_reason(exc), exc.http_status)
        except Exception as exc:  # the network boundary: httpx.InvalidURL, TooManyRedirects...
            failed = _FetchFailed(f"the address cannot be fetched ({type(exc).__name__})")
        else:
            self._cache[url] = got
            return got
        self._cache[url] = failed
        raise failed

    async def get_json(self, url: str, check: str, what: str) -> tuple[dict[str, Any], str]:
        """``what`` at ``url`` as a JSON object and the URL it finally came from, or stop."""
        try:
            got = await self.get(url)
        except _FetchFailed as exc:
            self.stop(check, f"could not fetch {what} at {url}: {exc.reason}")
        document = _json_object(got.body or b"")
        if document is None:
            self.stop(check, f"{what} at {url} is not a JSON object")
        return document, got.url

    async def try_json(self, url: str) -> dict[str, Any] | None:
        """A JSON object at ``url``, or None: for lookups whose failure is not itself a check."""
        try:
            got = await self.get(url)
        except _FetchFailed:
            return None
        return _json_object(got.body or b"")

    # --- what the input is

    async def source(self, source: object) -> None:
        if isinstance(source, bytes | bytearray | memoryview):
            data = bytes(source)
            if len(data) > MAX_INPUT_BYTES:
                self.stop("parse", f"the input is too large ({len(data)} bytes)")
            if data.startswith(PNG_SIGNATURE):
                await self.png(data)
                return
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.stop(
                    "parse",
                    "not a badge: the bytes are neither a PNG image nor text "
                    "(an SVG image, a URL, a JWS or JSON)",
                )
        elif isinstance(source, str):
            text = source
            if len(text) > MAX_INPUT_BYTES:
                self.stop("parse", f"the input is too large ({len(text)} characters)")
        else:
            self.stop("parse", f"cannot verify a {type(source).__name__}; give bytes or text")
        if text.lstrip().startswith("<"):
            await self.svg(text)
            return
        try:
            payload = _classify(text)
        except _NotBadge as exc:
            self.stop("parse", f"not a badge: {exc}")
        if isinstance(payload, _Url):
            self.result.kind = "url"
            self.ok("parse", f"a URL ({payload.url})")
            await self.url(payload.url)
            return
        self.result.kind = "jws" if isinstance(payload, _Token) else "json"
        self.ok("parse", _describe(payload))
        await self.payload(payload)

    async def png(self, data: bytes) -> None:
        self.result.kind = self.result.kind or "png"
        try:
            baked = unbake_png(data, keyword=OB2_KEYWORD)
            keyword = OB2_KEYWORD
            if baked is None:
                baked, keyword = unbake_png(data, keyword=OB3_KEYWORD), OB3_KEYWORD
        except BakingError as exc:
            self.stop("parse", f"not a readable PNG image: {exc}")
        if baked is None:
            self.stop(
                "parse",
                "the PNG image carries no badge (no 'openbadges' or 'openbadgecredential' "
                "text chunk): it is a plain image, not a baked badge",
            )
        await self.baked(baked, f"a baked PNG image ('{keyword}' chunk) carrying")

    async def svg(self, text: str) -> None:
        self.result.kind = self.result.kind or "svg"
        try:
            bake = read_svg_bake(text)
        except BakingError as exc:
            self.stop("parse", f"not a badge: not a readable SVG image ({exc})")
        if bake is None:
            self.stop(
                "parse",
                "the SVG image carries no badge (no <openbadges:assertion> or "
                "<openbadges:credential> element): it is a plain image, not a baked badge",
            )
        # The verify attribute (URL, JWS, VC-JWT) is what counts; the content is a copy, or
        # for OB 3.0 without verify, the credential itself.
        value = bake.verify or bake.content
        if value is None:
            self.stop("parse", f"the SVG's <openbadges:{bake.element}> element is empty")
        await self.baked(value, f"a baked SVG image (<openbadges:{bake.element}>) carrying")

    async def baked(self, value: str, container: str) -> None:
        try:
            payload = _classify(value)
        except _NotBadge as exc:
            self.stop("parse", f"{container} something that is not a badge: {exc}")
        self.ok("parse", f"{container} {_describe(payload)}")
        await self.payload(payload)

    async def payload(self, payload: _Payload) -> None:
        if isinstance(payload, _Url):
            await self.hosted(payload.url)
        elif isinstance(payload, _Token) and payload.spec == "ob2":
            await self.signed(payload)
        elif isinstance(payload, _Token):
            await self.vc_jwt(payload)
        elif payload.spec == "ob2":
            await self.ob2_json(payload.document)
        else:
            await self.ob3_json(payload.document)

    async def url(self, url: str) -> None:
        """A URL: usually a hosted assertion, but a VC-JWT or baked image URL works too."""
        try:
            got = await self.get(url)
        except _FetchFailed as exc:
            if exc.status == 410:  # OB 2.0: a hosted assertion that is gone is revoked
                await self.hosted(url)
                return
            self.stop("fetch", f"could not fetch {url}: {exc.reason}")
        body = got.body or b""
        if body.startswith(PNG_SIGNATURE):
            self.ok("fetch", f"{url} answered a PNG image")
            await self.png(body)
            return
        text = body.decode("utf-8", "replace")
        if text.lstrip().startswith("<"):
            if "<svg" not in text[:4096]:
                self.stop("fetch", f"{url} answered a web page, not a badge")
            self.ok("fetch", f"{url} answered an SVG image")
            await self.svg(text)
            return
        try:
            payload = _classify(text)
        except _NotBadge as exc:
            self.stop("fetch", f"{url} answered something that is not a badge: {exc}")
        if isinstance(payload, _Url):
            self.stop("fetch", f"{url} answered another URL, not a badge")
        if isinstance(payload, _Json) and payload.spec == "ob2":
            self.ok("fetch assertion", f"fetched the hosted assertion at {url}")
            await self.hosted(url, fetched=(payload.document, got.url))
            return
        self.ok("fetch", f"{url} answered {_describe(payload)}")
        await self.payload(payload)

    # --- Open Badges 2.0

    async def ob2_json(self, document: dict[str, Any]) -> None:
        self.result.spec = "ob2"
        self.result.document = document
        kind = _verification_type(document)
        if kind == "signed":
            self.stop(
                "signature",
                "this is a signed assertion, and its JSON alone carries no signature: "
                "verify its JWS (the compact 'xxx.yyy.zzz' form) instead",
            )
        assertion_id = _id_of(document)
        if not _is_http(assertion_id):
            self.stop(
                "assertion",
                "a hosted assertion must have an http(s) id to fetch it from; this one has "
                f"{assertion_id!r}",
            )
        assert assertion_id is not None
        # Hosted verification trusts only what the issuer hosts, never the copy we were given.
        await self.hosted(assertion_id)

    async def hosted(self, url: str, *, fetched: tuple[dict[str, Any], str] | None = None) -> None:
        self.result.spec = "ob2"
        if fetched is None:
            try:
                got = await self.get(url)
            except _FetchFailed as exc:
                if exc.status == 410:
                    self.result.revoked = True
                    self.ok("fetch assertion", f"{url} answered 410 Gone")
                    self.stop("revocation", "the issuer has revoked this assertion (410 Gone)")
                self.stop(
                    "fetch assertion", f"could not fetch the assertion at {url}: {exc.reason}"
                )
            document = _json_object(got.body or b"")
            if document is None:
                self.stop("fetch assertion", f"the assertion at {url} is not a JSON object")
            final = got.url
            self.ok("fetch assertion", f"fetched the hosted assertion at {url}")
        else:
            document, final = fetched
        self.result.document = document
        if document.get("revoked") is True:
            self.result.revoked = True
            reason = _text(document.get("revocationReason"))
            self.stop(
                "revocation",
                "the issuer has revoked this assertion" + (f": {reason}" if reason else ""),
            )
        self.assertion_fields(document)
        if _verification_type(document) == "signed":
            self.stop(
                "assertion",
                "the hosted document says it is a signed badge: verify its JWS instead",
            )
        if _id_of(document) not in (url, final):
            self.stop(
                "assertion",
                f"the assertion's id ({_id_of(document)}) is not the URL it was fetched from "
                f"({url}): a hosted assertion must live at its id",
            )
        self.ok("assertion", "an Open Badges 2.0 Assertion with the required fields (hosted)")
        issuer = await self.badge_and_issuer(document)
        self.check_origin(_id_of(document) or url, issuer)
        await self.ob2_status(document, issuer)

    def assertion_fields(self, document: Mapping[str, Any]) -> None:
        missing = []
        if "Assertion" not in _types(document):
            missing.append("type Assertion")
        if not _id_of(document):
            missing.append("id")
        recipient = document.get("recipient")
        if not isinstance(recipient, Mapping) or not isinstance(recipient.get("identity"), str):
            missing.append("recipient.identity")
        if _id_of(document.get("badge")) is None:
            missing.append("badge")
        if not isinstance(document.get("verification"), Mapping):
            missing.append("verification")
        issued_on = _time(document.get("issuedOn"))
        if issued_on is None:
            missing.append("issuedOn (a date-time)")
        if missing:
            self.stop("assertion", "the assertion lacks " + ", ".join(missing))
        self.result.issued_on = issued_on
        if "expires" in document:
            self.result.expires_at = _time(document.get("expires"))

    async def badge_and_issuer(self, assertion: Mapping[str, Any]) -> dict[str, Any]:
        """Fetch (or take the embedded) BadgeClass and Issuer; the Issuer document."""
        badge = await self.node(assertion.get("badge"), "badge class", "the badge class")
        missing = [
            name
            for name in ("name", "description", "image", "criteria", "issuer")
            if not badge.get(name)
        ]
        if "BadgeClass" not in _types(badge):
            missing.insert(0, "type BadgeClass")
        if missing:
            self.stop("badge class", "the badge class lacks " + ", ".join(missing))
        self.result.badge = _badge_summary(badge)
        self.ok("badge class", f"'{self.result.badge.name}' ({self.result.badge.id})")

        issuer = await self.node(badge.get("issuer"), "issuer", "the issuer")
        missing = [name for name in ("id", "name", "url") if not issuer.get(name)]
        if not _types(issuer) & {"Issuer", "Profile"}:
            missing.insert(0, "type Issuer")
        if missing:
            self.stop("issuer", "the issuer profile lacks " + ", ".join(missing))
        self.result.issuer = _issuer_summary(issuer)
        self.ok("issuer", f"'{self.result.issuer.name}' ({self.result.issuer.id})")
        return issuer

    async def node(self, value: object, check: str, what: str) -> dict[str, Any]:
        """An OB 2.0 reference: fetch it by its URL, or take the embedded object."""
        if isinstance(value, dict):
            return value
        if not _is_http(value):
            self.stop(check, f"{what} is neither an http(s) URL nor an embedded object")
        assert isinstance(value, str)
        document, final = await self.get_json(value, check, what)
        if _id_of(document) not in (value, final):
            # A document that calls itself something else could be posing as another.
            self.stop(
                check, f"{what} at {value} names itself {_id_of(document)!r}, not its own URL"
            )
        return document

    def check_origin(self, assertion_id: str, issuer: Mapping[str, Any]) -> None:
        issuer_id = _id_of(issuer) or ""
        verification = issuer.get("verification")
        rules = verification if isinstance(verification, Mapping) else {}
        allowed = rules.get("allowedOrigins")
        starts = rules.get("startsWith")
        host = (urlsplit(assertion_id).hostname or "").lower()
        if allowed or starts:
            # The issuer's own VerificationObject says where its assertions may live.
            hosts = [allowed] if isinstance(allowed, str) else list(allowed or [])
            prefixes = [starts] if isinstance(starts, str) else list(starts or [])
            if any(isinstance(h, str) and h.lower() == host for h in hosts) or any(
                isinstance(p, str) and assertion_id.startswith(p) for p in prefixes
            ):
                self.ok("origin", f"the issuer's verification rules allow assertions on {host}")
                return
            self.fail(
                "origin",
                f"the assertion is hosted on {host}, which the issuer's verification rules "
                "(allowedOrigins / startsWith) do not allow",
            )
            return
        mine, theirs = _origin(assertion_id), _origin(issuer_id)
        if mine is not None and mine == theirs:
            self.ok("origin", f"the assertion is hosted on the issuer's origin ({mine})")
            return
        self.fail(
            "origin",
            f"the assertion is hosted on {mine} but the issuer's id is on {theirs}: OB 2.0 "
            "hosted verification requires the same origin (another site cannot host badges "
            "in an issuer's name)",
        )

    async def ob2_status(self, assertion: Mapping[str, Any], issuer: Mapping[str, Any]) -> None:
        self.ob2_recipient(assertion)
        await self.ob2_revocation(assertion, issuer)
        self.check_expiry(raw_expiry=assertion.get("expires"))

    def ob2_recipient(self, assertion: Mapping[str, Any]) -> None:
        recipient = assertion.get("recipient")
        assert isinstance(recipient, Mapping)
        if not self.emails:
            self.ok("recipient", "not checked: no email address was given")
            return
        kind = recipient.get("type", "email")
        if kind != "email":
            self.result.recipient_match = False
            self.fail("recipient", f"the badge names its recipient by {kind!r}, not by email")
            return
        salt = recipient.get("salt")
        hashed = recipient.get("hashed")
        found = _match(
            str(recipient["identity"]),
            self.emails,
            salt if isinstance(salt, str) else None,
            hashed=hashed is not False,
        )
        self.recipient_result(found)

    def recipient_result(self, found: str | None) -> None:
        self.result.recipient_match = found is not None
        if found is not None:
            self.ok("recipient", f"the badge was awarded to {found}")
        else:
            given = "this address" if len(self.emails) == 1 else "any of these addresses"
            self.fail("recipient", f"the badge was not awarded to {given}")

    async def ob2_revocation(self, assertion: Mapping[str, Any], issuer: Mapping[str, Any]) -> None:
        list_url = issuer.get("revocationList")
        if list_url is None:
            self.ok("revocation", "the issuer publishes no revocation list")
            return
        if not _is_http(list_url):
            self.fail("revocation", "the issuer's revocationList is not an http(s) URL")
            return
        assert isinstance(list_url, str)
        try:
            document, _ = await self.get_json(list_url, "revocation", "the revocation list")
        except _Stop:
            return  # recorded; expiry can still be checked
        entries = document.get("revokedAssertions", [])
        if not isinstance(entries, list):
            self.fail("revocation", f"the revocation list at {list_url} is malformed")
            return
        ids = {value for value in (_id_of(assertion), assertion.get("uid")) if value}
        for value in list(ids):
            if isinstance(value, str) and value.startswith("urn:uuid:"):
                ids.add(value.removeprefix("urn:uuid:"))
        for entry in entries:
            names = {entry} if isinstance(entry, str) else set()
            if isinstance(entry, Mapping):
                names = {v for v in (entry.get("id"), entry.get("uid")) if isinstance(v, str)}
            if names & ids:
                self.result.revoked = True
                reason = (
                    _text(entry.get("revocationReason")) if isinstance(entry, Mapping) else None
                )
                self.fail(
                    "revocation",
                    "the issuer's revocation list lists this assertion"
                    + (f": {reason}" if reason else ""),
                )
                return
        self.ok("revocation", f"not in the issuer's revocation list ({list_url})")

    def check_expiry(self, *, raw_expiry: object = None) -> None:
        issued, expires = self.result.issued_on, self.result.expires_at
        if raw_expiry is not None and expires is None:
            self.fail("expiry", "the expiry date cannot be read")
            return
        if expires is not None and expires <= self.now:
            self.result.expired = True
            self.fail("expiry", f"the badge expired on {_when(expires)}")
            return
        if issued is not None and issued > self.now + LEEWAY:
            self.fail("expiry", f"the badge is dated in the future ({_when(issued)})")
            return
        self.ok(
            "expiry",
            "does not expire" if expires is None else f"valid until {_when(expires)}",
        )

    async def signed(self, payload: _Token) -> None:
        self.result.spec = "ob2"
        self.result.document = payload.claims
        alg = payload.header.get("alg")
        if alg != "RS256":
            self.stop("signature", f"OB 2.0 signed badges use RS256; this one says {alg!r}")
        verification = payload.claims.get("verification")
        creator = verification.get("creator") if isinstance(verification, Mapping) else None
        if not _is_http(creator):
            self.stop(
                "fetch key",
                "the assertion names no key to check its signature with "
                "(verification.creator must be the key's http(s) URL)",
            )
        assert isinstance(creator, str)
        key, key_url = await self.get_json(creator, "fetch key", "the signing key")
        pem = key.get("publicKeyPem")
        if not isinstance(pem, str) or "CryptographicKey" not in _types(key):
            self.stop("fetch key", f"{creator} is not a CryptographicKey with a publicKeyPem")
        if _id_of(key) not in (None, creator, key_url):
            self.stop("fetch key", f"the key at {creator} names itself {_id_of(key)!r}")
        self.ok("fetch key", f"fetched the issuer's public key at {creator}")
        try:
            _, raw = verify_jws(payload.token, pem.encode(), algorithms={"RS256"})
        except SignatureError as exc:
            self.stop("signature", _bad_signature("that key", exc))
        assertion = _json_object(raw)
        if assertion is None:  # cannot differ from what _classify read, but be sure
            self.stop("signature", "the signed payload is not a JSON object")
        self.result.document = assertion
        self.ok("signature", "the RS256 signature verifies with that key")
        self.assertion_fields(assertion)
        self.ok("assertion", "an Open Badges 2.0 Assertion with the required fields (signed)")
        issuer = await self.badge_and_issuer(assertion)
        published = issuer.get("publicKey")
        listed = published if isinstance(published, list) else [published]
        if not {_id_of(item) for item in listed} & {creator, key_url}:
            self.stop(
                "signing key",
                f"the issuer ({_id_of(issuer)}) does not list {creator} among its public keys: "
                "someone else signed this",
            )
        owner = key.get("owner")
        if owner is not None and _id_of(owner) != _id_of(issuer):
            self.stop("signing key", f"the key belongs to {_id_of(owner)}, not to the issuer")
        self.ok("signing key", f"the issuer lists {creator} among its public keys")
        await self.ob2_status(assertion, issuer)

    # --- Open Badges 3.0

    async def vc_jwt(self, payload: _Token) -> None:
        self.result.spec = "ob3"
        token = payload.token
        try:
            issuer_id = unverified_issuer(token)
        except CredentialError as exc:
            self.stop("fetch key", f"the credential names no issuer to find a key for ({exc})")
        jwks, key_url = await self.ob3_keys(payload.header, issuer_id)
        jwk = _pick_jwk(payload.header, jwks)
        if jwk is None:
            self.stop("fetch key", "the issuer's keys do not include the one the token names")
        try:
            verify_jws(token, jwk, algorithms=SUPPORTED_ALGORITHMS)
        except SignatureError as exc:
            self.stop("signature", _bad_signature("the issuer's key", exc))
        self.ok("signature", f"the {payload.header.get('alg')} signature verifies with that key")
        await self.ob3_binding(key_url, jwk, issuer_id)

        ended: CredentialError | None = None
        try:
            credential = verify_vc_jwt(token, jwks, now=self.now)
        except CredentialError as exc:
            if exc.code not in ("expired", "not_yet_valid"):
                self.stop("credential", f"not a valid Open Badges 3.0 credential ({exc})")
            # Only the time checks failed (they come last); the signature was verified above.
            ended, credential = exc, _credential_of(payload.claims)
        self.result.document = credential
        self.ob3_summary(credential)
        self.ok(
            "credential",
            "an OpenBadgeCredential with an achievement and a recipient; its JWT claims match",
        )
        self.ob3_recipient(credential)
        await self.ob3_revocation(credential)
        if ended is not None and ended.code == "expired":
            self.result.expired = True
            when = self.result.expires_at
            self.fail("expiry", "the credential expired" + (f" on {_when(when)}" if when else ""))
        elif ended is not None:
            self.fail("expiry", "the credential is not valid yet (validFrom is in the future)")
        else:
            self.check_expiry()

    async def ob3_keys(
        self, header: Mapping[str, Any], issuer_id: str
    ) -> tuple[dict[str, Any], str | None]:
        """The keys to check a VC-JWT with and the URL of the kid they came from (None: the
        issuer's own JWK Set)."""
        kid = header.get("kid")
        if _is_http(kid):
            assert isinstance(kid, str)
            document, final = await self.get_json(kid, "fetch key", "the signing key")
            if isinstance(document.get("keys"), list):
                keys = [k for k in document["keys"] if isinstance(k, dict)]
                if len(keys) == 1 and not any(k.get("kid") == kid for k in keys):
                    keys = [{**keys[0], "kid": kid}]  # the kid URL is the key's name
                self.ok("fetch key", f"fetched the issuer's JWK Set at {kid}")
                return {"keys": keys}, final
            if isinstance(document.get("kty"), str):
                self.ok("fetch key", f"fetched the issuer's public key (JWK) at {kid}")
                return {"keys": [{**document, "kid": kid}]}, final
            self.stop("fetch key", f"{kid} is neither a JWK nor a JWK Set")
        if isinstance(kid, str) and kid.startswith("did:"):
            self.stop("fetch key", f"the key is a DID ({kid}); DID keys are not supported")
        for url in await self.issuer_jwks_urls(issuer_id):
            jwks = await self.try_json(url)
            if jwks is not None and isinstance(jwks.get("keys"), list):
                self.ok("fetch key", f"fetched the issuer's JWK Set at {url}")
                return jwks, None
        self.stop(
            "fetch key",
            "the token's kid is not a URL and the issuer publishes no JWK Set to look it up in",
        )

    async def issuer_jwks_urls(self, issuer_id: str) -> list[str]:
        """Where the issuer says its keys are: its profile's jwks_uri, then the well-known."""
        if not _is_http(issuer_id):
            return []
        urls = []
        profile = await self.try_json(issuer_id)
        if profile is not None and _is_http(profile.get("jwks_uri")):
            urls.append(str(profile["jwks_uri"]))
        parts = urlsplit(issuer_id)
        urls.append(f"{parts.scheme}://{parts.netloc}/.well-known/jwks.json")
        return urls

    async def ob3_binding(
        self, key_url: str | None, jwk: Mapping[str, Any], issuer_id: str
    ) -> None:
        # Anyone can sign a token that names any issuer; the key must be shown to be theirs.
        if key_url is None:
            self.ok("issuer key", "the key is in the issuer's own JWK Set")
            return
        if _origin(key_url) is not None and _origin(key_url) == _origin(issuer_id):
            self.ok("issuer key", f"the key is published on the issuer's site ({key_url})")
            return
        for url in await self.issuer_jwks_urls(issuer_id):
            document = await self.try_json(url)
            keys = document.get("keys") if document is not None else None
            if isinstance(keys, list) and any(
                isinstance(k, Mapping) and _same_key(jwk, k) for k in keys
            ):
                self.ok("issuer key", f"the issuer's JWK Set ({url}) lists the key")
                return
        self.stop(
            "issuer key",
            f"the key ({key_url}) is not on the issuer's site ({issuer_id}) and the issuer's "
            "JWK Set does not list it: the credential may not come from that issuer",
        )

    def ob3_summary(self, credential: Mapping[str, Any]) -> None:
        subject = credential.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
        if isinstance(achievement, Mapping):
            self.result.badge = _badge_summary(achievement)
        if credential.get("issuer") is not None:
            self.result.issuer = _issuer_summary(credential.get("issuer"))
        self.result.issued_on = _time(credential.get("validFrom") or credential.get("issuanceDate"))
        self.result.expires_at = _time(
            credential.get("validUntil") or credential.get("expirationDate")
        )

    def ob3_recipient(self, credential: Mapping[str, Any]) -> None:
        if not self.emails:
            self.ok("recipient", "not checked: no email address was given")
            return
        subject = credential.get("credentialSubject")
        subject = subject if isinstance(subject, Mapping) else {}
        raw = subject.get("identifier")
        identifiers = raw if isinstance(raw, list) else [raw]
        found: str | None = None
        by_email = False
        for item in identifiers:
            if not isinstance(item, Mapping) or item.get("identityType") != "emailAddress":
                continue
            value = item.get("identityHash")
            if not isinstance(value, str):
                continue
            by_email = True
            salt = item.get("salt")
            found = found or _match(
                value,
                self.emails,
                salt if isinstance(salt, str) else None,
                hashed=item.get("hashed") is not False,
            )
        subject_id = subject.get("id")
        if isinstance(subject_id, str) and subject_id.lower().startswith("mailto:"):
            by_email = True
            found = found or _match(subject_id[7:], self.emails, None, hashed=False)
        if not by_email:
            self.result.recipient_match = False
            self.fail("recipient", "the credential does not name its recipient by email")
            return
        self.recipient_result(found)

    async def ob3_revocation(self, credential: Mapping[str, Any]) -> None:
        status = credential.get("credentialStatus")
        if status is None:
            self.ok("revocation", "the credential names no status list (it cannot be revoked)")
            return
        entries = status if isinstance(status, list) else [status]
        credential_id = _id_of(credential)
        checked: list[str] = []
        for entry in entries:
            if not isinstance(entry, Mapping) or REVOCATION_LIST_TYPE not in _types(entry):
                kind = sorted(_types(entry)) if isinstance(entry, Mapping) else entry
                self.fail(
                    "revocation",
                    f"the status method {kind} is not supported, so whether the credential "
                    "is revoked is unknown",
                )
                return
            list_url = _id_of(entry)
            if not _is_http(list_url):
                self.fail("revocation", "the credential's status list has no http(s) URL")
                return
            assert list_url is not None
            checked.append(list_url)
            try:
                document, _ = await self.get_json(list_url, "revocation", "the revocation list")
            except _Stop:
                return
            revoked = document.get("revokedCredential", document.get("revokedCredentials", []))
            if not isinstance(revoked, list):
                self.fail("revocation", f"the revocation list at {list_url} is malformed")
                return
            for item in revoked:
                if (
                    isinstance(item, Mapping)
                    and _id_of(item) == credential_id
                    and item.get("revoked", True) is not False
                ):
                    self.result.revoked = True
                    reason = _text(item.get("revocationReason"))
                    self.fail(
                        "revocation",
                        "the issuer has revoked this credential"
                        + (f": {reason}" if reason else ""),
                    )
                    return
        if not checked:
            self.ok("revocation", "the credential names no status list (it cannot be revoked)")
            return
        self.ok("revocation", f"not in the issuer's revocation list ({', '.join(checked)})")

    async def ob3_json(self, document: dict[str, Any]) -> None:
        self.result.spec = "ob3"
        enveloped = _id_of(document) or ""
        if "EnvelopedVerifiableCredential" in _types(document) and enveloped.startswith(
            _ENVELOPED_JWT
        ):
            # VCDM 2.0's JSON wrapper around a VC-JWT: verify the token it holds.
            try:
                payload = _classify(enveloped.removeprefix(_ENVELOPED_JWT))
            except _NotBadge as exc:
                self.stop("signature", f"the enveloped credential cannot be read: {exc}")
            if isinstance(payload, _Token) and payload.spec == "ob3":
                await self.vc_jwt(payload)
                return
            self.stop("signature", "the enveloped credential is not an Open Badges 3.0 VC-JWT")
        self.result.document = document
        self.ob3_summary(document)
        proof = document.get("proof")
        if proof:
            proofs = proof if isinstance(proof, list) else [proof]
            suites = sorted(
                {
                    str(p.get("cryptosuite") or p.get("type") or "unknown")
                    for p in proofs
                    if isinstance(p, Mapping)
                }
            ) or ["unknown"]
            self.fail(
                "signature",
                f"the credential carries an embedded proof ({', '.join(suites)}), which this "
                "verifier cannot check (it verifies VC-JWT only): NOT verified. Ask the issuer "
                "for the VC-JWT form",
            )
        else:
            self.fail(
                "signature",
                "the credential JSON has no proof: nothing shows that the issuer made it. "
                "NOT verified",
            )
        # For information only: the result stays not valid whatever these say.
        self.ob3_recipient(document)
        await self.ob3_revocation(document)
        self.check_expiry(raw_expiry=document.get("validUntil"))


def _bad_signature(key: str, exc: SignatureError) -> str:
    if str(exc) == "signature does not verify":
        return f"the signature does not verify with {key}: the content was changed after signing"
    return f"the signature does not verify with {key} ({exc})"


def _verification_type(document: Mapping[str, Any]) -> str:
    verification = document.get("verification")
    kind = verification.get("type") if isinstance(verification, Mapping) else None
    if kind in ("SignedBadge", "signed"):
        return "signed"
    return "hosted"


def _match(
    identity_value: str, emails: Sequence[str], salt: str | None, *, hashed: bool
) -> str | None:
    for email in emails:
        if identity.matches(identity_value, email, salt, hashed=hashed):
            return email
    return None


def _credential_of(claims: Mapping[str, Any]) -> dict[str, Any]:
    vc = claims.get("vc")
    if isinstance(vc, dict):
        return dict(vc)
    return {k: v for k, v in claims.items() if k not in _JWT_CLAIMS}


def _pick_jwk(header: Mapping[str, Any], jwks: Mapping[str, Any]) -> Mapping[str, Any] | None:
    keys = [k for k in jwks.get("keys", []) if isinstance(k, Mapping)]
    kid = header.get("kid")
    embedded = header.get("jwk")
    if isinstance(kid, str):
        matches = [k for k in keys if k.get("kid") == kid]
    elif isinstance(embedded, Mapping):
        matches = [k for k in keys if _same_key(embedded, k)]
    else:
        matches = keys
    return matches[0] if len(matches) == 1 else None


async def verify(
    source: Source,
    *,
    recipient_emails: Sequence[str] = (),
    limits: fetch.Limits,
    now: datetime,
) -> Verification:
    """Verify a badge from anywhere; never raises (every problem is a failed check).

    ``limits``: use :func:`default_limits` (``allow_private`` only for development and
    tests). ``now``: the moment expiry is judged at (timezone-aware; naive means UTC).
    """
    if isinstance(recipient_emails, str):  # a lone address is a Sequence[str] of letters
        recipient_emails = [recipient_emails]
    moment = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    run = _Run(limits, recipient_emails, moment)
    try:
        await run.source(source)
    except _Stop:
        pass
    except Exception as exc:  # contract: a verifier answers, it does not crash
        run.fail("verify", f"the verifier failed unexpectedly ({type(exc).__name__}: {exc})")
    finally:
        await run.close()
    return run.finish()
