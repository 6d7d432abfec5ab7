"""Open Badges baking: embed an assertion or a credential in a PNG or SVG badge image.

OB 2.0 (Open Badges Baking Specification): PNG iTXt keyword ``openbadges``, whose text is the
hosted assertion URL or a compact JWS; SVG element ``<openbadges:assertion verify="...">`` in
the ``http://openbadges.org`` namespace, optionally holding the assertion JSON as CDATA.

OB 3.0 (Open Badges 3.0, "Open Badges Document Formats" > "Baked Badge"): PNG iTXt keyword
``openbadgecredential``, whose text is the credential JSON or a VC-JWT; SVG element
``<openbadges:credential>`` in the ``https://purl.imsglobal.org/ob/v3p0`` namespace, with either
``verify="<VC-JWT>"`` and an empty body, or no ``verify`` and the credential JSON as CDATA.

Both specs say a keyword / element must appear only once and let the implementer overwrite an
existing one, so baking always replaces. Everything here is pure (bytes and str in and out), and
every malformed input raises :class:`BakingError`, never another exception.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from typing import Literal
from xml.parsers import expat

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "MAX_PNG_BYTES",
    "MAX_SVG_BYTES",
    "OB2_KEYWORD",
    "OB2_SVG_NAMESPACE",
    "OB3_KEYWORD",
    "OB3_SVG_NAMESPACE",
    "PNG_SIGNATURE",
    "BakingError",
    "PngChunk",
    "PngHeader",
    "SvgBake",
    "bake_png",
    "bake_svg",
    "read_png_chunks",
    "read_png_header",
    "read_svg_bake",
    "unbake_png",
    "unbake_svg",
]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB2_KEYWORD = "openbadges"
OB3_KEYWORD = "openbadgecredential"
OB2_SVG_NAMESPACE = "http://openbadges.org"
# The value the OB 3.0 spec text gives; some issuers write the /spec/ variant, read both.
OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
_OB3_SVG_NAMESPACES = (OB3_SVG_NAMESPACE, "https://purl.imsglobal.org/spec/ob/v3p0")
_SVG_NAMESPACE = "http://www.w3.org/2000/svg"

# Badge images are small; these bounds keep a hostile upload from costing much memory or time.
MAX_PNG_BYTES = 16 * 1024 * 1024
MAX_SVG_BYTES = 4 * 1024 * 1024
MAX_PAYLOAD_BYTES = 1024 * 1024

_TEXT_CHUNKS = (b"iTXt", b"tEXt", b"zTXt")
_MAX_CHUNK_LENGTH = 2**31 - 1  # PNG spec limit on a chunk's length field
_VALID_BIT_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}

# Characters XML 1.0 cannot carry at all (controls, lone surrogates, U+FFFE/U+FFFF).
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DOCTYPE_OR_ENTITY = re.compile(rb"<!\s*(?:doctype|entity)", re.IGNORECASE)
_TAG_SCAN = re.compile(rb"[\"'>]")
_XML_SPACE = b" \t\r\n"


class BakingError(ValueError):
    """The image or the payload cannot be baked or read; the message says why."""


# --------------------------------------------------------------------------- PNG


@dataclass(frozen=True, slots=True)
class PngChunk:
    """One PNG chunk: its 4-letter type and its data (length and CRC are derived)."""

    name: bytes
    data: bytes

    def encode(self) -> bytes:
        """The chunk as it appears in a PNG stream: length, type, data, CRC-32."""
        crc = zlib.crc32(self.name + self.data) & 0xFFFFFFFF
        return struct.pack(">I", len(self.data)) + self.name + self.data + struct.pack(">I", crc)


@dataclass(frozen=True, slots=True)
class PngHeader:
    """The fields of a PNG's IHDR chunk."""

    width: int
    height: int
    bit_depth: int
    color_type: int
    interlace: int


