"""The network's curated topic and competency taxonomies, and an idempotent loader.

The lists are the source of truth for a fresh installation; admins may add more
rows later, so loading only upserts by slug and never deletes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


@dataclass(frozen=True, slots=True)
class TaxonomyEntry:
    slug: str
    name: str  # English
    name_es: str
    description: str = ""


TOPICS: list[TaxonomyEntry] = [
    TaxonomyEntry("coding", "Coding", "Programación"),
    TaxonomyEntry("robotics", "Robotics", "Robótica"),
    TaxonomyEntry("art", "Art", "Arte"),
    TaxonomyEntry("music", "Music", "Música"),
    TaxonomyEntry("dance", "Dance", "Danza"),
    TaxonomyEntry("theater", "Theater", "Teatro"),
    TaxonomyEntry("science", "Science", "Ciencias"),
    TaxonomyEntry("nature-environment", "Nature & Environment", "Naturaleza y medio ambiente"),
    TaxonomyEntry("math", "Math", "Matemáticas"),
    TaxonomyEntry("writing", "Writing", "Escritura"),
    TaxonomyEntry("reading", "Reading", "Lectura"),
    TaxonomyEntry("sports-fitness", "Sports & Fitness", "Deportes y actividad física"),
    TaxonomyEntry("cooking", "Cooking", "Cocina"),
    TaxonomyEntry("health", "Health", "Salud"),
    TaxonomyEntry("civic-engagement", "Civic Engagement", "Participación cívica"),
    TaxonomyEntry("entrepreneurship", "Entrepreneurship", "Emprendimiento"),
    TaxonomyEntry("media-film", "Media & Film", "Medios y cine"),
    TaxonomyEntry("design", "Design", "Diseño"),
    TaxonomyEntry("history-culture", "History & Culture", "Historia y cultura"),
    TaxonomyEntry("careers", "Careers", "Carreras profesionales"),
    TaxonomyEntry("languages", "Languages", "Idiomas"),
    TaxonomyEntry("gaming", "Gaming", "Videojuegos"),
]

COMPETENCIES: list[TaxonomyEntry] = [
    TaxonomyEntry(
        "collaboration",
        "Collaboration",
        "Colaboración",
        "Works with others toward a shared goal, sharing ideas and credit.",
    ),
    TaxonomyEntry(
        "communication",
        "Communication",
        "Comunicación",
        "Explains ideas clearly in speech, writing and media, and listens well.",
    ),
    TaxonomyEntry(
        "critical-thinking",
        "Critical Thinking",
        "Pensamiento crítico",
        "Weighs evidence, asks good questions and reaches reasoned conclusions.",
    ),
    TaxonomyEntry(
        "creativity",
        "Creativity",
        "Creatividad",
        "Generates original ideas and turns them into something real.",
    ),
    TaxonomyEntry(
        "digital-literacy",
        "Digital Literacy",
        "Alfabetización digital",
        "Uses digital tools to find, make and share information safely.",
    ),
    TaxonomyEntry(
        "problem-solving",
        "Problem Solving",
        "Resolución de problemas",
        "Breaks a problem down, tries solutions and learns from what fails.",
    ),
    TaxonomyEntry(
        "leadership",
        "Leadership",
        "Liderazgo",
        "Takes initiative, organizes people and helps a group succeed.",
    ),
    TaxonomyEntry(
        "perseverance",
        "Perseverance",
        "Perseverancia",
        "Keeps going through setbacks and sees long projects through.",
    ),
    TaxonomyEntry(
        "empathy",
        "Empathy",
        "Empatía",
        "Understands other people's perspectives and acts with care.",
    ),
    TaxonomyEntry(
        "civic-responsibility",
        "Civic Responsibility",
        "Responsabilidad cívica",
        "Takes part in community life and works to improve it.",
    ),
    TaxonomyEntry(
        "financial-literacy",
        "Financial Literacy",
        "Educación financiera",
        "Budgets, saves and makes informed decisions about money.",
    ),
    TaxonomyEntry(
        "career-readiness",
        "Career Readiness",
        "Preparación profesional",
        "Shows up prepared, acts professionally and plans next steps toward work.",
    ),
]


@dataclass(frozen=True, slots=True)
class _Table:
    name: str
    columns: tuple[str, ...]
    entries: Sequence[TaxonomyEntry]

    def rows(self) -> list[tuple[str, ...]]:
        return [tuple(str(getattr(entry, col)) for col in self.columns) for entry in self.entries]


_TABLES = (
    _Table("topics", ("slug", "name", "name_es"), TOPICS),
    _Table("competencies", ("slug", "name", "name_es", "description"), COMPETENCIES),
)


def _upsert_sql(table: _Table, placeholders: Sequence[str]) -> str:
    cols = ", ".join(table.columns)
    changed = [col for col in table.columns if col != "slug"]
    assignments = ", ".join(f"{col} = excluded.{col}" for col in changed)
    current = ", ".join(f"{table.name}.{col}" for col in changed)
    incoming = ", ".join(f"excluded.{col}" for col in changed)
    # The WHERE clause skips unchanged rows, so re-running writes nothing (no dead tuples).
    return (
        f"INSERT INTO {table.name} ({cols}) VALUES ({', '.join(placeholders)}) "
        f"ON CONFLICT (slug) DO UPDATE SET {assignments} "
        f"WHERE ({current}) IS DISTINCT FROM ({incoming})"
    )


async def ensure_taxonomies(conn: AsyncConnection) -> None:
    """Insert or refresh every curated topic and competency; safe to run any number of times."""
    for table in _TABLES:
        sql = _upsert_sql(table, [f":{col}" for col in table.columns])
        params = [dict(zip(table.columns, row, strict=True)) for row in table.rows()]
        await conn.execute(text(sql), params)


async def ensure_taxonomies_asyncpg(conn: asyncpg.Connection) -> None:
    """The same upsert on a raw asyncpg connection (the bulk demo loader has no SQLAlchemy)."""
    for table in _TABLES:
        sql = _upsert_sql(table, [f"${i}" for i in range(1, len(table.columns) + 1)])
        await conn.executemany(sql, table.rows())
