"""Links that come from partner data (registration pages, websites)."""

from __future__ import annotations


def http_url(value: object) -> str | None:
    """Only http(s) links reach an href or structured data (no javascript: or data:)."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else None
