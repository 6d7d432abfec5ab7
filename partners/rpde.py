"""OpenActive RPDE in (Realtime Paged Data Exchange, https://openactive.io/realtime-paged-data-exchange/).

A feed is a chain of pages: `{"items": [...], "next": "...", "license": "..."}`. Each item
is `{"state": "updated" | "deleted", "kind", "id", "modified", "data"}`, in ascending
(modified, id) order across the whole feed.

How a harvester walks it: start at `first_url(feed_url)`, read each page with
`parse_page`, apply its items, then fetch `page.next_url` until `page.is_last`; remember
the last `next_url` and poll from it next time (it is the feed's position: a page that was
last before may have new items later). Never start over from the first page unless the
publisher says the feed was reset.

Record rules:
- `updated` items: `data` is read like a page's JSON-LD item (partners/schemaorg.py: Event,
  ScheduledSession, SessionSeries, Course, EducationalOccupationalProgram, the shape our
  own pages and feed publish). The external id is the RPDE item's `id`, not `data.@id`,
  so a later tombstone finds it.
- `deleted` items: a `ListingRecord(deleted=True)` tombstone with that id and no title.
- `modified`: an integer (a change number, the usual kind) or an ISO 8601 timestamp. An
  integer is not a time, so it never becomes `source_modified` (a timestamp does; else
  the data's own dateModified).
  Every record's `source_version` is text that sorts as the feed does (an integer
  zero-padded to 20 digits, a timestamp as UTC ISO 8601): the import service applies a
  record only when it is above the stored one. `extra["rpde_modified"]` keeps the raw value.
- The page is a SourceError when it is not RPDE JSON or its items are not in strictly
  ascending (modified, id) order (the spec requires it; a mis-ordered feed loses updates
  when walked). An item without a usable id, state or modified is a RecordError.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from partners import _fields, _schedule, _text, schemaorg
from server.catalog.records import (
    MAX_EXTERNAL_ID,
    ListingRecord,
    ParsedItem,
    RecordError,
    SourceError,
)

# The query parameters an RPDE publisher uses for paging (its three ordering strategies).
PAGING_PARAMETERS = ("afterTimestamp", "afterId", "afterChangeNumber")


@dataclass(frozen=True)
class RpdePage:
    items: list[ParsedItem]
    next_url: str  # absolute
    is_last: bool
    license: str | None = None


def first_url(base_url: str) -> str:
    """The feed's first page: its URL without any paging parameters."""
    parts = urlsplit(base_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = [(k, v) for k, v in query if k not in PAGING_PARAMETERS]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def _sort_key(modified: Any) -> tuple[str, datetime | None] | None:
    """Text that sorts as the feed does, and the time when `modified` is one."""
    if isinstance(modified, int) and not isinstance(modified, bool) and modified >= 0:
        return f"{modified:020d}", None
    if isinstance(modified, str) and modified.strip().isdigit():
        return f"{int(modified):020d}", None
    if isinstance(modified, str):
        try:
            moment = datetime.fromisoformat(modified.strip())
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
        return moment.isoformat(timespec="microseconds"), moment
    return None


def _id_key(value: str) -> str:
    # Numeric ids order as numbers, others as text.
    return f"{int(value):020d}" if value.isdigit() and len(value) <= 20 else value


def _item(raw: Any, where: str, default_timezone: str) -> tuple[ParsedItem, tuple[str, str] | None]:
    """A record (or why not) and its ordering key."""
    if not isinstance(raw, dict):
        return RecordError("not an RPDE item (an object)", where), None
    ident = raw.get("id")
    ident = str(ident) if isinstance(ident, str | int) and not isinstance(ident, bool) else ""
    if not ident.strip() or len(ident) > MAX_EXTERNAL_ID:
        return RecordError("no id of 1 to 300 characters", where), None
    where = f"{where} (id {ident})"
    key = _sort_key(raw.get("modified"))
    if key is None:
        return RecordError("modified is neither an integer nor an ISO 8601 time", where), None
    sort, moment = key
    extra = {"rpde_modified": str(raw.get("modified"))}
    state = raw.get("state")
    if state == "deleted":
        tombstone = ListingRecord(
            ident,
            "",
            source_modified=moment,
            source_version=sort,
            deleted=True,
            location=where,
            extra=extra,
        )
        return tombstone, (sort, _id_key(ident))
    if state != "updated":
        return RecordError(f"state {str(state)[:20]!r} is not updated or deleted", where), None
    data = raw.get("data")
    if not isinstance(data, dict):
        return RecordError("an updated item without data", where, ident), (sort, _id_key(ident))
    found = schemaorg.read_item(
        data, location=where, default_timezone=default_timezone, external_id=ident
    )
    if found is None:
        kinds = ",".join(schemaorg.type_names(data)) or "no @type"
        found = RecordError(f"data of type {kinds} is not a listing", where, ident)
    elif isinstance(found, ListingRecord):
        merged = {**found.extra, **extra}
        # An integer `modified` is no time: then the item's own dateModified, if any.
        changed = moment or found.source_modified
        found = dataclasses.replace(
            found, extra=merged, source_modified=changed, source_version=sort
        )
    return found, (sort, _id_key(ident))


def parse_page(source: bytes, *, url: str, default_timezone: str = "America/Chicago") -> RpdePage:
    """One RPDE page: its records, the next page's URL and whether this is the last page.

    Raises SourceError when the page is not RPDE or its items are out of order.
    """
    if _schedule.zone(default_timezone) is None:
        raise ValueError(f"unknown default time zone {default_timezone!r}")
    text, _ = _text.decode(source)
    try:
        page = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SourceError(f"not an RPDE page: not JSON ({str(exc)[:120]})") from exc
    if not isinstance(page, dict) or not isinstance(page.get("items"), list):
        raise SourceError("not an RPDE page: no items list")
    following = page.get("next")
    if not isinstance(following, str) or not following.strip():
        raise SourceError("not an RPDE page: no next URL")
    items: list[ParsedItem] = []
    previous: tuple[str, str] | None = None
    for number, raw in enumerate(page["items"], start=1):
        item, key = _item(raw, f"item {number}", default_timezone)
        if key is not None:
            if previous is not None and key <= previous:
                raise SourceError(
                    f"items out of order: item {number} (modified {raw['modified']}, id "
                    f"{raw['id']}) does not come after the one before it; RPDE pages must "
                    "be in ascending (modified, id) order"
                )
            previous = key
        items.append(item)
    next_url = _fields.join_url(url, following.strip())
    if next_url is None:
        raise SourceError(f"not an RPDE page: next {following[:80]!r} is not a URL")
    license = page.get("license")
    return RpdePage(
        items=items,
        next_url=next_url,
        is_last=not page["items"] or next_url == url,
        license=license if isinstance(license, str) else None,
    )
