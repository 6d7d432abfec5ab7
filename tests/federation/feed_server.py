"""A real HTTP server on loopback that plays partners' feed servers for the harvest tests:
each path answers as the test says (a body with an ETag, a 500, a 50 MB stream, a
server that never answers), and every request is recorded."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Answer:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/calendar"
    etag: str | None = None
    # Seconds before answering (a timeout test), or a body streamed in endless chunks.
    delay: float = 0.0
    endless: bool = False
    # Fail this many times with `status_when_failing` before answering normally.
    fail_first: int = 0
    status_when_failing: int = 500


@dataclass
class FeedServer:
    base: str = ""
    answers: dict[str, Answer] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


def _app(server: FeedServer) -> Starlette:
    async def answer(request: Request) -> Response:
        path = request.url.path
        server.requests.append((path, dict(request.headers)))
        spec = server.answers.get(path)
        if spec is None:
            return Response(status_code=404)
        if spec.fail_first > 0:
            spec.fail_first -= 1
            return Response(status_code=spec.status_when_failing)
        if spec.delay:
            await asyncio.sleep(spec.delay)
        if spec.endless:

            async def chunks() -> AsyncIterator[bytes]:
                # 50 MB, yielding to the loop between chunks so the server notices the
                # client hanging up at its size limit.
                block = b"BEGIN:VEVENT\r\n" * 4096
                for _ in range(50 * 1024 * 1024 // len(block)):
                    yield block
                    await asyncio.sleep(0)

            return StreamingResponse(chunks(), media_type=spec.content_type)
        if spec.etag and request.headers.get("if-none-match") == spec.etag:
            return Response(status_code=304, headers={"ETag": spec.etag})
        headers = {"ETag": spec.etag} if spec.etag else {}
        return Response(
            spec.body, status_code=spec.status, media_type=spec.content_type, headers=headers
        )

    return Starlette(routes=[Route("/{path:path}", answer)])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    port = _free_port()
    config = uvicorn.Config(_app(server), host="127.0.0.1", port=port, log_level="warning")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not runner.started:
        if time.monotonic() > deadline:
            raise RuntimeError("feed server did not start")
        time.sleep(0.05)
    server.base = f"http://127.0.0.1:{port}"
    yield server
    runner.should_exit = True
    thread.join(timeout=10)
