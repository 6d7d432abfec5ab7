"""What the Chromium tests share: where the browser is, how it starts, a phone, where
screenshots go, and checks every page must pass. The `chromium` fixture is in conftest."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CITYLEARN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "en-US",
}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="no Chromium at " + CHROMIUM
)


async def no_horizontal_scroll(page: Any) -> None:
    widths = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"horizontal scroll on {page.url}: {widths}"


class Watch:
    """Console errors and failed requests of one page (a CSP violation shows as both)."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on(
            "console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None
        )
