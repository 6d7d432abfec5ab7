"""Badge images (server/badges/images.py): generated emblems and upload validation.

Pure tests: no database. Generated PNGs are decoded here (zlib, filter type 0) to check their
size, pixels and symmetry; every rejected upload must raise ImageError with a clear message.
"""

from __future__ import annotations

import base64
import colorsys
import struct
import time
import xml.etree.ElementTree as ET
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.badges.baking import bake_png, bake_svg, unbake_png, unbake_svg
from server.badges.images import (
    LEVELS,
    MAX_PNG_UPLOAD_BYTES,
    MAX_SVG_UPLOAD_BYTES,
    ImageError,
    check_upload,
    generated_png,
    generated_svg,
    initials,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
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


def parse_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    assert png[:8] == PNG_SIGNATURE
    pos, out = 8, []
    while pos < len(png):
        (length,) = struct.unpack_from(">I", png, pos)
        name, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack_from(">I", png, pos + 8 + length)
        assert crc == zlib.crc32(name + data) & 0xFFFFFFFF
        out.append((name, data))
        pos += 12 + length
    assert pos == len(png)
    return out


def decode_rgba(png: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the RGBA rows of an 8-bit RGBA, non-interlaced, filter-0 PNG."""
    chunks = parse_chunks(png)
    assert chunks[0][0] == b"IHDR" and chunks[-1] == (b"IEND", b"")
    width, height, depth, color, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", chunks[0][1]
    )
    assert (depth, color, compression, filtering, interlace) == (8, 6, 0, 0, 0)
    raw = zlib.decompress(b"".join(data for name, data in chunks if name == b"IDAT"))
    assert len(raw) == height * (1 + 4 * width)
    stride = 1 + 4 * width
    rows = [raw[y * stride : (y + 1) * stride] for y in range(height)]
    assert all(row[0] == 0 for row in rows)  # filter type None everywhere
    return width, height, [row[1:] for row in rows]


def pixel(rows: list[bytes], x: int, y: int) -> tuple[int, ...]:
    return tuple(rows[y][4 * x : 4 * x + 4])


def png_with_size(width: int, height: int, *extra: bytes) -> bytes:
    # Only the structure is checked on upload, so one tiny IDAT is enough.
    return (
        PNG_SIGNATURE
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + b"".join(extra)
        + chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + chunk(b"IEND", b"")
    )


def svg(body: str = "", attrs: str = "") -> bytes:
    return (
        f'<svg xmlns="{SVG_NS}" xmlns:xlink="http://www.w3.org/1999/xlink"{attrs}>{body}</svg>'
    ).encode()


TINY_PNG_DATA = base64.b64encode(png_with_size(1, 1)).decode()


# --------------------------------------------------------------------------- generated PNG


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("size", [16, 64, 101, 256])
def test_generated_png_is_a_valid_rgba_png(level: str, size: int) -> None:
    png = generated_png("Community Gardening", level, size=size)
    width, height, rows = decode_rgba(png)
    assert (width, height) == (size, size)
    # Transparent corners, an opaque middle.
    assert pixel(rows, 0, 0)[3] == 0 and pixel(rows, size - 1, size - 1)[3] == 0
    assert pixel(rows, size // 2, size // 2)[3] == 255


def test_generated_png_idat_length() -> None:
    png = generated_png("Robotics", "skill", size=256)
    idat = b"".join(data for name, data in parse_chunks(png) if name == b"IDAT")
    assert len(zlib.decompress(idat)) == 256 * (1 + 4 * 256)


def test_generated_png_is_deterministic_and_varies() -> None:
    first = generated_png("Swim Safety", "achievement")
    assert generated_png("Swim Safety", "achievement") == first
    assert generated_png("Swim safety", "achievement") != first
    assert len({generated_png("Swim Safety", level) for level in LEVELS}) == len(LEVELS)


@pytest.mark.parametrize("size", [64, 101])
def test_generated_png_is_mirror_symmetric(size: int) -> None:
    _, _, rows = decode_rgba(generated_png("Intro to Python", "summit", size=size))
    for row in rows:
        pixels = [row[i : i + 4] for i in range(0, len(row), 4)]
        assert pixels == pixels[::-1]


def test_generated_png_is_antialiased() -> None:
    _, _, rows = decode_rgba(generated_png("Chess", "participation", size=128))
    alphas = {pixel(rows, x, 64)[3] for x in range(128)}
    assert any(0 < a < 255 for a in alphas)


def _light_runs_down_the_middle(png: bytes) -> int:
    # The level's rings are light stripes in the darker border: count light runs from the
    # top edge to just inside the face (which is light too, hence one extra run).
    size, _, rows = decode_rgba(png)
    runs, light_before = 0, False
    for y in range(int(size * 0.25)):
        r, g, b, a = pixel(rows, size // 2, y)
        lightness = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)[1]
        light = a == 255 and lightness > 0.7
        runs += light and not light_before
        light_before = light
    return runs


@pytest.mark.parametrize("name", ["Community Gardening", "Robotics Club", "Swim Safety", "x"])
def test_level_shows_as_ring_count(name: str) -> None:
    counts = [_light_runs_down_the_middle(generated_png(name, lv, size=512)) for lv in LEVELS]
    assert counts == [2, 3, 4, 5]


def test_generated_png_is_fast() -> None:
    best = min(
        (lambda start: (generated_png(f"Badge {i}", "summit"), time.perf_counter() - start)[1])(
            time.perf_counter()
        )
        for i in range(3)
    )
    assert best < 0.25  # typically 10-20 ms; the bound only catches a pathological slowdown


def test_generated_png_bakes() -> None:
    png = generated_png("Robotics", "summit")
    baked = bake_png(png, "https://citylearn.example/a/1")
    assert unbake_png(baked) == "https://citylearn.example/a/1"
    assert check_upload(baked, "image/png") == ("image/png", baked)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": "gold"}, "Unknown badge level"),
        ({"level": "Skill"}, "Unknown badge level"),
        ({"size": 8}, "size must be"),
        ({"size": 4096}, "size must be"),
        ({"size": 64.0}, "size must be"),
    ],
)
def test_generated_png_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"name": "Chess", "level": "skill", **kwargs}
    with pytest.raises(ImageError, match=message):
        generated_png(**args)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- generated SVG


@pytest.mark.parametrize("level", LEVELS)
def test_generated_svg_is_valid_and_safe(level: str) -> None:
    text = generated_svg("R&D <Lab> \"Quotes\" 'too'", level)
    root = ET.fromstring(text)
    assert root.tag == f"{{{SVG_NS}}}svg"
    assert root.get("viewBox") == "0 0 256 256"
    labels = [el.text for el in root.iter(f"{{{SVG_NS}}}text")]
    assert labels == ["RD"]
    assert root.findtext(f"{{{SVG_NS}}}title") == "R&D <Lab> \"Quotes\" 'too'"
    assert check_upload(text.encode(), "image/svg+xml") == ("image/svg+xml", text.encode())


def test_generated_svg_matches_png_scene() -> None:
    text = generated_svg("Robotics", "summit")
    root = ET.fromstring(text)
    shapes = [el for el in root if el.tag in (f"{{{SVG_NS}}}circle", f"{{{SVG_NS}}}polygon")]
    # Summit: 4 tail pieces, 2 outline layers, 4 rings x 2, 2 inner layers, 2 banner ends,
    # the banner, the mountain and its cap.
    assert len(shapes) == 4 + 2 + 8 + 2 + 2 + 1 + 2
    assert all(el.tag == f"{{{SVG_NS}}}polygon" for el in shapes)  # hexagon level
    circle_level = ET.fromstring(generated_svg("Robotics", "participation"))
    assert circle_level.find(f"{{{SVG_NS}}}circle") is not None


def test_generated_svg_is_deterministic() -> None:
    assert generated_svg("Chess", "skill") == generated_svg("Chess", "skill")
    assert generated_svg("Chess", "skill") != generated_svg("Chess", "summit")
    assert generated_svg("Chess", "skill") != generated_svg("Chess Club", "skill")


def test_generated_svg_bakes_both_versions() -> None:
    text = generated_svg("Chess", "achievement")
    ob2 = bake_svg(text, verify="https://citylearn.example/a/2")
    assert unbake_svg(ob2) == "https://citylearn.example/a/2"
    assert check_upload(ob2.encode(), None)[0] == "image/svg+xml"
    ob3 = bake_svg(
        text, assertion_json='{"type": ["OpenBadgeCredential"]}', keyword="openbadgecredential"
    )
    assert check_upload(ob3.encode(), None)[0] == "image/svg+xml"


def test_generated_svg_odd_names() -> None:
    for name in ["", "   ", "\x00\x01", "\ud800 lone", "日本語 バッジ", "-- __ --"]:
        root = ET.fromstring(generated_svg(name, "skill"))
        assert root.tag == f"{{{SVG_NS}}}svg"
    with pytest.raises(ImageError):
        generated_svg("Chess", "platinum")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Community Gardening", "CG"),
        ("robotics", "R"),
        ("intro to python", "IT"),
        ("élan vital", "ÉV"),
        ("3D printing", "3P"),
        ("", "?"),
        ("-- __ !!", "?"),
    ],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


# --------------------------------------------------------------------------- uploads: PNG


@pytest.mark.parametrize("size", [64, 256])
def test_upload_generated_png_is_accepted(size: int) -> None:
    png = generated_png("Chess", "skill", size=size)
    assert check_upload(png, "image/png") == ("image/png", png)
    assert check_upload(bytearray(png), None) == ("image/png", png)  # type: ignore[arg-type]
    assert check_upload(png, "image/svg+xml") == ("image/png", png)  # content wins


@pytest.mark.parametrize(
    ("width", "height", "ok"),
    [(64, 64, True), (2048, 2048, True), (64, 2048, True), (63, 64, False), (64, 2049, False)],
)
def test_upload_png_dimensions(width: int, height: int, ok: bool) -> None:
    png = png_with_size(width, height)
    if ok:
        assert check_upload(png, None) == ("image/png", png)
    else:
        with pytest.raises(ImageError, match="between 64 and 2048 pixels"):
            check_upload(png, None)


def test_upload_png_too_large() -> None:
    padding = chunk(b"tEXt", b"Comment\0" + b"x" * MAX_PNG_UPLOAD_BYTES)
    with pytest.raises(ImageError, match="larger than 2 MiB"):
        check_upload(png_with_size(128, 128, padding), "image/png")
    just_under = chunk(b"tEXt", b"Comment\0" + b"x" * (MAX_PNG_UPLOAD_BYTES - 200))
    assert check_upload(png_with_size(128, 128, just_under), None)[0] == "image/png"


@pytest.mark.parametrize(
    "png",
    [
        pytest.param(PNG_SIGNATURE, id="signature only"),
        pytest.param(png_with_size(128, 128)[:-7], id="truncated"),
        pytest.param(png_with_size(128, 128)[:40] + b"\0" + png_with_size(128, 128)[41:], id="crc"),
        pytest.param(PNG_SIGNATURE + chunk(b"IHDR", b"\0" * 13) + chunk(b"IEND", b""), id="zero"),
    ],
)
def test_upload_damaged_png(png: bytes) -> None:
    with pytest.raises(ImageError, match="PNG"):
        check_upload(png, "image/png")


@pytest.mark.parametrize(
    ("data", "hint", "message"),
    [
        (b"", None, "empty"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg", "must be a PNG or SVG file"),
        (b"GIF89a\x01\x00\x01\x00", "image/gif", "must be a PNG or SVG file"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", None, "must be a PNG or SVG file"),
        (b"%PDF-1.7", "application/pdf", "must be a PNG or SVG file"),
        (b"\x00\x01garbage", "image/png", "not a valid PNG"),
        (b"garbage", "image/svg+xml; charset=utf-8", "not well-formed"),
        ("<svg/>", None, "not a file"),
        (None, None, "not a file"),
    ],
)
def test_upload_wrong_kind(data: object, hint: str | None, message: str) -> None:
    with pytest.raises(ImageError, match=message):
        check_upload(data, hint)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- uploads: SVG


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(svg('<circle r="4"/>'), id="plain"),
        pytest.param(b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?>\n' + svg(), id="bom"),
        pytest.param(b"<!-- hi -->\n" + svg(), id="comment first"),
        pytest.param(svg('<g id="a"/><use href="#a"/><use xlink:href="#a"/>'), id="fragment"),
        pytest.param(
            svg(f'<image href="data:image/png;base64,{TINY_PNG_DATA}" width="1" height="1"/>'),
            id="data png",
        ),
        pytest.param(
            svg('<linearGradient id="g"/><rect fill="url(#g)" style="fill: url( \'#g\' )"/>'),
            id="url fragment",
        ),
        pytest.param(svg("<style>rect { fill: url(#g); }</style>"), id="style"),
        pytest.param(svg('<a href="#top"><text>hi</text></a>'), id="anchor fragment"),
        pytest.param(svg('<animate attributeName="opacity" from="0" to="1"/>'), id="animation"),
        pytest.param(
            svg(
                '<openbadges:assertion verify="https://citylearn.example/a/1"/>',
                ' xmlns:openbadges="http://openbadges.org"',
            ),
            id="baked ob2",
        ),
        pytest.param(b"<svg width='64' height='64'/>", id="no namespace"),
    ],
)
def test_upload_svg_accepted(data: bytes) -> None:
    assert check_upload(data, None) == ("image/svg+xml", data)
    assert check_upload(data, "image/png") == ("image/svg+xml", data)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">'
    b"&b;</svg>"
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (svg("<script>alert(1)</script>"), "contains a script"),
        (svg('<script xlink:href="https://evil.example/x.js"/>'), "contains a script"),
        (
            svg('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'),
            "contains a script",
        ),
        (svg("<SCRIPT>alert(1)</SCRIPT>"), "contains a script"),
        (svg("", ' onload="alert(1)"'), r"event handler attribute \(onload\)"),
        (svg('<rect onClick="alert(1)"/>'), r"event handler attribute \(onClick\)"),
        (svg('<rect x:onmouseover="alert(1)" xmlns:x="urn:x"/>'), "event handler"),
        (svg("<foreignObject><div/></foreignObject>"), "foreignObject"),
        (svg('<image href="https://evil.example/track.png"/>'), "external resource"),
        (svg('<image xlink:href="http://evil.example/x.png"/>'), "external resource"),
        (svg('<a href="javascript:alert(1)"><text>x</text></a>'), "external resource"),
        (svg('<a xlink:href=" JavaScript:alert(1)"/>'), "external resource"),
        (svg('<a href="https://citylearn.example/"/>'), "external resource"),
        (svg('<use href="other.svg#a"/>'), "external resource"),
        (svg('<image href="data:image/svg+xml;base64,PHN2Zy8+"/>'), "external resource"),
        (svg('<image href="data:text/html,&lt;script>x&lt;/script>"/>'), "external resource"),
        (svg('<image href="&#106;avascript:alert(1)"/>'), "external resource"),
        (svg('<rect fill="url(https://evil.example/p.svg#g)"/>'), "external resource"),
        (svg('<rect style="fill: url(//evil.example/x)"/>'), "external resource"),
        (svg("<style>@import url(#x);</style>"), "import an external stylesheet"),
        (svg("<style>rect { background: url('http://evil/x') }</style>"), "external resource"),
        (svg("<style>rect { background: u\\72l(http://evil/x) }</style>"), "CSS escapes"),
        (svg('<rect fill="u\\72l(https://evil.example/p#g)"/>'), "external resource"),
        (svg('<rect cursor="\\75 rl(https://evil.example/c.cur)"/>'), "external resource"),
        (svg("<style>rect { fill: image-set('https://evil/x.png' 1x) }</style>"), "CSS function"),
        (svg('<rect style="fill: src(https://evil/x)"/>'), "CSS function"),
        (svg('<g xml:base="https://evil.example/"><use href="#a"/></g>'), "xml:base"),
        (
            svg('<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="https://evil/"/>'),
            "HTML element",
        ),
        (svg('<set attributeName="href" to="javascript:alert(1)"/>'), "animates a link"),
        (svg('<animate attributeName="xlink:href" values="javascript:x"/>'), "animates a link"),
        (svg('<set attributeName="onclick" to="alert(1)"/>'), "animates"),
        (b'<?xml-stylesheet href="http://evil/x.css"?>' + svg(), "processing instruction"),
        (svg("<?php echo 1; ?>"), "processing instruction"),
        (BILLION_LAUGHS, "DOCTYPE"),
        (b'<!DOCTYPE svg SYSTEM "file:///etc/passwd">' + svg(), "DOCTYPE"),
        (svg("&xxe;"), "not well-formed"),
        (svg("<g>"), "not well-formed"),
        (b"<svg", "not well-formed"),
        (b"<html><body/></html>", "root element is not <svg>"),
        (b'<svg xmlns="urn:not-svg"/>', "root element is not <svg>"),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?>' + svg(), "UTF-8 encoded"),
        (svg("<text>\u00e9</text>").replace("é".encode(), b"\xe9"), "UTF-8 text"),
        (svg("<!--" + "x" * MAX_SVG_UPLOAD_BYTES + "-->"), "larger than 512 KiB"),
    ],
)
def test_upload_svg_rejected(data: bytes, message: str) -> None:
    with pytest.raises(ImageError, match=message):
        check_upload(data, "image/svg+xml")


def test_upload_svg_baked_ob3_accepted() -> None:
    baked = bake_svg(svg().decode(), verify="aa.bb.cc", keyword="openbadgecredential")
    assert check_upload(baked.encode(), None) == ("image/svg+xml", baked.encode())


# --------------------------------------------------------------------------- uploads: fuzz


def _only_image_errors(data: bytes, hint: str | None = None) -> None:
    try:
        mime, out = check_upload(data, hint)
    except ImageError as exc:
        assert str(exc)
        return
    assert mime in ("image/png", "image/svg+xml") and out == data


@FUZZ
@given(st.binary(max_size=600), st.sampled_from([None, "image/png", "image/svg+xml", "x/y"]))
def test_upload_fuzz_random_bytes(data: bytes, hint: str | None) -> None:
    _only_image_errors(data, hint)
    _only_image_errors(PNG_SIGNATURE + data, hint)
    _only_image_errors(b"<svg" + data, hint)


@FUZZ
@given(st.text(max_size=300))
def test_upload_fuzz_svg_text(text: str) -> None:
    _only_image_errors(svg(text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")))
    _only_image_errors(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.data())
def test_upload_fuzz_mutated_images(data: st.DataObject) -> None:
    png = bytearray(generated_png("Chess", "skill", size=64))
    svg_bytes = bytearray(generated_svg("Chess", "skill").encode())
    for blob in (png, svg_bytes):
        for _ in range(data.draw(st.integers(1, 3))):
            blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
        _only_image_errors(bytes(blob))
        _only_image_errors(bytes(blob[: data.draw(st.integers(0, len(blob)))]))
