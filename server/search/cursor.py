"""Opaque keyset cursors: base64url of the sort key values plus the id tie-breaker.

Distances tie whenever many listings share a venue, so the id always breaks ties
and a page boundary can never skip or repeat a row.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import datetime

from server.errors import InvalidInput
from server.search.query import SortOrder

_PREFIX = "c1."


@dataclass(frozen=True)
class Cursor:
    sort: SortOrder
    key: float | datetime | None  # distance in metres, next start, or rank
    id: int


def encode(cursor: Cursor) -> str:
    key: float | str | None
    key = cursor.key.isoformat() if isinstance(cursor.key, datetime) else cursor.key
    raw = json.dumps([cursor.sort.value, key, cursor.id], separators=(",", ":"))
    return _PREFIX + base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _bad() -> InvalidInput:
    return InvalidInput("the cursor is not valid for this search", field="after")


def decode(value: str, expected: SortOrder) -> Cursor:
    if not value.startswith(_PREFIX) or len(value) > 200:
        raise _bad()
    body = value[len(_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        sort_name, key, ident = json.loads(raw)
        sort = SortOrder(sort_name)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise _bad() from None
    if sort is not expected or not isinstance(ident, int) or isinstance(ident, bool):
        raise _bad()
    if sort is SortOrder.SOONEST:
        if key is not None:
            if not isinstance(key, str):
                raise _bad()
            try:
                parsed = datetime.fromisoformat(key)
            except ValueError:
                raise _bad() from None
            if parsed.tzinfo is None:
                raise _bad()
            return Cursor(sort, parsed, ident)
        return Cursor(sort, None, ident)
    if not isinstance(key, int | float) or isinstance(key, bool) or not math.isfinite(key):
        raise _bad()
    return Cursor(sort, float(key), ident)
