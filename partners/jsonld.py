"""schema.org JSON-LD in: the listings a partner's web page publishes.

Every `<script type="application/ld+json">` block is read with the standard library's
HTML parser (a bare JSON-LD document is read as one block); each holds one object, an
array, or an `@graph`. `{"@id": ...}` references are followed within the page, and a
CourseInstance its Course lists is read with the Course only. Each item is read by
partners/schemaorg.py (Event, Course, EducationalOccupationalProgram: see its rules);
items of other types (Organization, WebPage, Place, BreadcrumbList...) are skipped and
counted in the log, not reported.

A page with no JSON-LD is a SourceError; a block that is not JSON is a RecordError
("script n") and the other blocks still count. Items are located as "script n, item m".
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from partners import _schedule, _text
from partners.schemaorg import Node, Resolve, as_list, is_id, read_item, type_names
from server.catalog.records import ParsedItem, RecordError, SourceError

log = logging.getLogger(__name__)


class _Scripts(HTMLParser):
    """The text of every <script type="application/ld+json"> in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kind = next((v or "" for k, v in attrs if k == "type"), "")
        if tag == "script" and kind.split(";")[0].strip().lower() == "application/ld+json":
            self._open = []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._open is not None:
            self.blocks.append("".join(self._open))
            self._open = None

    def close(self) -> None:
        super().close()
        if self._open is not None:  # the page ends inside the block
            self.handle_endtag("script")


def script_blocks(page: str) -> list[str]:
    stripped = page.lstrip()
    if stripped.startswith(("{", "[")):
        return [stripped]
    scripts = _Scripts()
    try:
        scripts.feed(page)
        scripts.close()
    except AssertionError:  # _markupbase on some malformed declarations; keep what was found
        pass
    return scripts.blocks


def _nodes(data: Any) -> list[Any]:
    """The top-level items of a block: an object, an array, or @graph documents."""
    found = []
    for item in as_list(data):
        if isinstance(item, dict) and isinstance(item.get("@graph"), list):
            found += item["@graph"]
        else:
            found.append(item)
    return found


def _resolver(index: dict[str, Node]) -> Resolve:
    def resolve(value: Any) -> list[Any]:
        return [
            index.get(v["@id"], v)
            if isinstance(v, dict) and set(v) == {"@id"} and is_id(v["@id"])
            else v
            for v in as_list(value)
        ]

    return resolve


def parse(
    source: bytes, *, url: str | None = None, default_timezone: str = "America/Chicago"
) -> Iterator[ParsedItem]:
    """The listings in a page's JSON-LD (see the module docstring for the rules).

    Raises SourceError when the page has no JSON-LD block at all;
    ValueError for an unknown `default_timezone` (the caller's mistake, not the source's).
    """
    if _schedule.zone(default_timezone) is None:
        raise ValueError(f"unknown default time zone {default_timezone!r}")
    text, _ = _text.decode(source)
    blocks = script_blocks(text)
    if not blocks:
        raise SourceError("no schema.org JSON-LD found")
    items: list[ParsedItem] = []
    nodes: list[tuple[str, Node]] = []
    for number, block in enumerate(blocks, start=1):
        try:
            data = json.loads(block)
        except (ValueError, RecursionError) as exc:
            items.append(RecordError(f"not valid JSON: {str(exc)[:200]}", f"script {number}"))
            continue
        found = [n for n in _nodes(data) if isinstance(n, dict)]
        nodes += [(f"script {number}, item {i}", n) for i, n in enumerate(found, start=1)]
    index = {n["@id"]: n for _, n in nodes if is_id(n.get("@id")) and len(n) > 1}
    resolve = _resolver(index)
    # A CourseInstance its Course lists is read with the Course, not again on its own.
    inside = {
        i["@id"]
        for _, n in nodes
        for i in as_list(n.get("hasCourseInstance"))
        if isinstance(i, dict) and is_id(i.get("@id"))
    }
    skipped = 0
    for where, node in nodes:
        if is_id(node.get("@id")) and node["@id"] in inside and "Course" not in type_names(node):
            continue
        item = read_item(
            node,
            location=where,
            default_timezone=default_timezone,
            page_url=url,
            resolve=resolve,
        )
        if item is None:
            skipped += 1
        else:
            items.append(item)
    log.info("JSON-LD %s: %d items, %d of other types skipped", url or "", len(items), skipped)
    return iter(items)
