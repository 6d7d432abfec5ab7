"""Apply Alembic migrations programmatically (used by the CLI and the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(sqlalchemy_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if sqlalchemy_url:
        config.set_main_option("sqlalchemy.url", sqlalchemy_url)
    return config


def upgrade(sqlalchemy_url: str | None = None, revision: str = "head") -> None:
    """Blocking: run from a thread when inside an event loop (env.py calls asyncio.run)."""
    command.upgrade(alembic_config(sqlalchemy_url), revision)
