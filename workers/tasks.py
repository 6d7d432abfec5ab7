"""Tasks: open a session, call a server service, commit."""

from __future__ import annotations

from typing import Any

from server.catalog import service as catalog
from server.db import session_scope
from server.errors import NotFound


async def expand_sessions(ctx: dict[str, Any], opportunity_id: int) -> int:
    """Re-expand a listing's schedule into sessions (after an edit or an import)."""
    async with session_scope(ctx["sessionmaker"]) as session:
        try:
            return await catalog.expand_sessions(session, opportunity_id)
        except NotFound:
            return 0  # deleted since it was queued: nothing to do
