"""Unique organization names and the URL-safe slugs made from them."""

from __future__ import annotations

import re
from collections.abc import Sequence

_SLUG_STRIP = re.compile(r"[^a-z0-9]+")


def slugify(name: str, max_length: int = 60) -> str:
    """ASCII slug that also fits a DNS label (the demo websites use it as a subdomain)."""
    ascii_name = (
        name.lower()
        .replace("&", " and ")
        .replace("'", "")
        .replace("ó", "o")
        .replace("é", "e")
        .replace("á", "a")
    )
    slug = _SLUG_STRIP.sub("-", ascii_name).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug


class UniqueNames:
    """Hands out unique organization names and slugs."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.slugs: set[str] = set()

    def take(self, candidates: Sequence[str]) -> tuple[str, str] | None:
        for name in candidates:
            slug = slugify(name)
            if name not in self.names and slug not in self.slugs:
                self.names.add(name)
                self.slugs.add(slug)
                return name, slug
        return None

    def force(self, base: str) -> tuple[str, str]:
        number = 2
        while True:
            taken = self.take([f"{base} {number}"])
            if taken:
                return taken
            number += 1

    def claim(self, candidates: Sequence[str], fallback: str) -> tuple[str, str]:
        """The first free candidate, or else `fallback` numbered ("{fallback} 2")."""
        return self.take(candidates) or self.force(fallback)
