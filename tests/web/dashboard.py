"""Builders and browser steps for the partner dashboard's page tests (listings, feeds, CSV
import): an approved organization with a manager, an issuer and a stranger, and a
listing form filled in as a person would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db import session_scope
from server.models import ImportRun, Opportunity, Organization, User
from server.models.enums import StaffRole
from tests.accounts import people
from tests.web.conftest import ClientFactory
from tests.web.site import check_page, sign_in, token_for

Sessions = async_sessionmaker[AsyncSession]
# A ZIP code far from the demo city (Urbana, IL): a search there finds only our listings.
FAR_ZIP = "61801"


@dataclass
class Staff:
    org: Organization
    manager: User
    issuer: User
    # The owner of another organization: staff, but not of this one.
    stranger: User

    @property
    def base(self) -> str:
        return f"/partners/{self.org.slug}"


async def staff(sessionmaker: Sessions, *, status: str = "approved") -> Staff:
    async with session_scope(sessionmaker) as session:
        org = await people.organization(session, status=status)
        manager = await people.staff(session, org, StaffRole.MANAGER, "Mina Manager")
        issuer = await people.staff(session, org, StaffRole.ISSUER, "Ivo Issuer")
        other = await people.organization(session)
        stranger = await people.staff(session, other, StaffRole.OWNER, "Otto Other")
    return Staff(org, manager, issuer, stranger)


async def browser_for(new_client: ClientFactory, user: User) -> httpx.AsyncClient:
    client = new_client()
    await sign_in(client, user.email, people.PASSWORD)
    return client


def soon(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def listing_fields(title: str, **changes: str | list[str]) -> dict[str, str | list[str]]:
    """A weekly workshop in person at FAR_ZIP, as the form sends it."""
    fields: dict[str, str | list[str]] = {
        "title": title,
        "description": "Build a robot that follows a line.",
        "kind": "workshop",
        "delivery": "onsite",
        "topics": ["robotics"],
        "min_age": "10",
        "max_age": "14",
        "min_grade": "5",
        "max_grade": "8",
        "cost": "12.50",
        "financial_aid": "1",
        "languages": ["en", "es"],
        "accessibility": ["wheelchair"],
        "registration_url": "https://example.org/robots",
        "place_name": "Urbana Free Library",
        "address": "210 W Green St, Urbana, IL",
        "postal_code": FAR_ZIP,
        "start_date": soon(10),
        "end_date": soon(40),
        "start_time": "15:30",
        "duration": "90",
        "days": ["TU", "TH"],
        "timezone": "America/Chicago",
        "then": "publish",
    }
    fields.update(changes)
    return fields


async def upload(
    client: httpx.AsyncClient,
    base: str,
    content: bytes,
    *,
    step: str = "preview",
    filename: str = "listings.csv",
    token_page: str | None = None,
) -> httpx.Response:
    """Posts the import form with a file, as a browser does (multipart)."""
    token = await token_for(client, token_page or f"{base}/import")
    response = await client.post(
        f"{base}/import",
        data={"csrf_token": token, "step": step},
        files={"file": (filename, content, "text/csv")},
    )
    check_page(response)
    return response


async def listing_by_title(sessionmaker: Sessions, title: str) -> Opportunity | None:
    async with sessionmaker() as session:
        found: Opportunity | None = await session.scalar(
            select(Opportunity).where(Opportunity.title == title)
        )
        return found


async def count_of(sessionmaker: Sessions, org_id: int) -> tuple[int, int]:
    """(listings, import runs) of the organization."""
    async with sessionmaker() as session:
        listings = await session.scalar(
            select(func.count())
            .select_from(Opportunity)
            .where(Opportunity.organization_id == org_id)
        )
        runs = await session.scalar(
            select(func.count()).select_from(ImportRun).where(ImportRun.organization_id == org_id)
        )
    return int(listings or 0), int(runs or 0)


def day(offset: int) -> date:
    return datetime.now(UTC).date() + timedelta(days=offset)