def _as_bytes(value: object, what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    raise BakingError(f"The {what} must be bytes, not {type(value).__name__}")


def read_png_chunks(png: bytes, *, max_bytes: int = MAX_PNG_BYTES) -> list[PngChunk]:
    """Split a PNG into its chunks, IHDR first and IEND last, checking every length and CRC.

    Bytes after IEND are ignored (some tools append junk there; it is not part of the image).
    """
    data = _as_bytes(png, "PNG image")
    if len(data) > max_bytes:
        raise BakingError(f"The PNG image is too large ({len(data)} bytes, limit {max_bytes})")
    if not data.startswith(PNG_SIGNATURE):
        raise BakingError("The file is not a PNG image (the PNG signature is missing)")
    chunks: list[PngChunk] = []
    pos = len(PNG_SIGNATURE)
    end = len(data)
    while True:
        if pos + 8 > end:
            raise BakingError("The PNG image is truncated (it ends before its IEND chunk)")
        (length,) = struct.unpack_from(">I", data, pos)
        name = data[pos + 4 : pos + 8]
        if length > _MAX_CHUNK_LENGTH:
            raise BakingError(f"The PNG image has a chunk with an invalid length ({length})")
        if not name.isalpha():  # bytes.isalpha() is ASCII-only: exactly the PNG rule
            raise BakingError(f"The PNG image has a chunk with an invalid type ({name!r})")
        body_end = pos + 8 + length
        if body_end + 4 > end:
            raise BakingError(f"The PNG image is truncated (inside its {name.decode()} chunk)")
        body = data[pos + 8 : body_end]
        (crc,) = struct.unpack_from(">I", data, body_end)
        if zlib.crc32(name + body) & 0xFFFFFFFF != crc:
            raise BakingError(f"The PNG image is damaged (bad CRC in its {name.decode()} chunk)")
        if not chunks and name != b"IHDR":
            raise BakingError("The PNG image is damaged (its first chunk is not IHDR)")
        if chunks and name == b"IHDR":
            raise BakingError("The PNG image is damaged (it has more than one IHDR chunk)")
        chunks.append(PngChunk(name, body))
        pos = body_end + 4
        if name == b"IEND":
            break
    _parse_ihdr(chunks[0].data)
    if not any(chunk.name == b"IDAT" for chunk in chunks):
        raise BakingError("The PNG image has no image data (no IDAT chunk)")
    return chunks


def _parse_ihdr(body: bytes) -> PngHeader:
    if len(body) != 13:
        raise BakingError("The PNG image is damaged (its IHDR chunk has the wrong length)")
    width, height, depth, color, compression, filtering, interlace = struct.unpack(">IIBBBBB", body)
    if not (0 < width <= _MAX_CHUNK_LENGTH and 0 < height <= _MAX_CHUNK_LENGTH):
        raise BakingError(f"The PNG image has invalid dimensions ({width}x{height})")
    if depth not in _VALID_BIT_DEPTHS.get(color, set()):
        raise BakingError(f"The PNG image has an invalid color type/bit depth ({color}/{depth})")
    if compression != 0 or filtering != 0 or interlace not in (0, 1):
        raise BakingError("The PNG image uses an unknown compression, filter or interlace method")
    return PngHeader(width, height, depth, color, interlace)


def read_png_header(png: bytes, *, max_bytes: int = MAX_PNG_BYTES) -> PngHeader:
    """The IHDR fields of a PNG, after checking the whole chunk stream."""
    return _parse_ihdr(read_png_chunks(png, max_bytes=max_bytes)[0].data)


def _check_keyword(keyword: object) -> bytes:
    # PNG keywords: 1-79 printable Latin-1 characters, no leading, trailing or double spaces.
    if not isinstance(keyword, str):
        raise BakingError("The keyword must be a string")
    ok = (
        0 < len(keyword) < 80
        and all(32 <= ord(c) <= 126 or 161 <= ord(c) <= 255 for c in keyword)
        and keyword == keyword.strip(" ")
        and "  " not in keyword
    )
    if not ok:
        raise BakingError(f"Invalid PNG text keyword: {keyword!r}")
    return keyword.encode("latin-1")


def _check_payload(payload: object, what: str) -> str:
    if not isinstance(payload, str):
        raise BakingError(f"The {what} must be a string")
    if not payload.strip():
        raise BakingError(f"The {what} is empty")
    try:
        size = len(payload.encode("utf-8"))
    except UnicodeEncodeError:
        raise BakingError(f"The {what} is not valid Unicode (it has a lone surrogate)") from None
    if size > MAX_PAYLOAD_BYTES:
        raise BakingError(f"The {what} is too large ({size} bytes, limit {MAX_PAYLOAD_BYTES})")
    return payload


def _chunk_keyword(chunk: PngChunk) -> bytes | None:
    """The keyword of a tEXt/zTXt/iTXt chunk, or None if it has none we could read."""
    if chunk.name not in _TEXT_CHUNKS:
        return None
    nul = chunk.data.find(b"\0", 0, 80)
    return chunk.data[:nul] if nul > 0 else None


def _inflate(data: bytes, what: str) -> bytes:
    # Bounded, so a zlib bomb in a text chunk cannot exhaust memory.
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_PAYLOAD_BYTES + 1)
    except zlib.error as exc:
        raise BakingError(f"The compressed {what} is damaged ({exc})") from None
    if len(out) > MAX_PAYLOAD_BYTES:
        raise BakingError(f"The compressed {what} is too large once decompressed")
    if not inflater.eof:
        raise BakingError(f"The compressed {what} is truncated")
    return out


