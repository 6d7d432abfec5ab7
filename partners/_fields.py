"""Readers for the small values every format carries: ZIP codes, links, ages, prices,
languages, coordinates. Each returns None (or nothing) for what it cannot read."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import urljoin, urlsplit

_ZIP_AFTER_STATE = re.compile(r"\b[A-Z]{2}\.?,?\s+(\d{5})(?:-\d{4})?\b")
_ZIP = re.compile(r"(?<![\d-])(\d{5})(?:-\d{4})?(?![\d-])")
_AGES = re.compile(
    r"^\s*(\d{1,3})\s*(?:-|\u2013|\u2014|to)\s*(\d{1,3})\s*(?:years?|yrs?)?\s*$", re.I
)
_AGE_PLUS = re.compile(r"^\s*(\d{1,3})\s*\+\s*(?:years?|yrs?)?\s*$", re.I)
_AGE_UPTO = re.compile(r"^\s*(?:-|\u2013|up to|under)\s*(\d{1,3})\s*(?:years?|yrs?)?\s*$", re.I)
_LANGUAGE_TAG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*$")
# Names partners write instead of a language code (Chicago's most spoken languages).
_LANGUAGE_NAMES = {
    "english": "en",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "polish": "pl",
    "chinese": "zh",
    "mandarin": "zh",
    "cantonese": "zh",
    "arabic": "ar",
    "tagalog": "tl",
    "korean": "ko",
    "vietnamese": "vi",
    "russian": "ru",
    "hindi": "hi",
    "urdu": "ur",
    "french": "fr",
    "ukrainian": "uk",
}
MAX_AGE = 120


def zip_code(text: str) -> str | None:
    """A 5-digit US ZIP code in an address ("..., Chicago, IL 60605, USA" -> "60605")."""
    after_state = _ZIP_AFTER_STATE.findall(text)
    if after_state:
        return str(after_state[-1])
    found = _ZIP.findall(text)
    return str(found[-1]) if found else None


def http_url(value: object) -> str | None:
    """An absolute http(s) link, or None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) > 2000 or any(c.isspace() for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return value


def join_url(base: str | None, reference: str) -> str | None:
    """`reference` made absolute against `base`; None when either is not a URL."""
    try:
        joined = urljoin(base, reference) if base else reference
        urlsplit(joined)
    except ValueError:  # "http://[broken" and friends
        return None
    return joined


def age_range(text: str) -> tuple[int | None, int | None] | None:
    """("8-14" | "13+" | "up to 12") -> (min, max), a side None when open; None if unreadable."""
    for pattern, sides in ((_AGES, "both"), (_AGE_PLUS, "min"), (_AGE_UPTO, "max")):
        found = pattern.match(text)
        if not found:
            continue
        numbers = [int(g) for g in found.groups()]
        if sides == "both":
            low, high = numbers
            return (low, high) if low <= high <= MAX_AGE else None
        if numbers[0] > MAX_AGE:
            return None
        return (numbers[0], None) if sides == "min" else (None, numbers[0])
    return None


def price_cents(value: object) -> int | None:
    """12 | "12.50" | "$12" | "Free" -> cents; None when not a price."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip().lower().replace("$", "").replace("usd", "").replace(",", "").strip()
        if text in ("free", "gratis", "gratuito"):
            return 0
    else:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount > 1_000_000:
        return None
    return int((amount * 100).quantize(Decimal(1)))


def language(value: str) -> str | None:
    """A primary language code ("en-US" -> "en", "Spanish" -> "es"), or None."""
    text = value.strip().lower()
    if text in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[text]
    found = _LANGUAGE_TAG.match(text)
    return found.group(1) if found else None


def languages(values: list[str]) -> tuple[str, ...]:
    """The codes among `values`, in order, once each; English when none is readable."""
    codes: list[str] = []
    for value in values:
        code = language(value)
        if code and code not in codes:
            codes.append(code)
    return tuple(codes) or ("en",)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except (ValueError, OverflowError):
        return None


def coordinates(latitude: object, longitude: object) -> tuple[float, float] | None:
    """A (latitude, longitude) pair on Earth, from numbers or numeric strings."""
    lat, lng = _number(latitude), _number(longitude)
    if lat is None or lng is None:
        return None
    if not (math.isfinite(lat) and math.isfinite(lng)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or (lat == 0 and lng == 0):
        return None
    return lat, lng
