"""What every resolver can reach: settings, the request's database session, loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from schema.database import RequestDatabase
from schema.loaders import Loaders
from server.authz import ANONYMOUS, Actor
from server.settings import Settings


@dataclass
class Context:
    request: Request | None
    settings: Settings
    # Writes (mutations) open their own unit of work with this one.
    sessionmaker: async_sessionmaker[AsyncSession]
    # Reads share the request's one autocommit session (schema/database.py).
    read_sessionmaker: async_sessionmaker[AsyncSession]
    # One clock reading per request, so "upcoming" means the same thing in every field.
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Who is calling (schema/auth.py); anonymous unless a token or a session says more.
    actor: Actor = ANONYMOUS
    db: RequestDatabase = field(init=False)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.db = RequestDatabase(self.read_sessionmaker)
        self.loaders = Loaders(self.db, self.now)

    @property
    def redis(self) -> ArqRedis:
        """The process's Redis client (an arq client: it can enqueue jobs too)."""
        assert self.request is not None
        client: ArqRedis = self.request.app.state.redis
        return client

    @property
    def client_ip(self) -> str:
        client = self.request.client if self.request is not None else None
        return client.host if client is not None else "unknown"

    @property
    def rate_key(self) -> str:
        """Whose query-cost budget a request spends (schema/cost.py): the API token's when
        the request carries one, else the client IP's."""
        if self.actor.token_id is not None:
            return f"token:{self.actor.token_id}"
        return f"ip:{self.client_ip}"