def _itxt_text(chunk: PngChunk, keyword: bytes) -> str:
    rest = chunk.data[len(keyword) + 1 :]
    if len(rest) < 2:
        raise BakingError("The iTXt chunk is truncated")
    flag, method = rest[0], rest[1]
    lang_end = rest.find(b"\0", 2)
    translated_end = rest.find(b"\0", lang_end + 1) if lang_end >= 0 else -1
    if translated_end < 0:
        raise BakingError("The iTXt chunk is damaged (its language tag is not terminated)")
    text = rest[translated_end + 1 :]
    if flag == 1:
        if method != 0:
            raise BakingError(f"The iTXt chunk uses an unknown compression method ({method})")
        text = _inflate(text, "iTXt text")
    elif flag != 0:
        raise BakingError(f"The iTXt chunk has an invalid compression flag ({flag})")
    if len(text) > MAX_PAYLOAD_BYTES:
        raise BakingError("The baked text is too large")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        raise BakingError("The iTXt text is not valid UTF-8") from None


def _latin1_text(chunk: PngChunk, keyword: bytes) -> str:
    rest = chunk.data[len(keyword) + 1 :]
    if chunk.name == b"zTXt":
        if not rest or rest[0] != 0:
            raise BakingError("The zTXt chunk uses an unknown compression method")
        rest = _inflate(rest[1:], "zTXt text")
    if len(rest) > MAX_PAYLOAD_BYTES:
        raise BakingError("The baked text is too large")
    return rest.decode("latin-1")


def bake_png(png: bytes, payload: str, *, keyword: str = OB2_KEYWORD) -> bytes:
    """Bake ``payload`` into ``png`` as an uncompressed iTXt chunk right after IHDR.

    Any tEXt/zTXt/iTXt chunk with the same keyword is removed first, so baking again replaces
    the old value. Other chunks (IDAT included) are copied byte for byte.
    """
    key = _check_keyword(keyword)
    text = _check_payload(payload, "baked text")
    if "\0" in text:
        raise BakingError("The baked text must not contain NUL characters")
    chunks = read_png_chunks(png)
    kept = [chunk for chunk in chunks if _chunk_keyword(chunk) != key]
    # keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translation NUL.
    itxt = PngChunk(b"iTXt", key + b"\0\0\0\0\0" + text.encode("utf-8"))
    out = [kept[0], itxt, *kept[1:]]
    return PNG_SIGNATURE + b"".join(chunk.encode() for chunk in out)


