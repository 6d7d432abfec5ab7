"""The composition root: builds the Starlette app from the GraphQL schema and the web pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from arq.connections import ArqRedis
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.db import make_engine, make_read_sessionmaker, make_sessionmaker
from server.settings import Settings, load_settings


async def healthz(request: Request) -> Response:
    """Liveness plus a database round trip, for load balancers and docker-compose."""
    try:
        async with request.app.state.read_sessionmaker() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:  # the probe reports, it must not raise
        return JSONResponse({"status": "error", "database": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings | None = None) -> Starlette:
    # Imported here: the core must not depend on its adapters except at this root.
    from schema.app import CityLearnGraphQL
    from web.routes import not_found
    from web.routes import routes as web_routes

    settings = settings or load_settings()
    engine = make_engine(settings)
    sessionmaker = make_sessionmaker(engine)
    read_sessionmaker = make_read_sessionmaker(engine)

    # One Redis client per process, connecting on first use: the arq queue (it is an arq
    # client), the query cost budgets and sign-in throttling all share it.
    redis: ArqRedis = ArqRedis.from_url(settings.redis_url)  # closes its pool on aclose()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await redis.aclose()
            await engine.dispose()

    graphql = CityLearnGraphQL(settings, sessionmaker, read_sessionmaker)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            *web_routes,
        ],
        lifespan=lifespan,
        exception_handlers={404: not_found},
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker
    app.state.read_sessionmaker = read_sessionmaker
    app.state.redis = redis
    return app
