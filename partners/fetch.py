"""Fetching a partner's feed over HTTP, defensively.

- Conditional GET: the feed's ETag / Last-Modified go out as If-None-Match /
  If-Modified-Since; a 304 means nothing to do.
- A total time limit per attempt (a server that trickles bytes cannot hold a worker).
- The body is streamed and abandoned as soon as it passes the size limit (a 50 MB
  "calendar" costs us at most the limit, never the whole download).
- Retries with backoff for what is likely to pass (timeouts, connection errors, 429 and
  5xx); other answers fail at once.
- Addresses that resolve to private, loopback or link-local networks are refused unless
  the settings allow them (development and tests serve feeds on 127.0.0.1), on the first
  request and on every redirect.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

USER_AGENT = "CityLearn feed harvester (+https://citylearn.example/partners)"
RETRY_STATUS = {429, 500, 502, 503, 504}


class FetchError(Exception):
    def __init__(self, reason: str, *, http_status: int | None = None, transient: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.http_status = http_status
        self.transient = transient


@dataclass(frozen=True)
class Fetched:
    status: int  # 200, or 304 (body None)
    body: bytes | None
    etag: str | None
    last_modified: str | None
    url: str  # after redirects


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    timeout_seconds: float
    allow_private: bool
    retries: int = 2
    backoff_seconds: float = 1.0


def _public(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        return True  # unknown names fail later with a clear connection error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
        ):
            return False
    return True


def client(limits: Limits) -> httpx.AsyncClient:
    """One client per worker, reused across feeds (connection pooling)."""

    async def guard(request: httpx.Request) -> None:
        host = request.url.host
        if not limits.allow_private and not await asyncio.to_thread(_public, host):
            raise FetchError(f"{host} is a private or local address; feeds must be public")

    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=5,
        timeout=httpx.Timeout(limits.timeout_seconds, connect=min(10.0, limits.timeout_seconds)),
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        event_hooks={"request": [guard]},
    )


async def fetch(
    http: httpx.AsyncClient,
    url: str,
    limits: Limits,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("not an http(s) address")
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    attempt = 0
    while True:
        try:
            async with asyncio.timeout(limits.timeout_seconds):
                return await _once(http, url, headers, limits.max_bytes)
        except TimeoutError:
            error = FetchError(
                f"no complete answer within {limits.timeout_seconds:g} s", transient=True
            )
        except httpx.TransportError as exc:
            error = FetchError(f"could not connect: {type(exc).__name__}", transient=True)
        except FetchError as exc:
            error = exc
        if not error.transient or attempt >= limits.retries:
            raise error
        attempt += 1
        await asyncio.sleep(limits.backoff_seconds * 2 ** (attempt - 1))


async def _once(
    http: httpx.AsyncClient, url: str, headers: dict[str, str], max_bytes: int
) -> Fetched:
    async with http.stream("GET", url, headers=headers) as response:
        status = response.status_code
        if status == 304:
            return Fetched(
                304,
                None,
                headers.get("If-None-Match"),
                headers.get("If-Modified-Since"),
                str(response.url),
            )
        if status in RETRY_STATUS:
            raise FetchError(f"the server answered {status}", http_status=status, transient=True)
        if status != 200:
            raise FetchError(f"the server answered {status}", http_status=status)
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(_too_large(max_bytes), http_status=status)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(_too_large(max_bytes), http_status=status)
            chunks.append(chunk)
        return Fetched(
            200,
            b"".join(chunks),
            response.headers.get("etag"),
            response.headers.get("last-modified"),
            str(response.url),
        )


def _too_large(max_bytes: int) -> str:
    return f"the feed is larger than {max_bytes / 1024 / 1024:g} MB"
