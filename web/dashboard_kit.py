"""What the partner dashboard's listings, feeds and import pages share.

- `DashboardOrg`: the organization of the URL and what the signed-in person may do there
  (every staff member reads; managers and owners change listings, feeds and imports).
- Notices after a redirect, from a fixed list (so a link cannot make a page say anything).
- Translating what the import service and the adapters report in English: a rejection's
  location ("row 12, column start_date") and reason, a source key ("feed:3").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request

from server.authz import Actor, has_org_role, require_org_role
from server.errors import InvalidInput
from server.models import Organization
from server.models.enums import ApiScope, OrganizationStatus, StaffRole
from web.errors_i18n import message_key
from web.i18n import Translator
from web.pages import PageContext
from web.partner_pages import staff_organization

CITY_ZONE = ZoneInfo("America/Chicago")

NOTICES: Mapping[str, str] = {
    "listing-created": "dash.notice.listing_created",
    "listing-saved": "dash.notice.listing_saved",
    "published": "dash.notice.published",
    "unpublished": "dash.notice.unpublished",
    "archived": "dash.notice.archived",
    "feed-registered": "dash.notice.feed_registered",
    "harvest-queued": "dash.notice.harvest_queued",
    "harvest-later": "dash.notice.harvest_later",
    "feed-enabled": "dash.notice.feed_enabled",
    "feed-removed": "dash.notice.feed_removed",
    "imported": "dash.notice.imported",
    "removals-confirmed": "dash.notice.removals_confirmed",
}


@dataclass(frozen=True)
class DashboardOrg:
    org: Organization
    can_edit: bool  # a manager or owner: listings, feeds and imports

    @property
    def slug(self) -> str:
        return self.org.slug

    @property
    def approved(self) -> bool:
        return self.org.status == OrganizationStatus.APPROVED.value

    @property
    def writable(self) -> bool:
        """The forms show: a manager or owner of an approved organization."""
        return self.can_edit and self.approved

    @property
    def base(self) -> str:
        return f"/partners/{self.org.slug}"


async def dashboard_org(
    request: Request, ctx: PageContext, actor: Actor, *, edit: bool = False
) -> DashboardOrg:
    """The URL's organization for anyone on its staff (`edit`: managers and owners only);
    everyone else gets the same 403, whether or not it exists."""
    role = StaffRole.MANAGER if edit else StaffRole.ISSUER
    org = await staff_organization(request, ctx, actor, role)
    return DashboardOrg(org, can_edit=has_org_role(actor, org.id, StaffRole.MANAGER))


def require_listings_writer(actor: Actor, org: DashboardOrg) -> None:
    # The import service takes no actor (workers call it too): the page asks the rule.
    require_org_role(actor, org.org.id, StaffRole.MANAGER, scope=ApiScope.LISTINGS_WRITE)


def dash_notice(ctx: PageContext) -> str | None:
    key = NOTICES.get(ctx.request.query_params.get("notice", ""))
    return ctx.t(key) if key else None


def stamp(t: Translator, value: datetime | None, today: date | None = None) -> str:
    """A moment in the city's time: 'Sat, Jun 14, 10 AM'."""
    if value is None:
        return t("dash.never")
    local = value.astimezone(CITY_ZONE)
    return f"{t.short_date(local.date(), today=today)}, {t.clock(local)}"


def source_label(t: Translator, source: str) -> str:
    """'manual', 'csv', 'push', 'feed:<id>', 'ingest:<...>' in the reader's words."""
    kind = source.split(":", 1)[0]
    key = f"dash.source.{kind}"
    return t(key) if t.has(key) else source


_LOCATION_WORDS = re.compile(r"\b(row|column|item|line)\b")


def location_text(t: Translator, location: str) -> str:
    """'row 12, column start_date' -> 'fila 12, columna start_date' (names stay as typed)."""
    return _LOCATION_WORDS.sub(lambda m: t("dash.where." + m.group(1)), location or "")


@dataclass(frozen=True)
class RejectionLine:
    """A rejected record as the pages list it, in the reader's words."""

    location: str
    external_id: str | None
    reason: str


def rejection_lines(t: Translator, stored: Iterable[Mapping[str, Any]]) -> list[RejectionLine]:
    """An import run's stored rejections ({location, external_id, reason})."""
    return [
        RejectionLine(
            location_text(t, str(r.get("location") or "")),
            str(r["external_id"]) if r.get("external_id") else None,
            reason_text(t, str(r.get("reason") or "")),
        )
        for r in stored
    ]


# What the CSV adapter (partners/csv_listings.py) says about a cell or a file, matched with
# the values it names; the services' own messages are in web/errors_i18n.py. (Feeds' reasons
# come from the partner's own system and stay as the adapters word them.)
ADAPTER_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"not a whole number from (?P<low>-?[0-9]+) to (?P<high>[0-9]+)", "dash.csv.whole"),
        (r"not an amount in dollars", "dash.csv.money"),
        (r"use yes or no", "dash.csv.yes_no"),
        (r"use one of (?P<values>.+)", "dash.csv.one_of"),
        (r"not a date", "dash.csv.date"),
        (r"not a time zone", "dash.csv.timezone"),
        (r"not a time", "dash.csv.time"),
        (r"(?P<value>.+) is not a weekday", "dash.csv.weekday"),
        (r"(?P<value>.+) is not a language code", "dash.csv.language"),
        (r"not a 5-digit ZIP code", "dash.csv.zip"),
        (r"not a web address", "dash.csv.url"),
        (r"not a number such as", "dash.csv.number"),
        (r"give a latitude and a longitude", "dash.csv.coordinates"),
        (r"a schedule needs its first day", "dash.csv.first_day"),
        (r"give days or recurrence, not both", "dash.csv.days_or_rule"),
        (r"days repeat weekly until end_date", "dash.csv.days_need_end"),
        (r"longer than (?P<count>[0-9,]+) characters", "dash.csv.too_long"),
        (r"the oldest age is below the youngest", "dash.csv.ages"),
        (r"more cells than the header has columns", "dash.csv.extra_cells"),
        (r"an id of 1 to", "err.external_id"),
        (r"not a recurrence rule", "err.rrule"),
        (r"the recurrence cannot be expanded", "err.rrule"),
        (r"the end is not after the start", "err.duration"),
        (r"unknown columns: (?P<names>.+?)\. The template", "dash.csv.unknown_columns"),
        (r"columns given twice: (?P<names>.+)", "dash.csv.twice"),
        (r"missing required columns: (?P<names>.+)", "dash.csv.missing"),
        (r"no header row", "dash.csv.no_header"),
        (r"not a readable CSV file", "dash.csv.not_csv"),
    )
)


def reason_text(t: Translator, reason: str) -> str:
    """A rejection's reason in the reader's language, when we know the message."""
    key, params = message_key(InvalidInput(reason))
    if key and key != "err.not_found":
        return t(key, **params)
    for pattern, found_key in ADAPTER_MESSAGES:
        found = pattern.match(reason)
        if found:
            return t(found_key, **found.groupdict())
    return t(key, **params) if key else reason
