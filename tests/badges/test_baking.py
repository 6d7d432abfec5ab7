"""Open Badges baking (server/badges/baking.py): PNG iTXt and SVG elements, OB 2.0 and 3.0.

Pure tests: no database. PNG chunks are re-parsed here with an independent reader so the tests
do not trust the module's own parser, and every malformed input must raise BakingError.
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.badges.baking import (
    MAX_PAYLOAD_BYTES,
    MAX_PNG_BYTES,
    MAX_SVG_BYTES,
    OB2_SVG_NAMESPACE,
    OB3_SVG_NAMESPACE,
    PNG_SIGNATURE,
    BakingError,
    bake_png,
    bake_svg,
    read_png_chunks,
    read_svg_bake,
    unbake_png,
    unbake_svg,
)

OB2 = "openbadges"
OB3 = "openbadgecredential"
URL = "https://citylearn.example/badges/assertions/4b1d6c1e"
JWS = "eyJhbGciOiJFUzI1NiJ9.eyJpZCI6InVybjp1dWlkOjEyMyJ9.c2lnbmF0dXJl"
CREDENTIAL = (
    '{"@context": ["https://www.w3.org/ns/credentials/v2"], '
    '"type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Caf\u00e9 \u2615 <&>"}'
)
SVG_NS = "http://www.w3.org/2000/svg"
FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# --------------------------------------------------------------------------- helpers


def chunk(name: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(name + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + name + data + struct.pack(">I", crc)


def make_png(width: int = 4, height: int = 3, *extra: bytes) -> bytes:
    """A small valid RGBA PNG (a red gradient), with ``extra`` chunks before IDAT."""
    raw = b"".join(
        b"\0" + b"".join(bytes((255, 16 * x, 16 * y, 255)) for x in range(width))
        for y in range(height)
    )
    return (
        PNG_SIGNATURE
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + b"".join(extra)
        + chunk(b"IDAT", zlib.compress(raw)[:10])
        + chunk(b"IDAT", zlib.compress(raw)[10:])
        + chunk(b"IEND", b"")
    )


def parse_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """An independent PNG chunk reader that asserts every length and CRC."""
    assert png[:8] == PNG_SIGNATURE
    pos, out = 8, []
    while pos < len(png):
        (length,) = struct.unpack_from(">I", png, pos)
        name = png[pos + 4 : pos + 8]
        data = png[pos + 8 : pos + 8 + length]
        assert len(data) == length
        (crc,) = struct.unpack_from(">I", png, pos + 8 + length)
        assert crc == zlib.crc32(name + data) & 0xFFFFFFFF, f"bad CRC in {name!r}"
        out.append((name, data))
        pos += 12 + length
    assert pos == len(png)
    assert out[0][0] == b"IHDR" and out[-1][0] == b"IEND"
    return out


def text_chunks(png: bytes, keyword: str) -> list[tuple[bytes, bytes]]:
    key = keyword.encode("latin-1") + b"\0"
    return [
        (name, data)
        for name, data in parse_chunks(png)
        if name in (b"iTXt", b"tEXt", b"zTXt") and data.startswith(key)
    ]


def svg_doc(body: str = '<circle cx="5" cy="5" r="4"/>', attrs: str = "") -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="{SVG_NS}"{attrs}>{body}</svg>\n'


def first_child(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{{{SVG_NS}}}svg"
    return root[0]


# --------------------------------------------------------------------------- PNG


@pytest.mark.parametrize(
    ("keyword", "payload"),
    [(OB2, URL), (OB2, JWS), (OB3, CREDENTIAL), (OB3, JWS)],
)
def test_png_roundtrip(keyword: str, payload: str) -> None:
    baked = bake_png(make_png(), payload, keyword=keyword)
    assert unbake_png(baked, keyword=keyword) == payload
    other = OB3 if keyword == OB2 else OB2
    assert unbake_png(baked, keyword=other) is None


def test_png_itxt_layout_right_after_ihdr() -> None:
    baked = bake_png(make_png(), CREDENTIAL, keyword=OB3)
    chunks = parse_chunks(baked)
    assert [name for name, _ in chunks[:2]] == [b"IHDR", b"iTXt"]
    keyword, rest = chunks[1][1].split(b"\0", 1)
    assert keyword == b"openbadgecredential"
    # compression flag 0, method 0, empty language tag, empty translated keyword, UTF-8 text.
    assert rest[:4] == b"\0\0\0\0"
    assert rest[4:].decode("utf-8") == CREDENTIAL


def test_png_image_is_untouched() -> None:
    original = make_png(5, 4)
    baked = bake_png(make_png(5, 4), URL)
    before, after = parse_chunks(original), parse_chunks(baked)
    assert after[0] == before[0]  # same IHDR
    idat_before = [data for name, data in before if name == b"IDAT"]
    idat_after = [data for name, data in after if name == b"IDAT"]
    assert idat_after == idat_before
    assert len(zlib.decompress(b"".join(idat_after))) == 4 * (1 + 4 * 5)
    assert [name for name, _ in after] == [b"IHDR", b"iTXt", b"IDAT", b"IDAT", b"IEND"]


def test_png_rebake_replaces() -> None:
    png = bake_png(make_png(), URL)
    png = bake_png(png, JWS)
    png = bake_png(png, URL + "/v2")
    assert len(text_chunks(png, OB2)) == 1
    assert unbake_png(png) == URL + "/v2"
    assert len(parse_chunks(png)) == 5


def test_png_rebake_removes_legacy_text_chunks() -> None:
    legacy = chunk(b"tEXt", b"openbadges\0" + URL.encode())
    ztxt = chunk(b"zTXt", b"openbadges\0\0" + zlib.compress(b"old"))
    other = chunk(b"tEXt", b"Software\0citylearn")
    png = make_png(4, 3, legacy, ztxt, other)
    baked = bake_png(png, JWS)
    assert [name for name, _ in text_chunks(baked, OB2)] == [b"iTXt"]
    assert unbake_png(baked) == JWS
    assert (b"tEXt", b"Software\0citylearn") in parse_chunks(baked)


def test_png_both_versions_can_coexist() -> None:
    png = bake_png(bake_png(make_png(), URL, keyword=OB2), CREDENTIAL, keyword=OB3)
    png = bake_png(png, JWS, keyword=OB3)
    assert unbake_png(png, keyword=OB2) == URL
    assert unbake_png(png, keyword=OB3) == JWS
    assert len(text_chunks(png, OB2)) == len(text_chunks(png, OB3)) == 1


def test_png_unbake_absent_is_none() -> None:
    assert unbake_png(make_png()) is None
    assert unbake_png(make_png(4, 3, chunk(b"tEXt", b"Comment\0hello"))) is None


def test_png_unbake_compressed_itxt_and_legacy_chunks() -> None:
    compressed = b"openbadges\0\x01\x00en\0Open Badges\0" + zlib.compress(CREDENTIAL.encode())
    assert unbake_png(make_png(4, 3, chunk(b"iTXt", compressed))) == CREDENTIAL
    assert unbake_png(make_png(4, 3, chunk(b"tEXt", b"openbadges\0" + URL.encode()))) == URL
    ztxt = b"openbadges\0\0" + zlib.compress(URL.encode())
    assert unbake_png(make_png(4, 3, chunk(b"zTXt", ztxt))) == URL


def test_png_itxt_wins_over_legacy_text() -> None:
    legacy = chunk(b"tEXt", b"openbadges\0https://old.example/assertion")
    itxt = chunk(b"iTXt", b"openbadges\0\0\0\0\0" + JWS.encode())
    assert unbake_png(make_png(4, 3, legacy, itxt)) == JWS


def test_png_roundtrip_keeps_trailing_junk_out() -> None:
    baked = bake_png(make_png() + b"trailing junk", URL)
    assert parse_chunks(baked)[-1] == (b"IEND", b"")
    assert unbake_png(make_png() + b"junk") is None


def _broken_pngs() -> list[object]:
    """(unbake input, whether bake_png must refuse it too).

    Damage inside an old openbadges chunk is only unbake's business: bake drops that chunk.
    """
    good = make_png()
    ihdr_end = 8 + 12 + 13
    bad_crc = bytearray(good)
    bad_crc[ihdr_end - 1] ^= 0xFF
    bad_ihdr = PNG_SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 3, 8, 5, 0, 0, 0))
    zero_size = PNG_SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", 0, 3, 8, 6, 0, 0, 0))
    bomb = chunk(b"iTXt", b"openbadges\0\x01\0\0\0" + zlib.compress(b"A" * (8 * 1024 * 1024)))

    def itxt(data: bytes) -> bytes:
        return make_png(4, 3, chunk(b"iTXt", b"openbadges\0" + data))

    cases: list[tuple[str, object, bool]] = [
        ("empty", b"", True),
        ("not a png", b"GIF89a" + b"\0" * 40, True),
        ("jpeg", b"\xff\xd8\xff\xe0" + b"\0" * 40, True),
        ("signature only", PNG_SIGNATURE, True),
        ("truncated in IHDR", good[:20], True),
        ("truncated in IDAT", good[: len(good) - 20], True),
        ("no IEND", good[:-12], True),
        ("bad CRC", bytes(bad_crc), True),
        ("bad color type", bad_ihdr + good[ihdr_end:], True),
        ("zero width", zero_size + good[ihdr_end:], True),
        ("IDAT first", PNG_SIGNATURE + chunk(b"IDAT", b"x") + chunk(b"IEND", b""), True),
        ("no IDAT", good[:ihdr_end] + chunk(b"IEND", b""), True),
        ("bad chunk type", good[:ihdr_end] + chunk(b"ID@T", b"x") + chunk(b"IEND", b""), True),
        ("huge length", good[:ihdr_end] + b"\xff\xff\xff\xffIDAT", True),
        ("too large", PNG_SIGNATURE + b"\0" * MAX_PNG_BYTES, True),
        ("str", "\x89PNG", True),
        ("None", None, True),
        ("zlib bomb", make_png(4, 3, bomb), False),
        ("broken zlib", itxt(b"\x01\0\0\0garbage"), False),
        ("truncated zlib", itxt(b"\x01\0\0\0" + zlib.compress(b"x" * 100)[:-3]), False),
        ("bad flag", itxt(b"\x07\0\0\0x"), False),
        ("bad method", itxt(b"\x01\x08\0\0x"), False),
        ("bad utf-8", itxt(b"\0\0\0\0\xff\xfe"), False),
        ("short iTXt", itxt(b"\0"), False),
        ("no language NUL", itxt(b"\0\0en"), False),
        ("bad zTXt method", make_png(4, 3, chunk(b"zTXt", b"openbadges\0\x05x")), False),
    ]
    return [pytest.param(png, bake_too, id=case) for case, png, bake_too in cases]


@pytest.mark.parametrize(("png", "bake_too"), _broken_pngs())
def test_png_malformed_raises_baking_error(png: object, bake_too: bool) -> None:
    with pytest.raises(BakingError) as info:
        unbake_png(png)  # type: ignore[arg-type]
    assert str(info.value)
    if bake_too:
        with pytest.raises(BakingError):
            bake_png(png, URL)  # type: ignore[arg-type]
    else:
        assert unbake_png(bake_png(png, URL)) == URL  # type: ignore[arg-type]


def test_png_messages_are_clear() -> None:
    with pytest.raises(BakingError, match="not a PNG"):
        unbake_png(b"hello world")
    with pytest.raises(BakingError, match="truncated"):
        unbake_png(make_png()[:-6])
    bad = bytearray(make_png())
    bad[-1] ^= 1
    with pytest.raises(BakingError, match="bad CRC in its IEND chunk"):
        unbake_png(bytes(bad))
    with pytest.raises(BakingError, match="too large"):
        unbake_png(PNG_SIGNATURE + bytes(MAX_PNG_BYTES))


@pytest.mark.parametrize(
    ("payload", "keyword", "message"),
    [
        ("", OB2, "empty"),
        ("   ", OB2, "empty"),
        ("a\0b", OB2, "NUL"),
        ("x" * (MAX_PAYLOAD_BYTES + 1), OB2, "too large"),
        ("\ud800", OB2, "surrogate"),
        (URL, "", "keyword"),
        (URL, " openbadges", "keyword"),
        (URL, "open  badges", "keyword"),
        (URL, "k" * 80, "keyword"),
        (URL, "bad\u0100key", "keyword"),
    ],
)
def test_png_bad_arguments(payload: str, keyword: str, message: str) -> None:
    with pytest.raises(BakingError, match=message):
        bake_png(make_png(), payload, keyword=keyword)


def test_png_non_string_payload() -> None:
    with pytest.raises(BakingError):
        bake_png(make_png(), b"bytes")  # type: ignore[arg-type]
    with pytest.raises(BakingError):
        unbake_png(make_png(), keyword=None)  # type: ignore[arg-type]


def test_png_read_chunks_matches_independent_reader() -> None:
    baked = bake_png(make_png(7, 2), CREDENTIAL, keyword=OB3)
    ours = [(c.name, c.data) for c in read_png_chunks(baked)]
    assert ours == parse_chunks(baked)
    assert PNG_SIGNATURE + b"".join(c.encode() for c in read_png_chunks(baked)) == baked


@FUZZ
@given(st.binary(max_size=600))
def test_png_fuzz_random_bytes(data: bytes) -> None:
    for blob in (data, PNG_SIGNATURE + data):
        try:
            result = unbake_png(blob)
        except BakingError:
            continue
        assert result is None or isinstance(result, str)


@FUZZ
@given(st.data())
def test_png_fuzz_mutated_baked_png(data: st.DataObject) -> None:
    baked = bytearray(bake_png(make_png(), CREDENTIAL, keyword=OB3))
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(baked) - 1))
        baked[index] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(baked)))
    for blob in (bytes(baked), bytes(baked[:cut])):
        try:
            result = unbake_png(blob, keyword=OB3)
        except BakingError:
            continue
        assert result is None or isinstance(result, str)


@FUZZ
@given(st.text(min_size=1, max_size=200))
def test_png_fuzz_payload_roundtrip(payload: str) -> None:
    try:
        baked = bake_png(make_png(), payload, keyword=OB3)
    except BakingError:
        return
    assert unbake_png(baked, keyword=OB3) == payload
    parse_chunks(baked)


# --------------------------------------------------------------------------- SVG


def test_svg_ob2_url_roundtrip() -> None:
    baked = bake_svg(svg_doc(), verify=URL)
    assert unbake_svg(baked) == URL
    element = first_child(baked)
    assert element.tag == f"{{{OB2_SVG_NAMESPACE}}}assertion"
    assert element.get("verify") == URL
    assert 'xmlns:openbadges="http://openbadges.org"' in baked
    assert baked.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')


def test_svg_ob2_url_with_assertion_json() -> None:
    assertion = '{"id": "' + URL + '", "type": "Assertion", "note": "a ]]> b"}'
    baked = bake_svg(svg_doc(), verify=URL, assertion_json=assertion)
    bake = read_svg_bake(baked)
    assert bake is not None
    assert (bake.element, bake.verify, bake.content) == ("assertion", URL, assertion)
    assert unbake_svg(baked) == URL  # the verify value comes first, as in PNG
    assert (first_child(baked).text or "") == assertion


def test_svg_ob3_jwt_roundtrip() -> None:
    baked = bake_svg(svg_doc(), verify=JWS, keyword=OB3)
    element = first_child(baked)
    assert element.tag == f"{{{OB3_SVG_NAMESPACE}}}credential"
    assert element.get("verify") == JWS
    assert not (element.text or "").strip()
    assert unbake_svg(baked) == JWS


def test_svg_ob3_json_roundtrip() -> None:
    baked = bake_svg(svg_doc(), assertion_json=CREDENTIAL, keyword=OB3)
    element = first_child(baked)
    assert element.tag == f"{{{OB3_SVG_NAMESPACE}}}credential"
    assert element.get("verify") is None  # the spec: omit verify for an embedded proof
    assert "<![CDATA[" in baked
    assert unbake_svg(baked) == CREDENTIAL


def test_svg_rebake_replaces_and_is_stable() -> None:
    once = bake_svg(svg_doc(), verify=URL)
    twice = bake_svg(once, verify=URL)
    assert twice == once
    other = bake_svg(once, verify=JWS)
    assert other.count("<openbadges:assertion") == 1
    assert unbake_svg(other) == JWS


def test_svg_rebake_across_versions() -> None:
    ob2 = bake_svg(svg_doc(), verify=URL, assertion_json='{"a": 1}')
    ob3 = bake_svg(ob2, assertion_json=CREDENTIAL, keyword=OB3)
    assert "openbadges:assertion" not in ob3
    assert ob3.count("<openbadges:credential") == 1
    assert f'xmlns:openbadges="{OB3_SVG_NAMESPACE}"' in ob3
    assert "http://openbadges.org" not in ob3
    assert unbake_svg(ob3) == CREDENTIAL
    back = bake_svg(ob3, verify=URL)
    assert unbake_svg(back) == URL and "credential" not in back


def test_svg_replaces_element_anywhere_and_keeps_the_rest() -> None:
    body = (
        "<!-- keep me --><g id='a'><openbadges:assertion verify='https://old'>"
        "<![CDATA[{}]]></openbadges:assertion><rect width='1' height='1'/></g>"
    )
    svg = svg_doc(body, ' xmlns:openbadges="http://openbadges.org" width="10"')
    baked = bake_svg(svg, verify=URL)
    assert baked.count("openbadges:assertion verify") == 1
    assert "<!-- keep me -->" in baked and "<rect width='1' height='1'/></g>" in baked
    assert baked.count("xmlns:openbadges") == 1
    assert first_child(baked).get("verify") == URL


def test_svg_other_prefix_for_the_namespace_is_replaced() -> None:
    svg = svg_doc('<ob:assertion xmlns:ob="http://openbadges.org" verify="https://old"/>')
    assert unbake_svg(svg) == "https://old"
    baked = bake_svg(svg, verify=URL)
    assert "ob:assertion" not in baked and unbake_svg(baked) == URL


def test_svg_reads_spec_variant_namespace() -> None:
    svg = svg_doc(
        "<openbadges:credential><![CDATA[\n  " + CREDENTIAL + "\n  ]]></openbadges:credential>",
        ' xmlns:openbadges="https://purl.imsglobal.org/spec/ob/v3p0"',
    )
    assert unbake_svg(svg) == CREDENTIAL


def test_svg_self_closing_root() -> None:
    baked = bake_svg(f'<svg xmlns="{SVG_NS}" width="1"/>', verify=URL)
    assert baked.endswith("</svg>")
    assert unbake_svg(baked) == URL


def test_svg_prefixed_root_and_existing_declaration() -> None:
    svg = f'<s:svg xmlns:s="{SVG_NS}" xmlns:openbadges="urn:other"><s:g/></s:svg>'
    baked = bake_svg(svg, verify=URL)
    root = ET.fromstring(baked)
    assert root[0].tag == f"{{{OB2_SVG_NAMESPACE}}}assertion"
    assert "urn:other" not in baked


def test_svg_verify_escaping_roundtrip() -> None:
    verify = 'https://x.example/a?b=1&c="2"<3>\tnew\nline'
    baked = bake_svg(svg_doc(), verify=verify)
    assert unbake_svg(baked) == verify


def test_svg_absent_is_none() -> None:
    assert unbake_svg(svg_doc()) is None
    assert read_svg_bake(svg_doc()) is None


def test_svg_empty_baked_element_is_an_error() -> None:
    svg = svg_doc("<openbadges:assertion/>", ' xmlns:openbadges="http://openbadges.org"')
    with pytest.raises(BakingError, match="empty"):
        unbake_svg(svg)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">'
    "&b;</svg>"
)


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        ("", "not well-formed"),
        ("not xml at all", "not well-formed"),
        ("<svg xmlns='http://www.w3.org/2000/svg'>", "not well-formed"),
        ("<svg><g></svg>", "not well-formed"),
        ("<html><body/></html>", "root element"),
        ("<svg xmlns='urn:not-svg'/>", "root element"),
        (BILLION_LAUGHS, "DOCTYPE"),
        ('<!doctype svg SYSTEM "http://evil/x.dtd"><svg/>', "DOCTYPE"),
        ("<svg><!ENTITY x 'y'></svg>", "DOCTYPE"),
        ("<svg>&xxe;</svg>", "not well-formed"),
        ("<svg><x:y/></svg>", "not well-formed"),
        ("\ud800<svg/>", "surrogate"),
        ("<svg>" + " " * MAX_SVG_BYTES + "</svg>", "too large"),
    ],
)
def test_svg_malformed_raises_baking_error(svg: str, message: str) -> None:
    with pytest.raises(BakingError, match=message):
        unbake_svg(svg)
    with pytest.raises(BakingError, match=message):
        bake_svg(svg, verify=URL)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "needs a verify"),
        ({"verify": ""}, "empty"),
        ({"verify": "a\x01b"}, "character XML cannot hold"),
        ({"verify": URL, "assertion_json": "\ufffe"}, "character XML cannot hold"),
        ({"keyword": OB3}, "either verify"),
        ({"keyword": OB3, "verify": JWS, "assertion_json": CREDENTIAL}, "either verify"),
        ({"keyword": "openbadge", "verify": URL}, "Unknown SVG baking keyword"),
        ({"verify": "x" * (MAX_PAYLOAD_BYTES + 1)}, "too large"),
    ],
)
def test_svg_bad_arguments(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(BakingError, match=message):
        bake_svg(svg_doc(), **kwargs)


def test_svg_non_string_input() -> None:
    with pytest.raises(BakingError):
        unbake_svg(b"<svg/>")  # type: ignore[arg-type]
    with pytest.raises(BakingError):
        bake_svg(None, verify=URL)  # type: ignore[arg-type]


@FUZZ
@given(st.text(max_size=300))
def test_svg_fuzz_random_text(text: str) -> None:
    for svg in (text, "<svg>" + text + "</svg>", svg_doc(text)):
        try:
            result = unbake_svg(svg)
        except BakingError:
            continue
        assert result is None or isinstance(result, str)


@FUZZ
@given(st.data())
def test_svg_fuzz_mutated_baked_svg(data: st.DataObject) -> None:
    baked = bake_svg(svg_doc(), verify=URL, assertion_json=CREDENTIAL)
    at = data.draw(st.integers(0, len(baked)))
    junk = data.draw(st.text(alphabet="<>/&;'\"=![]CDAT-? openbadges:asrtion", max_size=12))
    mutated = baked[:at] + junk + baked[at + data.draw(st.integers(0, 5)) :]
    try:
        result = unbake_svg(mutated)
    except BakingError:
        return
    assert result is None or isinstance(result, str)


@FUZZ
@given(st.text(min_size=1, max_size=120), st.text(min_size=1, max_size=120))
def test_svg_fuzz_bake_roundtrip(verify: str, content: str) -> None:
    try:
        baked = bake_svg(svg_doc(), verify=verify, assertion_json=content)
    except BakingError:
        return
    bake = read_svg_bake(baked)
    assert bake is not None
    assert bake.verify == verify
    normalized = content.replace("\r\n", "\n").replace("\r", "\n").strip()
    assert bake.content == (normalized or None)
