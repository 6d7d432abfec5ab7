"""Signing keys and compact JWS for Open Badges (pure: no DB, no network).

Two algorithms only, chosen per badge format:

* ``RS256`` (RSASSA-PKCS1-v1_5 with SHA-256, 2048-bit RSA): the only algorithm
  OB 2.0 signed assertions define, and the minimum OB 3.0 §"JSON Web Token Proof
  Format" requires, so it is the interoperable choice for both.
* ``EdDSA`` (Ed25519): permitted by OB 3.0 VC-JWT ("their use limits
  interoperability"); smaller and faster, but verifiers need not support it (the
  1EdTech validator's VC-JWT check accepts only RS256 and ES256).

``verify_jws`` is deliberately strict: the algorithm is pinned by the caller and
must match the key type (no ``none``, no HMAC, no RS256/EdDSA confusion), base64url
must be canonical and unpadded, and every failure surfaces as ``SignatureError``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, get_args

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

__all__ = [
    "SUPPORTED_ALGORITHMS",
    "Alg",
    "PublicKey",
    "SignatureError",
    "SigningKey",
    "b64url_decode",
    "b64url_encode",
    "jwk_to_public",
    "jws_header",
    "load_key",
    "new_key",
    "sign_jws",
    "verify_jws",
]

Alg = Literal["RS256", "EdDSA"]
SUPPORTED_ALGORITHMS: Final[frozenset[str]] = frozenset(get_args(Alg))

PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey
_PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey

_RSA_BITS: Final = 2048
_MIN_RSA_BITS: Final = 2048  # NIST SP 800-131A floor; smaller keys are refused on verify too.
_ED25519_SIG_LEN: Final = 64
# Bounds the work an untrusted token can cause; badges that embed images as data
# URIs are the largest legitimate tokens and stay far below this.
_MAX_TOKEN_LEN: Final = 4 * 1024 * 1024
_B64URL_RE: Final = re.compile(r"[A-Za-z0-9_-]*")
# JWK members that only a private key has (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2).
_PRIVATE_JWK_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


class SignatureError(ValueError):
    """A JWS could not be verified (malformed, disallowed algorithm, bad key or signature)."""


@dataclass(frozen=True)
class SigningKey:
    """An issuer's signing key. ``kid`` is what verifiers see in the JOSE header.

    For OB 3.0 the ``kid`` should be an HTTPS URL that dereferences to
    ``public_jwk`` (OB 3.0 §"Create the JOSE Header"); the caller chooses it.
    """

    kid: str
    alg: Alg
    # Kept out of repr so a logged key never leaks the secret.
    private_pem: bytes = field(repr=False)
    public_pem: bytes
    public_jwk: dict[str, str]


# --- base64url -------------------------------------------------------------------------


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict inverse of ``b64url_encode``: no padding, no stray characters, canonical bits."""
    if not isinstance(text, str) or _B64URL_RE.fullmatch(text) is None:
        raise SignatureError("invalid base64url: unexpected characters")
    if len(text) % 4 == 1:
        raise SignatureError("invalid base64url: impossible length")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SignatureError("invalid base64url") from exc
    # Non-zero trailing bits would give one value several encodings; refuse them.
    if b64url_encode(data) != text:
        raise SignatureError("invalid base64url: non-canonical encoding")
    return data


def _uint_to_b64(value: int) -> str:
    return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8 or 1, "big"))


# --- keys ------------------------------------------------------------------------------


def _public_jwk(kid: str, alg: Alg, public: PublicKey) -> dict[str, str]:
    if isinstance(public, rsa.RSAPublicKey):
        numbers = public.public_numbers()
        material = {"kty": "RSA", "n": _uint_to_b64(numbers.n), "e": _uint_to_b64(numbers.e)}
    else:
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        material = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    return {**material, "kid": kid, "alg": alg, "use": "sig"}


def _check_alg(alg: str) -> Alg:
    if alg == "RS256":
        return "RS256"
    if alg == "EdDSA":
        return "EdDSA"
    raise ValueError(f"unsupported signing algorithm {alg!r}; use RS256 or EdDSA")


def _build(kid: str, alg: Alg, private: _PrivateKey) -> SigningKey:
    if not kid:
        raise ValueError("kid must be a non-empty string")
    public = private.public_key()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return SigningKey(
        kid=kid,
        alg=alg,
        private_pem=private_pem,
        public_pem=public_pem,
        public_jwk=_public_jwk(kid, alg, public),
    )


def new_key(alg: Alg, kid: str) -> SigningKey:
    """Generate a key: RSA-2048 (e=65537) for RS256, Ed25519 for EdDSA."""
    alg = _check_alg(alg)
    private: _PrivateKey
    if alg == "RS256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)
    else:
        private = ed25519.Ed25519PrivateKey.generate()
    return _build(kid, alg, private)