def unbake_png(png: bytes, *, keyword: str = OB2_KEYWORD) -> str | None:
    """The text baked into ``png`` under ``keyword``, or None if there is none.

    The first iTXt chunk with that keyword wins (compressed iTXt is read too). Failing that, a
    tEXt or zTXt chunk is accepted: pre-2.0 badges carried the assertion URL in tEXt.
    """
    key = _check_keyword(keyword)
    legacy: PngChunk | None = None
    for chunk in read_png_chunks(png):
        if _chunk_keyword(chunk) != key:
            continue
        if chunk.name == b"iTXt":
            return _itxt_text(chunk, key)
        if legacy is None:
            legacy = chunk
    return None if legacy is None else _latin1_text(legacy, key)


# --------------------------------------------------------------------------- SVG

_ElementName = Literal["assertion", "credential"]


@dataclass(frozen=True, slots=True)
class SvgBake:
    """What an SVG's baked element holds: its name, ``verify`` attribute and text content."""

    element: _ElementName
    namespace: str
    verify: str | None
    content: str | None


@dataclass(slots=True)
class _Found:
    element: _ElementName
    namespace: str
    start: int
    end: int = -1
    verify: str | None = None
    text: list[str] | None = None


@dataclass(slots=True)
class _SvgScan:
    data: bytes
    root_start: int = -1
    root_tag_end: int = -1
    root_self_closing: bool = False
    baked: list[_Found] | None = None


class _Refused(Exception):
    """Raised inside expat callbacks to stop parsing; turned into BakingError."""


def _tag_end(data: bytes, start: int) -> int:
    """Index just past the ``>`` closing the tag that starts at ``start`` (quotes respected)."""
    pos = start
    while True:
        match = _TAG_SCAN.search(data, pos)
        if match is None:
            raise _Refused("a tag is not closed")
        if match.group() == b">":
            return match.end()
        close = data.find(match.group(), match.end())
        if close < 0:
            raise _Refused("an attribute value is not closed")
        pos = close + 1


def _baked_element(namespace: str, local: str) -> _ElementName | None:
    if local == "assertion" and namespace == OB2_SVG_NAMESPACE:
        return "assertion"
    if local == "credential" and namespace in _OB3_SVG_NAMESPACES:
        return "credential"
    return None


def _svg_bytes(svg: object) -> bytes:
    if not isinstance(svg, str):
        raise BakingError(f"The SVG must be a string, not {type(svg).__name__}")
    if len(svg) > MAX_SVG_BYTES:
        raise BakingError(f"The SVG is too large (limit {MAX_SVG_BYTES} bytes)")
    try:
        data = svg.encode("utf-8")
    except UnicodeEncodeError:
        raise BakingError("The SVG is not valid Unicode (it has a lone surrogate)") from None
    if len(data) > MAX_SVG_BYTES:
        raise BakingError(f"The SVG is too large ({len(data)} bytes, limit {MAX_SVG_BYTES})")
    return data


