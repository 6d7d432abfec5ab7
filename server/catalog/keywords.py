"""What besides title and description a listing is found by (weight B in its tsvector)."""

from __future__ import annotations

from collections.abc import Iterable


def listing_keywords(topic_names: Iterable[str], organization_name: str) -> str:
    return " ".join([*topic_names, organization_name])
