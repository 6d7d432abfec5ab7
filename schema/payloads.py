"""Mutation plumbing: a write transaction per mutation, errors as data.

A mutation's own mistakes (bad input, a conflict) come back in its payload's
`errors { field message code }` and change nothing; permission failures stay
top-level errors (raised by schema/permissions.py, or here when a service refuses).
After a commit the worker is nudged to send the outbox's emails.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.context import Context
from schema.errors import to_graphql_error
from server.db import session_scope
from server.errors import DomainError, Forbidden, Unauthenticated
from server.outbox import nudge

T = TypeVar("T")


@strawberry.type
class UserError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str
    code: str


async def perform(
    context: Context, work: Callable[[AsyncSession], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    try:
        async with session_scope(context.sessionmaker) as session:
            result = await work(session)
    except (Forbidden, Unauthenticated) as error:
        raise to_graphql_error(error) from None
    except DomainError as error:
        return None, [UserError(field=error.field, message=error.message, code=error.code)]
    await nudge(context.redis)
    return result, []
