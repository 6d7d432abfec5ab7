"""The Strawberry schema and its ASGI app at /graphql."""

from __future__ import annotations

import orjson
import strawberry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from schema.context import Context
from schema.database import CloseRequestDatabase
from schema.limits import extensions
from schema.query import Query
from schema.types import Opportunity, Organization
from server.settings import Settings


def build_schema(settings: Settings) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        types=[Opportunity, Organization],
        extensions=[*extensions(settings), CloseRequestDatabase],
    )


class CityLearnGraphQL(GraphQL[Context, None]):
    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        read_sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        super().__init__(
            build_schema(settings), graphql_ide="graphiql" if settings.is_development else None
        )
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.read_sessionmaker = read_sessionmaker

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        return Context(
            request=request if isinstance(request, Request) else None,
            settings=self.settings,
            sessionmaker=self.sessionmaker,
            read_sessionmaker=self.read_sessionmaker,
        )

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