def load_key(kid: str, alg: Alg, private_pem: bytes) -> SigningKey:
    """Rebuild a ``SigningKey`` from a stored unencrypted PKCS8 PEM; the type must fit ``alg``."""
    alg = _check_alg(alg)
    private = _load_private(bytes(private_pem))
    if alg == "RS256" and not isinstance(private, rsa.RSAPrivateKey):
        raise ValueError("RS256 needs an RSA private key")
    if alg == "EdDSA" and not isinstance(private, ed25519.Ed25519PrivateKey):
        raise ValueError("EdDSA needs an Ed25519 private key")
    if isinstance(private, rsa.RSAPrivateKey) and private.key_size < _MIN_RSA_BITS:
        raise ValueError(f"RSA key too small ({private.key_size} bits; need {_MIN_RSA_BITS})")
    return _build(kid, alg, private)


@functools.lru_cache(maxsize=64)
def _load_private(pem: bytes) -> _PrivateKey:
    # Parsing an RSA PEM costs more than signing; issuers sign many badges with one key.
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:  # TypeError: the PEM is encrypted
        raise ValueError(f"cannot load private key: {exc}") from exc
    if not isinstance(private, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        raise ValueError("only RSA and Ed25519 private keys are supported")
    return private


@functools.lru_cache(maxsize=256)
def _load_public_pem(pem: bytes) -> PublicKey:
    try:
        public = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise SignatureError(f"cannot load public key PEM: {exc}") from exc
    if not isinstance(public, rsa.RSAPublicKey | ed25519.Ed25519PublicKey):
        raise SignatureError("only RSA and Ed25519 public keys are supported")
    return public


def _jwk_str(jwk: Mapping[str, Any], name: str) -> str:
    value = jwk.get(name)
    if not isinstance(value, str) or not value:
        raise SignatureError(f"JWK member {name!r} missing or not a string")
    return value


def jwk_to_public(jwk: Mapping[str, Any]) -> PublicKey:
    """Turn a public JWK (RSA or OKP/Ed25519) into a key object; refuse private or odd keys."""
    if not isinstance(jwk, Mapping):
        raise SignatureError("JWK must be a JSON object")
    leaked = _PRIVATE_JWK_MEMBERS.intersection(jwk)
    if leaked:
        # OB 3.0 §"Create the JOSE Header": the published JWK "MUST never contain d".
        raise SignatureError(f"JWK contains private key members {sorted(leaked)}")
    use = jwk.get("use")
    if use is not None and use != "sig":
        raise SignatureError(f"JWK use is {use!r}, not 'sig'")
    key_ops = jwk.get("key_ops")
    if key_ops is not None and (not isinstance(key_ops, list) or "verify" not in key_ops):
        raise SignatureError("JWK key_ops does not allow 'verify'")
    kty = jwk.get("kty")
    if kty == "RSA":
        n = int.from_bytes(b64url_decode(_jwk_str(jwk, "n")), "big")
        e = int.from_bytes(b64url_decode(_jwk_str(jwk, "e")), "big")
        if n.bit_length() < _MIN_RSA_BITS:
            raise SignatureError(f"RSA key too small ({n.bit_length()} bits)")
        if e < 3 or e % 2 == 0 or e >= n:
            raise SignatureError("RSA public exponent is invalid")
        try:
            return rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError as exc:
            raise SignatureError(f"invalid RSA JWK: {exc}") from exc
    if kty == "OKP":
        if jwk.get("crv") != "Ed25519":
            raise SignatureError(f"unsupported OKP curve {jwk.get('crv')!r}")
        raw = b64url_decode(_jwk_str(jwk, "x"))
        if len(raw) != 32:
            raise SignatureError("Ed25519 JWK x must be 32 bytes")
        try:
            return ed25519.Ed25519PublicKey.from_public_bytes(raw)
        except ValueError as exc:
            raise SignatureError(f"invalid Ed25519 JWK: {exc}") from exc
    raise SignatureError(f"unsupported JWK kty {kty!r}")


# --- JWS -------------------------------------------------------------------------------


def sign_jws(
    payload: dict[str, Any] | bytes,
    key: SigningKey,
    *,
    typ: str | None = None,
    extra_headers: Mapping[str, Any] | None = None,
) -> str:
    """Compact JWS (RFC 7515 §7.1) over ``payload`` (a dict is serialized with orjson)."""
    header: dict[str, Any] = {"alg": key.alg, "kid": key.kid}
    if typ is not None:
        header["typ"] = typ
    for name, value in (extra_headers or {}).items():
        # alg/kid/typ come from the key and ``typ``; crit/b64 would change how the
        # token must be verified, which verify_jws does not support.
        if name in {"alg", "kid", "typ", "crit", "b64"}:
            raise ValueError(f"header {name!r} cannot be set through extra_headers")
        header[name] = value
    body = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    signing_input = f"{b64url_encode(orjson.dumps(header))}.{b64url_encode(body)}"
    private = _load_private(key.private_pem)
    data = signing_input.encode("ascii")
    if isinstance(private, rsa.RSAPrivateKey):
        if key.alg != "RS256":
            raise ValueError("key material is RSA but alg is not RS256")
        signature = private.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        if key.alg != "EdDSA":
            raise ValueError("key material is Ed25519 but alg is not EdDSA")
        signature = private.sign(data)
    return f"{signing_input}.{b64url_encode(signature)}"


def _split(token: object) -> tuple[str, str, str]:
    if not isinstance(token, str):
        raise SignatureError("token must be a string")
    if len(token) > _MAX_TOKEN_LEN:
        raise SignatureError("token too large")
    parts = token.split(".")
    if len(parts) != 3:
        raise SignatureError("not a compact JWS: expected 3 dot-separated parts")
    return parts[0], parts[1], parts[2]


def _parse_header(encoded: str) -> dict[str, Any]:
    raw = b64url_decode(encoded)
    try:
        header = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise SignatureError("JOSE header is not valid JSON") from exc
    if not isinstance(header, dict):
        raise SignatureError("JOSE header must be a JSON object")
    if not isinstance(header.get("alg"), str):
        raise SignatureError("JOSE header has no 'alg'")
    if "kid" in header and not isinstance(header["kid"], str):
        raise SignatureError("JOSE header 'kid' must be a string")
    if "crit" in header:
        # RFC 7515 §4.1.11: we understand no extensions, so a critical one must fail.
        raise SignatureError("JOSE header 'crit' is not supported")
    return header


def jws_header(token: str) -> dict[str, Any]:
    """The JOSE header of ``token`` WITHOUT verifying anything (to pick a key by ``kid``)."""
    try:
        return _parse_header(_split(token)[0])
    except SignatureError:
        raise
    except Exception as exc:  # contract: only SignatureError escapes
        raise SignatureError(f"malformed JWS: {exc}") from exc


def _resolve_key(
    public_key: SigningKey | Mapping[str, Any] | bytes,
) -> tuple[PublicKey, dict[str, Any]]:
    """The key object plus the constraints its container states (alg, kid)."""
    if isinstance(public_key, SigningKey):
        return _load_public_pem(public_key.public_pem), {
            "alg": public_key.alg,
            "kid": public_key.kid,
        }
    if isinstance(public_key, bytes | bytearray):
        return _load_public_pem(bytes(public_key)), {}
    if isinstance(public_key, Mapping):
        constraints = {k: public_key[k] for k in ("alg", "kid") if k in public_key}
        return jwk_to_public(public_key), constraints
    raise SignatureError("public key must be a SigningKey, a JWK dict or PEM bytes")


def verify_jws(
    token: str,
    public_key: SigningKey | Mapping[str, Any] | bytes,
    *,
    algorithms: set[str] | frozenset[str],
) -> tuple[dict[str, Any], bytes]:
    """Verify a compact JWS and return ``(header, payload bytes)``.

    ``algorithms`` is the caller's allow-list; only RS256 and EdDSA are ever
    honoured, and the header's ``alg`` must also fit the key's type (and the
    ``alg``/``kid`` a SigningKey or JWK declares). Raises ``SignatureError`` only.
    """
    try:
        return _verify_jws(token, public_key, algorithms)
    except SignatureError:
        raise
    except Exception as exc:  # contract: only SignatureError escapes
        raise SignatureError(f"JWS verification failed: {type(exc).__name__}") from exc


def _verify_jws(
    token: str,
    public_key: SigningKey | Mapping[str, Any] | bytes,
    algorithms: set[str] | frozenset[str],
) -> tuple[dict[str, Any], bytes]:
    encoded_header, encoded_payload, encoded_signature = _split(token)
    header = _parse_header(encoded_header)
    alg = header["alg"]
    if alg not in SUPPORTED_ALGORITHMS:
        raise SignatureError(f"algorithm {alg!r} is not accepted (only RS256, EdDSA)")
    if alg not in algorithms:
        raise SignatureError(f"algorithm {alg!r} is not in the allowed set")
    key, constraints = _resolve_key(public_key)
    if "alg" in constraints and constraints["alg"] != alg:
        raise SignatureError(f"header alg {alg!r} does not match the key's {constraints['alg']!r}")
    if "kid" in header and "kid" in constraints and constraints["kid"] != header["kid"]:
        raise SignatureError("header kid does not match the key's kid")
    payload = b64url_decode(encoded_payload)
    signature = b64url_decode(encoded_signature)
    data = f"{encoded_header}.{encoded_payload}".encode("ascii")
    try:
        if alg == "RS256":
            if not isinstance(key, rsa.RSAPublicKey):
                raise SignatureError("RS256 needs an RSA key")
            if key.key_size < _MIN_RSA_BITS:
                raise SignatureError(f"RSA key too small ({key.key_size} bits)")
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            if not isinstance(key, ed25519.Ed25519PublicKey):
                raise SignatureError("EdDSA needs an Ed25519 key")
            if len(signature) != _ED25519_SIG_LEN:
                raise SignatureError("Ed25519 signature must be 64 bytes")
            key.verify(signature, data)
    except InvalidSignature as exc:
        raise SignatureError("signature does not verify") from exc
    return header, payload
