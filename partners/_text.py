"""Bytes to text that never fails, and text cleaned for a listing.

Partners' files come from calendar servers, CMSs and spreadsheets: UTF-8 mostly, UTF-16
from some Windows exports, Latin-1 / Windows-1252 from older spreadsheets, and sometimes
a mix (one pasted line). Decoding tries UTF-8 for the whole text, then line by line, so
one Windows-1252 line does not garble the UTF-8 around it.
"""

from __future__ import annotations

import html
import logging
import re

log = logging.getLogger(__name__)

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>|<!--.*?-->", re.DOTALL)
_BREAKS = {"br", "p", "div", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}


def _utf16(source: bytes) -> str | None:
    """The codec of a UTF-16/32 text (by its byte order mark or its zero bytes)."""
    if source.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if source.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = source[:64]
    if len(head) >= 4 and head.count(0) * 3 >= len(head):
        if head[1::2].count(0) > len(head) // 3:
            return "utf-16-le"
        if head[0::2].count(0) > len(head) // 3:
            return "utf-16-be"
    return None


def decode(source: bytes) -> tuple[str, str]:
    """The text and the encoding it was read in ("utf-8", "utf-16", "utf-8+windows-1252")."""
    codec = _utf16(source)
    if codec:
        return source.decode(codec, errors="replace").lstrip("\ufeff"), codec
    if source.startswith(b"\xef\xbb\xbf"):
        source = source[3:]
    try:
        return source.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lines = []
    fallback = 0
    for line in source.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            # Windows-1252 is Latin-1 plus curly quotes and dashes in 0x80-0x9F.
            lines.append(line.decode("cp1252", errors="replace"))
            fallback += 1
    log.warning("not valid UTF-8: %d lines read as Windows-1252 (Latin-1)", fallback)
    return "\n".join(lines), "utf-8+windows-1252"


def plain(value: str) -> str:
    """Text without HTML markup or entities, paragraphs kept as line breaks."""
    if "<" in value:
        value = _TAG.sub(lambda m: "\n" if (m.group(2) or "").lower() in _BREAKS else "", value)
    value = html.unescape(value).replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    lines = (" ".join(line.split()) for line in value.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clip(value: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking the cut."""
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"
