"""The Strawberry schema and its ASGI app at /graphql."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext
from strawberry.utils.logging import StrawberryLogger

from schema.account_queries import AccountQuery
from schema.auth import actor_for
from schema.badge_mutations import BadgeMutation, BadgeQuery
from schema.context import Context
from schema.database import CloseRequestDatabase
from schema.errors import should_mask
from schema.limits import extensions
from schema.listing_mutations import ListingMutation
from schema.mutations import Mutation as AccountMutation
from schema.query import Query as SearchQuery
from schema.stack_mutations import StackMutation, StackQuery
from schema.types import Opportunity, Organization
from server.authz import ANONYMOUS
from server.settings import Settings

Query = merge_types("Query", (SearchQuery, AccountQuery, BadgeQuery, StackQuery))
Mutation = merge_types("Mutation", (AccountMutation, ListingMutation, BadgeMutation, StackMutation))


class CityLearnSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Log what an operator must look at: unexpected exceptions. A caller's mistakes
        # (validation, permissions, throttling, bad input) are answered, not logged, so a
        # burst of bad requests cannot bury a real failure in the log.
        for error in errors:
            if should_mask(error):
                StrawberryLogger.error(error, execution_context)


def build_schema(settings: Settings) -> strawberry.Schema:
    return CityLearnSchema(
        query=Query,
        mutation=Mutation,
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
        http = request if isinstance(request, Request) else None
        now = datetime.now(UTC)
        actor = (
            await actor_for(http, self.settings, self.sessionmaker, now=now)
            if http is not None
            else ANONYMOUS
        )
        return Context(
            request=http,
            settings=self.settings,
            sessionmaker=self.sessionmaker,
            read_sessionmaker=self.read_sessionmaker,
            now=now,
            actor=actor,
        )

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
