"""Token buckets in Redis: each client's budget of points, refilling at a steady rate.

A bucket holds at most `capacity` points and gains `refill_per_second` points a second.
A request spends its points when the bucket holds them all, and otherwise is refused and
spends nothing. One Lua script reads, refills, spends and writes the bucket atomically,
so concurrent requests of one client (or several API processes) never both spend the
last points. The time is Redis' own clock (TIME): every API process agrees on it, and a
process with a skewed clock cannot refill its clients early. Tests pass `now` instead.

A bucket's key expires once the bucket would be full again, so idle clients cost nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, cast

from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError

log = logging.getLogger(__name__)

# KEYS[1]: the bucket. ARGV: capacity, refill per second, amount, now in seconds ("" for
# Redis' clock). Returns {1 when spent else 0, the points left as a string} (a Lua number
# would come back truncated to an integer).
_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local amount = tonumber(ARGV[3])
local now
if ARGV[4] == "" then
  local t = redis.call("TIME")
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
else
  now = tonumber(ARGV[4])
end
local state = redis.call("HMGET", KEYS[1], "level", "at")
local level = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
-- A clock that went back refills nothing (and does not move the bucket's time back).
if now > at then
  level = math.min(capacity, level + (now - at) * rate)
  at = now
end
local spent = 0
if level >= amount then
  level = level - amount
  spent = 1
end
redis.call("HSET", KEYS[1], "level", string.format("%.17g", level),
           "at", string.format("%.17g", at))
redis.call("PEXPIRE", KEYS[1], math.max(1, math.ceil((capacity - level) / rate * 1000)))
return {spent, string.format("%.3f", level)}
"""
_SHA = hashlib.sha1(_SCRIPT.encode()).hexdigest()

# A Redis that does not answer must not hold requests up for long.
TIMEOUT_SECONDS = 0.25
# Fail-open warnings at most this often, not once per request.
_WARN_EVERY_SECONDS = 60.0
_last_warning = float("-inf")


@dataclass(frozen=True)
class Spend:
    spent: bool  # False: refused, and nothing was spent
    available: float  # points left in the bucket after this request
    retry_after: float  # seconds until the bucket holds the amount; 0 when spent


@dataclass(frozen=True)
class TokenBucket:
    redis: Redis
    name: str  # keys are "<name>:<client key>"
    capacity: int
    refill_per_second: float

    def __post_init__(self) -> None:
        if self.capacity <= 0 or self.refill_per_second <= 0:
            raise ValueError("a bucket needs a positive capacity and refill rate")

    async def spend(self, key: str, amount: int, *, now: float | None = None) -> Spend | None:
        """Spend `amount` points of `key`'s bucket, or refuse. None when Redis cannot be
        reached or fails: the caller serves the request anyway (fails open)."""
        args = [
            f"{self.name}:{key}",
            str(self.capacity),
            repr(float(self.refill_per_second)),
            str(amount),
            "" if now is None else repr(float(now)),
        ]
        try:
            spent, level = await self._run(args)
        except (RedisError, OSError) as error:  # OSError covers the timeout too
            # Fail open: budgets protect the service from a greedy client, and without
            # Redis they cannot be kept, but refusing everyone would do a greedy client's
            # worst. The query cost maximum still holds, and searching for summer
            # programs goes on while Redis is away.
            _warn(error)
            return None
        available = float(level)
        retry_after = 0.0 if spent else (amount - available) / self.refill_per_second
        return Spend(spent=bool(spent), available=available, retry_after=retry_after)

    async def _run(self, args: list[str]) -> list[Any]:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            try:
                return await _reply(self.redis.evalsha(_SHA, 1, *args))
            except NoScriptError:
                # Not cached (a new or restarted Redis): EVAL runs it and caches it.
                return await _reply(self.redis.eval(_SCRIPT, 1, *args))


def _reply(call: Awaitable[str] | str) -> Awaitable[list[Any]]:
    """redis-py types its commands for the sync and async clients at once."""
    return cast("Awaitable[list[Any]]", call)


def _warn(error: Exception) -> None:
    global _last_warning
    if time.monotonic() - _last_warning >= _WARN_EVERY_SECONDS:
        _last_warning = time.monotonic()
        log.warning("budgets unavailable, serving requests without them: %r", error)
