"""Throttling repeated failed sign-ins, per account and per address, in Redis.

Five misses for one email within 15 minutes lock that email for 15 minutes (a guessing
attack on one account); 30 misses from one IP address lock the address (spraying many
accounts). A success clears the email's count.
"""

from __future__ import annotations

from redis.asyncio import Redis

from server.accounts.secrets import digest

WINDOW_SECONDS = 15 * 60
MAX_PER_EMAIL = 5
MAX_PER_IP = 30


def _keys(email: str, ip: str | None) -> tuple[str, str]:
    # Hashed: Redis need not hold people's email addresses.
    return f"signin:fail:email:{digest(email)}", f"signin:fail:ip:{ip or 'unknown'}"


async def retry_after(redis: Redis, email: str, ip: str | None) -> int:
    """Seconds until this email / address may try again; 0 when allowed now."""
    email_key, ip_key = _keys(email, ip)
    async with redis.pipeline(transaction=False) as pipe:
        for key in (email_key, ip_key):
            pipe.get(key)
            pipe.ttl(key)
        email_count, email_ttl, ip_count, ip_ttl = await pipe.execute()
    wait = 0
    if email_count is not None and int(email_count) >= MAX_PER_EMAIL:
        wait = max(wait, int(email_ttl))
    if ip_count is not None and int(ip_count) >= MAX_PER_IP:
        wait = max(wait, int(ip_ttl))
    return max(wait, 0)


async def record_failure(redis: Redis, email: str, ip: str | None) -> None:
    async with redis.pipeline(transaction=True) as pipe:
        for key in _keys(email, ip):
            # The window starts at the first miss and is not extended by later ones.
            pipe.incr(key)
            pipe.expire(key, WINDOW_SECONDS, nx=True)
        await pipe.execute()


async def clear(redis: Redis, email: str) -> None:
    await redis.delete(_keys(email, None)[0])
