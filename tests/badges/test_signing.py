"""JWS signing/verification, cross-checked against the independent PyJWT library."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import jwt
import orjson
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.badges.signing import (
    SignatureError,
    SigningKey,
    b64url_decode,
    b64url_encode,
    jwk_to_public,
    jws_header,
    load_key,
    new_key,
    sign_jws,
    verify_jws,
)

# Module-level keys: hypothesis forbids function-scoped fixtures, and RSA keygen is slow.
RSA_KEY = new_key("RS256", "https://badges.example.org/keys/rsa-1")
ED_KEY = new_key("EdDSA", "https://badges.example.org/keys/ed-1")
KEYS = {"RS256": RSA_KEY, "EdDSA": ED_KEY}
ALL_ALGS = {"RS256", "EdDSA"}
PAYLOAD = {"hello": "world", "n": 1, "nested": {"ok": True}}


def pyjwt_key(key: SigningKey) -> Any:
    """The verification key as PyJWT itself loads it from our published JWK."""
    return jwt.PyJWK(key.public_jwk).key


def forge(header: dict[str, Any], payload: bytes, signature: bytes) -> str:
    return ".".join(
        (b64url_encode(orjson.dumps(header)), b64url_encode(payload), b64url_encode(signature))
    )


@pytest.fixture(params=["RS256", "EdDSA"])
def key(request: pytest.FixtureRequest) -> SigningKey:
    return KEYS[request.param]


# --- keys ------------------------------------------------------------------------------


def test_rsa_key_shape() -> None:
    jwk = RSA_KEY.public_jwk
    assert set(jwk) == {"kty", "n", "e", "kid", "alg", "use"}
    assert (jwk["kty"], jwk["alg"], jwk["use"], jwk["e"]) == ("RSA", "RS256", "sig", "AQAB")
    assert jwk["kid"] == RSA_KEY.kid
    assert len(b64url_decode(jwk["n"])) == 256  # 2048-bit modulus
    assert RSA_KEY.private_pem.startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS8, unencrypted
    assert RSA_KEY.public_pem.startswith(b"-----BEGIN PUBLIC KEY-----")


def test_ed25519_key_shape() -> None:
    jwk = ED_KEY.public_jwk
    assert set(jwk) == {"kty", "crv", "x", "kid", "alg", "use"}
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert len(b64url_decode(jwk["x"])) == 32
    assert ED_KEY.private_pem.startswith(b"-----BEGIN PRIVATE KEY-----")


def test_private_pem_not_in_repr(key: SigningKey) -> None:
    assert "PRIVATE" not in repr(key)


def test_load_key_round_trip(key: SigningKey) -> None:
    loaded = load_key(key.kid, key.alg, key.private_pem)
    assert loaded == key
    token = sign_jws(PAYLOAD, loaded)
    verify_jws(token, key, algorithms={key.alg})


def test_load_key_rejects_mismatched_alg() -> None:
    with pytest.raises(ValueError, match="RSA"):
        load_key("k", "RS256", ED_KEY.private_pem)
    with pytest.raises(ValueError, match="Ed25519"):
        load_key("k", "EdDSA", RSA_KEY.private_pem)


def test_load_key_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        load_key("k", "RS256", b"not a pem")
    with pytest.raises(ValueError, match="unsupported"):
        load_key("k", "HS256", RSA_KEY.private_pem)  # type: ignore[arg-type]
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    small_pem = small.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(ValueError, match="too small"):
        load_key("k", "RS256", small_pem)
    encrypted = small.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    with pytest.raises(ValueError, match="cannot load"):
        load_key("k", "RS256", encrypted)


def test_new_key_rejects_unknown_alg_and_empty_kid() -> None:
    with pytest.raises(ValueError):
        new_key("ES256", "k")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        new_key("EdDSA", "")


# --- our tokens verified by PyJWT ------------------------------------------------------


def test_pyjwt_verifies_our_jws(key: SigningKey) -> None:
    token = sign_jws(PAYLOAD, key, typ="JWT")
    assert jwt.get_unverified_header(token) == {"alg": key.alg, "kid": key.kid, "typ": "JWT"}
    decoded = jwt.decode(token, key=pyjwt_key(key), algorithms=[key.alg])
    assert decoded == PAYLOAD
    # Also from the PEM, a second independent key-loading path.
    assert jwt.decode(token, key=key.public_pem, algorithms=[key.alg]) == PAYLOAD


def test_pyjwt_verifies_bytes_payload(key: SigningKey) -> None:
    token = sign_jws(b"raw \x00 bytes", key)
    assert jwt.PyJWS().decode(token, key=pyjwt_key(key), algorithms=[key.alg]) == b"raw \x00 bytes"


def test_header_contents(key: SigningKey) -> None:
    token = sign_jws(PAYLOAD, key, extra_headers={"cty": "json"})
    assert jws_header(token) == {"alg": key.alg, "kid": key.kid, "cty": "json"}
    for reserved in ("alg", "kid", "typ", "crit", "b64"):
        with pytest.raises(ValueError):
            sign_jws(PAYLOAD, key, extra_headers={reserved: "x"})


def test_our_verifier_round_trip_all_key_forms(key: SigningKey) -> None:
    token = sign_jws(PAYLOAD, key, typ="JWT")
    for form in (key, key.public_jwk, key.public_pem):
        header, payload = verify_jws(token, form, algorithms=ALL_ALGS)
        assert header["alg"] == key.alg
        assert orjson.loads(payload) == PAYLOAD


# --- PyJWT tokens verified by us -------------------------------------------------------


def test_our_verifier_accepts_pyjwt_tokens(key: SigningKey) -> None:
    token = jwt.encode(PAYLOAD, key.private_pem, algorithm=key.alg, headers={"kid": key.kid})
    for form in (key, key.public_jwk, key.public_pem):
        header, payload = verify_jws(token, form, algorithms={key.alg})
        assert header["kid"] == key.kid
        assert orjson.loads(payload) == PAYLOAD
    # Without a kid header the key's own kid is not required.
    bare = jwt.encode(PAYLOAD, key.private_pem, algorithm=key.alg)
    assert orjson.loads(verify_jws(bare, key, algorithms={key.alg})[1]) == PAYLOAD


# --- tampering: rejected by PyJWT AND by us --------------------------------------------


def both_reject(token: str, key: SigningKey) -> SignatureError:
    with pytest.raises(jwt.PyJWTError):
        jwt.decode(token, key=pyjwt_key(key), algorithms=[key.alg])
    with pytest.raises(SignatureError) as ours:
        verify_jws(token, key, algorithms=ALL_ALGS)
    with pytest.raises(SignatureError):
        verify_jws(token, key.public_jwk, algorithms=ALL_ALGS)
    return ours.value


def test_payload_changed_signature_kept(key: SigningKey) -> None:
    header, _, signature = sign_jws(PAYLOAD, key).split(".")
    evil = b64url_encode(orjson.dumps({**PAYLOAD, "hello": "evil"}))
    err = both_reject(f"{header}.{evil}.{signature}", key)
    assert "signature does not verify" in str(err)


def test_signed_by_another_key(key: SigningKey) -> None:
    impostor = new_key(key.alg, key.kid)  # same kid, different key material
    both_reject(sign_jws(PAYLOAD, impostor), key)


def test_alg_none_rejected(key: SigningKey) -> None:
    token = forge({"alg": "none", "kid": key.kid}, orjson.dumps(PAYLOAD), b"")
    err = both_reject(token, key)
    assert "'none'" in str(err)
    with pytest.raises(SignatureError):  # even if a caller foolishly allows it
        verify_jws(token, key, algorithms={"none"})


def test_hs256_with_public_key_as_secret_rejected(key: SigningKey) -> None:
    header = {"alg": "HS256", "kid": key.kid}
    signing_input = f"{b64url_encode(orjson.dumps(header))}.{b64url_encode(orjson.dumps(PAYLOAD))}"
    mac = hmac.new(key.public_pem, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64url_encode(mac)}"
    both_reject(token, key)
    for form in (key, key.public_jwk, key.public_pem):
        with pytest.raises(SignatureError, match="HS256"):
            verify_jws(token, form, algorithms={"HS256", "RS256", "EdDSA"})


def test_alg_swapped_between_key_types() -> None:
    # An EdDSA-signed token relabelled RS256 (and the reverse) must never verify.
    for signer, other_alg in ((ED_KEY, "RS256"), (RSA_KEY, "EdDSA")):
        _, body, sig = sign_jws(PAYLOAD, signer).split(".")
        relabelled = f"{b64url_encode(orjson.dumps({'alg': other_alg}))}.{body}.{sig}"
        with pytest.raises(SignatureError, match="does not match"):
            verify_jws(relabelled, signer, algorithms=ALL_ALGS)
        jwk_without_alg = {k: v for k, v in signer.public_jwk.items() if k != "alg"}
        with pytest.raises(SignatureError, match="needs an"):
            verify_jws(relabelled, jwk_without_alg, algorithms=ALL_ALGS)
        with pytest.raises(SignatureError):
            verify_jws(relabelled, signer.public_pem, algorithms=ALL_ALGS)


def test_alg_not_in_allowed_set(key: SigningKey) -> None:
    token = sign_jws(PAYLOAD, key)
    other = ({"RS256", "EdDSA"} - {key.alg}).pop()
    with pytest.raises(SignatureError, match="not in the allowed set"):
        verify_jws(token, key, algorithms={other})


def test_kid_mismatch_rejected(key: SigningKey) -> None:
    token = sign_jws(PAYLOAD, key)
    renamed = load_key("https://badges.example.org/keys/other", key.alg, key.private_pem)
    with pytest.raises(SignatureError, match="kid"):
        verify_jws(token, renamed, algorithms=ALL_ALGS)


def test_non_canonical_base64_rejected() -> None:
    token = sign_jws(PAYLOAD, ED_KEY)
    head, body, sig = token.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(sig[-1])
    assert last & 0b1111 == 0  # 64-byte signature: 4 unused low bits
    twin = f"{head}.{body}.{sig[:-1]}{alphabet[last | 1]}"
    with pytest.raises(SignatureError, match="non-canonical"):
        verify_jws(twin, ED_KEY, algorithms=ALL_ALGS)


GOOD = sign_jws(PAYLOAD, RSA_KEY)
H, P, S = GOOD.split(".")
NOT_JSON = b64url_encode(b"not json")
ARRAY = b64url_encode(b"[1,2]")
EMPTY = b64url_encode(b"{}")
ALG_INT = b64url_encode(b'{"alg":1}')
KID_INT = b64url_encode(b'{"alg":"RS256","kid":5}')
SHORT = b64url_encode(b"short")
CRIT = b64url_encode(b'{"alg":"RS256","crit":["exp"],"exp":1}')


@pytest.mark.parametrize(
    "token",
    [
        "",
        "a.b",
        f"{H}.{P}.{S}.x",
        f"{H}.{P}",
        f"{H}=.{P}.{S}",
        f"{H}.{P}.{S}==",
        f"{H}.{P} .{S}",
        f"{H}.{P}.{S}\n",
        f"{H}.{P}.+{S[1:]}",
        f"é.{P}.{S}",
        f"{NOT_JSON}.{P}.{S}",
        f"{ARRAY}.{P}.{S}",
        f"{EMPTY}.{P}.{S}",
        f"{ALG_INT}.{P}.{S}",
        f"{KID_INT}.{P}.{S}",
        f"{CRIT}.{P}.{S}",
        f"{H}.{P}.{SHORT}",
        "x" * (4 * 1024 * 1024 + 1),
    ],
)
def test_malformed_tokens(token: str) -> None:
    with pytest.raises(SignatureError):
        verify_jws(token, RSA_KEY, algorithms=ALL_ALGS)


@pytest.mark.parametrize("token", [None, 42, GOOD.encode(), ["a", "b", "c"]])
def test_non_string_tokens(token: Any) -> None:
    with pytest.raises(SignatureError, match="string"):
        verify_jws(token, RSA_KEY, algorithms=ALL_ALGS)


@pytest.mark.parametrize(
    "jwk",
    [
        {**RSA_KEY.public_jwk, "d": "AQAB"},  # private key material
        {**RSA_KEY.public_jwk, "use": "enc"},
        {**RSA_KEY.public_jwk, "key_ops": ["encrypt"]},
        {**RSA_KEY.public_jwk, "kty": "EC"},
        {**RSA_KEY.public_jwk, "n": b64url_encode(b"\x01" * 64)},  # 512-bit modulus
        {**RSA_KEY.public_jwk, "e": "Ag"},  # even exponent
        {**RSA_KEY.public_jwk, "n": 5},
        {k: v for k, v in RSA_KEY.public_jwk.items() if k != "n"},
        {**ED_KEY.public_jwk, "crv": "Ed448"},
        {**ED_KEY.public_jwk, "x": b64url_encode(b"\x00" * 31)},
        {"kty": "oct", "k": "c2VjcmV0"},
        [],
        "jwk",
    ],
)
def test_bad_jwks_rejected(jwk: Any) -> None:
    with pytest.raises(SignatureError):
        jwk_to_public(jwk)
    with pytest.raises(SignatureError):
        verify_jws(GOOD, jwk, algorithms=ALL_ALGS)


@pytest.mark.parametrize("bad_key", [b"garbage", b"", 12, None, ED_KEY.private_pem])
def test_bad_key_arguments(bad_key: Any) -> None:
    with pytest.raises(SignatureError):
        verify_jws(GOOD, bad_key, algorithms=ALL_ALGS)


# --- fuzzing: nothing but SignatureError may escape ------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
HEADERS = st.fixed_dictionaries(
    {"alg": st.sampled_from(["RS256", "EdDSA", "none", "HS256", "ES256", "", "rs256"])},
    optional={
        "kid": st.one_of(
            st.text(max_size=10),
            st.integers(min_value=-(2**53), max_value=2**53),
            st.just(RSA_KEY.kid),
        ),
        "crit": JSON,
        "typ": JSON,
        "jwk": JSON,
        "b64": st.booleans(),
    },
)
KEY_FORMS = st.sampled_from(
    [RSA_KEY, ED_KEY, RSA_KEY.public_jwk, ED_KEY.public_jwk, RSA_KEY.public_pem, ED_KEY.public_pem]
)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def only_signature_error(token: Any, public_key: Any, algorithms: set[str] = ALL_ALGS) -> None:
    try:
        verify_jws(token, public_key, algorithms=algorithms)
    except SignatureError:
        pass


@FUZZ
@given(token=st.text(max_size=300), public_key=KEY_FORMS)
def test_fuzz_text_tokens(token: str, public_key: Any) -> None:
    only_signature_error(token, public_key)


@FUZZ
@given(
    header=st.one_of(HEADERS, JSON),
    payload=st.binary(max_size=64),
    signature=st.one_of(st.binary(max_size=300), st.just(b"\x00" * 64), st.just(b"\x00" * 256)),
    public_key=KEY_FORMS,
    algorithms=st.sets(st.sampled_from(["RS256", "EdDSA", "none", "HS256"])),
)
def test_fuzz_structured_tokens(
    header: Any, payload: bytes, signature: bytes, public_key: Any, algorithms: set[str]
) -> None:
    token = (
        f"{b64url_encode(orjson.dumps(header))}.{b64url_encode(payload)}.{b64url_encode(signature)}"
    )
    only_signature_error(token, public_key, algorithms)


@FUZZ
@given(
    jwk=st.dictionaries(
        st.sampled_from(["kty", "n", "e", "crv", "x", "d", "use", "alg", "kid", "key_ops"]),
        st.one_of(
            st.sampled_from(["RSA", "OKP", "Ed25519", "sig", "RS256", "EdDSA", "AQAB", ""]),
            st.text(max_size=12),
            st.integers(),
            st.none(),
            st.lists(st.text(max_size=5), max_size=3),
            st.just(RSA_KEY.public_jwk["n"]),
            st.just(ED_KEY.public_jwk["x"]),
        ),
    ),
    token=st.sampled_from([GOOD, sign_jws(PAYLOAD, ED_KEY)]),
)
def test_fuzz_jwks(jwk: dict[str, Any], token: str) -> None:
    only_signature_error(token, jwk)


@FUZZ
@given(
    pem=st.one_of(
        st.binary(max_size=200),
        st.builds(lambda b: b"-----BEGIN PUBLIC KEY-----\n" + b, st.binary(max_size=100)),
    )
)
def test_fuzz_pem(pem: bytes) -> None:
    only_signature_error(GOOD, pem)


@FUZZ
@given(token=st.text(max_size=200))
def test_fuzz_jws_header(token: str) -> None:
    try:
        jws_header(token)
    except SignatureError:
        pass
