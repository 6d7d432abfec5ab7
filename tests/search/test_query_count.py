"""The number of SQL statements for a search page must not grow with the page size."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event
from starlette.applications import Starlette

from tests.graphql_client import SEARCH, gql


@contextmanager
def count_statements(app: Starlette) -> Iterator[list[str]]:
    statements: list[str] = []
    sync_engine = app.state.engine.sync_engine

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)


async def test_statements_do_not_grow_with_page_size(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    counts = {}
    for first in (2, 10, 50):
        with count_statements(app) as statements:
            body = await gql(client, SEARCH, {"near": {"postalCode": "60614"}, "first": first})
        assert len(body["data"]["opportunities"]["edges"]) == first
        counts[first] = len(statements)
    assert counts[2] == counts[10] == counts[50]
    # search + listings + count + organizations + places + sessions
    assert counts[50] <= 6, counts
