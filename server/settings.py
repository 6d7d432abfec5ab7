"""Process-wide settings read once from the environment.

With no DATABASE_URL / REDIS_URL the project uses its own private servers
started by `citylearn services start` (see server/devservices.py).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CITYLEARN_DATA_DIR", ROOT / "var"))

# Private servers live on uncommon ports so they never collide with system ones. When the
# default is taken (another checkout's servers), devservices picks a free port and saves
# the choice in PORTS_FILE, which every later process of this checkout reads.
DEFAULT_PG_PORT = 54329
DEFAULT_REDIS_PORT = 63799
PORTS_FILE = DATA_DIR / "ports.json"


def _saved_ports() -> dict[str, int]:
    try:
        saved = json.loads(PORTS_FILE.read_text())
    except (OSError, ValueError):
        return {}
    return {k: int(v) for k, v in saved.items() if k in ("postgres", "redis")}


_saved = _saved_ports()
PRIVATE_PG_PORT = int(
    os.environ.get("CITYLEARN_PG_PORT") or _saved.get("postgres") or DEFAULT_PG_PORT
)
PRIVATE_REDIS_PORT = int(
    os.environ.get("CITYLEARN_REDIS_PORT") or _saved.get("redis") or DEFAULT_REDIS_PORT
)


def private_database_url() -> str:
    return f"postgresql://postgres@127.0.0.1:{PRIVATE_PG_PORT}/citylearn"


def private_redis_url() -> str:
    return f"redis://127.0.0.1:{PRIVATE_REDIS_PORT}/0"


def save_private_ports(postgres: int, redis: int) -> None:
    """Remember ports chosen by devservices (module state for this process, file for others)."""
    global PRIVATE_PG_PORT, PRIVATE_REDIS_PORT
    PRIVATE_PG_PORT, PRIVATE_REDIS_PORT = postgres, redis
    PORTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    PORTS_FILE.write_text(json.dumps({"postgres": postgres, "redis": redis}) + "\n")


def _asyncpg_url(url: str) -> str:
    """SQLAlchemy wants the driver in the scheme; operators usually write plain postgresql://."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    port: int
    host: str
    env: str  # "development" | "production"
    external_services: bool  # True when DATABASE_URL/REDIS_URL point at operator-run servers
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
    return Settings(
        database_url=db or private_database_url(),
        redis_url=redis or private_redis_url(),
        port=int(os.environ.get("PORT", "8000")),
        host=os.environ.get("HOST", "127.0.0.1"),
        env=os.environ.get("CITYLEARN_ENV", "development"),
        external_services=bool(db and redis),
    )
