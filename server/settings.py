"""Process-wide settings read once from the environment.

With no DATABASE_URL / REDIS_URL the project uses its own private servers
started by `citylearn services start` (see server/devservices.py).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CITYLEARN_DATA_DIR", ROOT / "var"))

# Private servers live on uncommon ports so they never collide with system ones. When the
# default is taken (another checkout's servers), devservices picks a free port and saves
# the choice in PORTS_FILE, which every later process of this checkout reads.
DEFAULT_PG_PORT = 54329
DEFAULT_REDIS_PORT = 63799
# The development mail sink (server/mail): every email the worker sends lands there.
DEFAULT_SMTP_PORT = 10259
PORTS_FILE = DATA_DIR / "ports.json"
SECRET_KEY_FILE = DATA_DIR / "secret_key"


def _saved_ports() -> dict[str, int]:
    try:
        saved = json.loads(PORTS_FILE.read_text())
    except (OSError, ValueError):
        return {}
    return {k: int(v) for k, v in saved.items() if k in ("postgres", "redis", "smtp")}


_saved = _saved_ports()
PRIVATE_PG_PORT = int(
    os.environ.get("CITYLEARN_PG_PORT") or _saved.get("postgres") or DEFAULT_PG_PORT
)
PRIVATE_REDIS_PORT = int(
    os.environ.get("CITYLEARN_REDIS_PORT") or _saved.get("redis") or DEFAULT_REDIS_PORT
)
PRIVATE_SMTP_PORT = int(
    os.environ.get("CITYLEARN_SMTP_PORT") or _saved.get("smtp") or DEFAULT_SMTP_PORT
)


def private_database_url() -> str:
    return f"postgresql://postgres@127.0.0.1:{PRIVATE_PG_PORT}/citylearn"


def private_redis_url() -> str:
    return f"redis://127.0.0.1:{PRIVATE_REDIS_PORT}/0"


def private_smtp_url() -> str:
    return f"smtp://127.0.0.1:{PRIVATE_SMTP_PORT}"


def save_private_ports(postgres: int, redis: int, smtp: int | None = None) -> None:
    """Remember ports chosen by devservices (module state for this process, file for others)."""
    global PRIVATE_PG_PORT, PRIVATE_REDIS_PORT, PRIVATE_SMTP_PORT
    PRIVATE_PG_PORT, PRIVATE_REDIS_PORT = postgres, redis
    if smtp is not None:
        PRIVATE_SMTP_PORT = smtp
    PORTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    ports = {"postgres": postgres, "redis": redis, "smtp": PRIVATE_SMTP_PORT}
    PORTS_FILE.write_text(json.dumps(ports) + "\n")


def _asyncpg_url(url: str) -> str:
    """SQLAlchemy wants the driver in the scheme; operators usually write plain postgresql://."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def _development_secret() -> str:
    """A per-checkout secret kept under DATA_DIR, so restarts keep people signed in."""
    try:
        return SECRET_KEY_FILE.read_text().strip()
    except OSError:
        secret = secrets.token_urlsafe(48)
        SECRET_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        SECRET_KEY_FILE.write_text(secret + "\n")
        SECRET_KEY_FILE.chmod(0o600)
        return secret


class ConfigurationError(RuntimeError):
    """A setting is missing or unusable; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    port: int
    host: str
    env: str  # "development" | "production"
    external_services: bool  # True when DATABASE_URL/REDIS_URL point at operator-run servers
    # Signs CSRF tokens; sessions and one-time links are random and stored hashed.
    secret_key: str = "insecure-development-key"
    # Where people reach the site: the base of every link in an email.
    public_url: str = "http://127.0.0.1:8000"
    smtp_url: str = "smtp://127.0.0.1:10259"
    mail_from: str = "CityLearn <no-reply@citylearn.local>"
    # Cookies carry the Secure flag (HTTPS only) everywhere but development.
    secure_cookies: bool = False
    # GraphQL query cost (schema/cost.py): the most one query may cost, and each
    # client's budget, a leaky bucket in Redis that drains at `cost_refill_per_second`.
    max_query_cost: int = 5000
    cost_budget: int = 20000
    cost_refill_per_second: float = 1000.0
    # Partner feeds: the largest body read, how long one fetch may take, and whether feed
    # URLs may point at private or loopback addresses (development and tests serve feeds
    # on 127.0.0.1; in production that would let a feed URL probe the internal network).
    feed_max_bytes: int = 20 * 1024 * 1024
    feed_timeout_seconds: float = 30.0
    allow_private_feed_hosts: bool = True
    max_radius_km: float = 100.0
    default_radius_km: float = 25.0
    max_page_size: int = 50
    default_page_size: int = 20

    @property
    def is_development(self) -> bool:
        return self.env == "development"

    @property
    def sqlalchemy_url(self) -> str:
        return _asyncpg_url(self.database_url)

    @property
    def plain_database_url(self) -> str:
        """For asyncpg/psql, which do not understand the +asyncpg suffix."""
        return "postgresql://" + self.sqlalchemy_url.split("://", 1)[1]


def load_settings() -> Settings:
    db = os.environ.get("DATABASE_URL")
    redis = os.environ.get("REDIS_URL")
    env = os.environ.get("CITYLEARN_ENV", "development")
    port = int(os.environ.get("PORT", "8000"))
    host = os.environ.get("HOST", "127.0.0.1")
    secret = os.environ.get("CITYLEARN_SECRET_KEY")
    if not secret:
        if env != "development":
            raise ConfigurationError(
                "CITYLEARN_SECRET_KEY must be set outside development (a long random string, "
                "e.g. from: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        secret = _development_secret()
    return Settings(
        database_url=db or private_database_url(),
        redis_url=redis or private_redis_url(),
        port=port,
        host=host,
        env=env,
        external_services=bool(db and redis),
        secret_key=secret,
        public_url=(os.environ.get("PUBLIC_URL") or f"http://{host}:{port}").rstrip("/"),
        smtp_url=os.environ.get("SMTP_URL") or private_smtp_url(),
        mail_from=os.environ.get("MAIL_FROM") or Settings.mail_from,
        secure_cookies=_flag("COOKIE_SECURE", default=env != "development"),
        max_query_cost=int(os.environ.get("CITYLEARN_MAX_QUERY_COST", Settings.max_query_cost)),
        cost_budget=int(os.environ.get("CITYLEARN_COST_BUDGET", Settings.cost_budget)),
        cost_refill_per_second=float(
            os.environ.get("CITYLEARN_COST_REFILL", Settings.cost_refill_per_second)
        ),
        feed_max_bytes=int(os.environ.get("CITYLEARN_FEED_MAX_BYTES", Settings.feed_max_bytes)),
        feed_timeout_seconds=float(
            os.environ.get("CITYLEARN_FEED_TIMEOUT", Settings.feed_timeout_seconds)
        ),
        allow_private_feed_hosts=_flag(
            "CITYLEARN_ALLOW_PRIVATE_FEEDS", default=env == "development"
        ),
    )


def _flag(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")
