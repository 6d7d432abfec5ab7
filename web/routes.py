"""The web pages' routes, included by `server.app.create_app`."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web import devmail, pages

STATIC = Path(__file__).resolve().parent / "static"


class _StaticHeaders:
    """Adds nosniff and a short cache lifetime to every static response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"cache-control", b"public, max-age=3600"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


routes: list[BaseRoute] = [
    Route("/", pages.home, name="home"),
    Route("/search", pages.search_page, name="search"),
    # Before the detail route: "12.ics" would otherwise match {opportunity_id}.
    Route("/opportunities/{opportunity_id:int}.ics", pages.opportunity_ics, name="opportunity_ics"),
    Route("/opportunities/{opportunity_id}", pages.opportunity_page, name="opportunity"),
    Route("/organizations/{slug}", pages.organization_page, name="organization"),
    # Development only (a 404 elsewhere): the mail the private sink received.
    Route("/dev/mail", devmail.mail_list, name="dev_mail"),
    Route("/dev/mail/{name}", devmail.mail_message, name="dev_mail_message"),
    Mount("/static", app=_StaticHeaders(StaticFiles(directory=STATIC)), name="static"),
]

# For the app's exception handlers: `{404: web.routes.not_found}` gives every unknown
# URL the same friendly, translated page.
not_found = pages.not_found

__all__ = ["not_found", "routes"]