def _scan_svg(data: bytes) -> _SvgScan:
    """Parse the SVG with expat and note where the root tag and the baked elements are."""
    # No DTD means no entities, hence no entity-expansion bombs and no external entities.
    if _DOCTYPE_OR_ENTITY.search(data):
        raise BakingError("The SVG must not contain a DOCTYPE or ENTITY declaration")
    scan = _SvgScan(data, baked=[])
    found: list[_Found] = []
    # One entry per open element: the baked element it is, or None; and whether it is <x/>.
    stack: list[tuple[_Found | None, bool]] = []
    parser = expat.ParserCreate(encoding="UTF-8", namespace_separator=" ")

    def refuse_dtd(*_args: object) -> None:
        raise _Refused("The SVG must not contain a DOCTYPE or ENTITY declaration")

    def start(name: str, attrs: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        offset = parser.CurrentByteIndex
        tag_end = _tag_end(data, offset)
        self_closing = data[tag_end - 2 : tag_end] == b"/>"
        if not stack:
            if local != "svg" or namespace not in ("", _SVG_NAMESPACE):
                raise _Refused(f"The root element of the SVG is <{local}>, not <svg>")
            scan.root_start, scan.root_tag_end = offset, tag_end
            scan.root_self_closing = self_closing
        element = _baked_element(namespace, local)
        inside = any(entry[0] is not None for entry in stack)
        item: _Found | None = None
        if element is not None and not inside:
            item = _Found(element, namespace, offset, verify=attrs.get("verify"), text=[])
            if self_closing:
                item.end = tag_end
            found.append(item)
        stack.append((item, self_closing))

    def end(_name: str) -> None:
        item, self_closing = stack.pop()
        if item is not None and not self_closing:
            close = data.find(b">", parser.CurrentByteIndex)
            item.end = close + 1

    def text(chars: str) -> None:
        # Only text directly inside the baked element counts as its content.
        if stack and stack[-1][0] is not None and stack[-1][0].text is not None:
            stack[-1][0].text.append(chars)

    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise BakingError(f"The SVG is not well-formed XML ({exc})") from None
    except _Refused as exc:
        raise BakingError(str(exc)) from None
    if scan.root_start < 0:
        raise BakingError("The SVG has no root element")
    scan.baked = found
    return scan


def read_svg_bake(svg: str) -> SvgBake | None:
    """The first baked ``openbadges:assertion`` or ``openbadges:credential`` element, if any."""
    scan = _scan_svg(_svg_bytes(svg))
    if not scan.baked:
        return None
    first = scan.baked[0]
    content = "".join(first.text or []).strip()
    return SvgBake(first.element, first.namespace, first.verify or None, content or None)


def unbake_svg(svg: str) -> str | None:
    """The baked value of an SVG badge, or None if it has no baked element.

    That is the ``verify`` attribute when set (OB 2.0 assertion URL or JWS, OB 3.0 VC-JWT),
    otherwise the element's CDATA content (OB 3.0 credential JSON). Use :func:`read_svg_bake`
    to get both when an OB 2.0 element carries a URL and the hosted assertion JSON.
    """
    bake = read_svg_bake(svg)
    if bake is None:
        return None
    value = bake.verify or bake.content
    if value is None:
        raise BakingError(f"The SVG's <openbadges:{bake.element}> element is empty")
    return value


def _xml_text(value: str, what: str) -> str:
    bad = _XML_INVALID.search(value)
    if bad is not None:
        raise BakingError(f"The {what} contains a character XML cannot hold ({bad.group()!r})")
    return value


def _attribute(value: str) -> str:
    # Tabs and newlines are written as references so attribute normalization keeps them.
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


def _cdata(value: str) -> str:
    # "]]>" cannot appear inside CDATA: end the section between "]]" and ">" and reopen it.
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _start_tag_attributes(tag: bytes) -> tuple[int, dict[bytes, tuple[int, int]]]:
    """Where to append an attribute in a start tag, and each attribute's value span."""
    pos = 1
    while tag[pos] not in _XML_SPACE and tag[pos] not in b"/>":
        pos += 1
    insert_at = pos
    spans: dict[bytes, tuple[int, int]] = {}
    while True:
        while tag[pos] in _XML_SPACE:
            pos += 1
        if tag[pos] in b"/>":
            return insert_at, spans
        name_end = pos
        while tag[name_end] not in _XML_SPACE and tag[name_end] != ord("="):
            name_end += 1
        name = tag[pos:name_end]
        pos = tag.index(b"=", name_end) + 1
        while tag[pos] in _XML_SPACE:
            pos += 1
        value_end = tag.index(tag[pos : pos + 1], pos + 1)
        spans[name] = (pos + 1, value_end)
        pos = insert_at = value_end + 1


def _root_tag(scan: _SvgScan, namespace: str) -> bytes:
    """The root start tag with ``xmlns:openbadges`` set to ``namespace``, never self-closing."""
    tag = scan.data[scan.root_start : scan.root_tag_end]
    insert_at, spans = _start_tag_attributes(tag)
    value = namespace.encode()
    if b"xmlns:openbadges" in spans:
        value_start, value_end = spans[b"xmlns:openbadges"]
        tag = tag[:value_start] + value + tag[value_end:]
    else:
        tag = tag[:insert_at] + b' xmlns:openbadges="' + value + b'"' + tag[insert_at:]
    if scan.root_self_closing:
        tag = tag[:-2].rstrip(_XML_SPACE) + b">"
    return tag


def bake_svg(
    svg: str,
    *,
    verify: str | None = None,
    assertion_json: str | None = None,
    keyword: str = OB2_KEYWORD,
) -> str:
    """Bake an assertion (``keyword="openbadges"``) or credential into an SVG badge.

    OB 2.0: ``<openbadges:assertion verify="URL or JWS">``, with ``assertion_json`` as CDATA
    content when given. OB 3.0 (``keyword="openbadgecredential"``): ``<openbadges:credential>``
    with either ``verify`` (the VC-JWT) or ``assertion_json`` (the credential JSON with an
    embedded proof), exactly one of them, as the spec requires.

    The element becomes the first child of the root ``<svg>``; any baked element already there
    (either version: both use the ``openbadges`` prefix, so they cannot coexist) is removed.
    The rest of the document is kept byte for byte.
    """
    if keyword == OB2_KEYWORD:
        element, namespace = "assertion", OB2_SVG_NAMESPACE
        if verify is None:
            raise BakingError("An OB 2.0 baked SVG needs a verify URL or JWS")
    elif keyword == OB3_KEYWORD:
        element, namespace = "credential", OB3_SVG_NAMESPACE
        if (verify is None) == (assertion_json is None):
            raise BakingError(
                "An OB 3.0 baked SVG takes either verify (a VC-JWT) or the credential JSON"
            )
    else:
        raise BakingError(f"Unknown SVG baking keyword: {keyword!r}")
    parts = [f"<openbadges:{element}"]
    if verify is not None:
        value = _xml_text(_check_payload(verify, "verify value"), "verify value")
        parts.append(f' verify="{_attribute(value)}"')
    parts.append(">")
    if assertion_json is not None:
        content = _xml_text(_check_payload(assertion_json, "baked content"), "baked content")
        parts.append(_cdata(content))
    parts.append(f"</openbadges:{element}>")
    baked = ("\n" + "".join(parts)).encode("utf-8")

    data = _svg_bytes(svg)
    scan = _scan_svg(data)
    try:
        root = _root_tag(scan, namespace)
    except (IndexError, ValueError):  # cannot happen after expat accepted the tag
        raise BakingError("The SVG's root tag could not be read") from None
    out = [data[: scan.root_start], root, baked]
    pos = scan.root_tag_end
    for old in scan.baked or []:
        # Drop the whitespace before an old element too, so rebaking does not add blank lines.
        out.append(data[pos : old.start].rstrip(_XML_SPACE))
        pos = old.end
    out.append(data[pos:])
    if scan.root_self_closing:
        name_end = 1
        while root[name_end] not in _XML_SPACE and root[name_end] not in b"/>":
            name_end += 1
        out.append(b"\n</" + root[1:name_end] + b">")
    result = b"".join(out).decode("utf-8")
    _check_baked(result, verify, assertion_json)
    return result


def _check_baked(result: str, verify: str | None, content: str | None) -> None:
    # Cheap insurance: the output must parse and read back what was baked.
    bake = read_svg_bake(result)

    def same(a: str | None, b: str | None) -> bool:
        if a is None or b is None:
            return a is None and b is None
        return (
            a.replace("\r\n", "\n").replace("\r", "\n").strip()
            == b.replace("\r\n", "\n").replace("\r", "\n").strip()
        )

    if bake is None or not same(bake.verify, verify) or not same(bake.content, content):
        raise BakingError("Baking produced an SVG that does not read back; it was refused")
