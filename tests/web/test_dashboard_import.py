"""The dashboard's CSV import: a preview stores nothing (checked in the database), applying
stores the good rows and records the run; bad rows are listed as "row N, column X" and
the good ones still apply; a wrong header names its columns and changes nothing; a
snapshot that would archive more than a quarter of the listings is held until a manager
confirms; the template and its columns; issuers read only; odd uploads are never a 500."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import httpx
from sqlalchemy import select

from partners import csv_listings
from server.catalog.records import RecordError, SourceError
from server.models import ImportRun, Opportunity
from tests.web.conftest import ClientFactory
from tests.web.dashboard import (
    FAR_ZIP,
    Sessions,
    browser_for,
    count_of,
    day,
    staff,
    upload,
)
from tests.web.site import check_page, field_errors, text_of, token_for
from web.dashboard_kit import reason_text
from web.i18n import Translator
from web.i18n_dashboard import COLUMN_HELP_ES

PAYLOAD = re.compile(r'name="payload" value="([^"]*)"')
HEADER = (
    "external_id",
    "title",
    "kind",
    "place_name",
    "address",
    "postal_code",
    "start_date",
    "end_date",
    "start_time",
    "duration_minutes",
    "days",
    "min_age",
    "max_age",
    "cost",
)


def row(external_id: str, title: str, **cells: str) -> dict[str, str]:
    base = {
        "external_id": external_id,
        "title": title,
        "kind": "program",
        "place_name": "Urbana Park District",
        "address": "303 W University Ave, Urbana, IL",
        "postal_code": FAR_ZIP,
        "start_date": day(20).isoformat(),
        "end_date": day(50).isoformat(),
        "start_time": "10:00",
        "duration_minutes": "60",
        "days": "Mon;Wed",
        "min_age": "8",
        "max_age": "12",
        "cost": "0",
    }
    base.update(cells)
    return base


def plain(html: str) -> str:
    """The page's text, without the spaces tags leave around "(id X):"."""
    return re.sub(r"\(\s+", "(", re.sub(r"\s+([):])", r"\1", text_of(html)))


def csv_of(rows: list[dict[str, str]], header: tuple[str, ...] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


async def _apply(client: httpx.AsyncClient, base: str, preview_html: str) -> httpx.Response:
    found = PAYLOAD.search(preview_html)
    assert found, "no payload on the preview"
    token = await token_for(client, f"{base}/import")
    return await client.post(
        f"{base}/import",
        data={"csrf_token": token, "step": "apply", "payload": unescape(found.group(1))},
    )


async def test_preview_stores_nothing_then_apply_imports(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    browser = await browser_for(new_client, team.manager)
    page = await browser.get(f"{team.base}/import")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    check_page(page)
    tag = team.org.id
    content = csv_of([row("P-1", f"Park art {tag}"), row("P-2", f"Park soccer {tag}")])
    preview = await upload(browser, team.base, content)
    assert preview.status_code == 200, field_errors(preview.text)
    text = text_of(preview.text)
    assert "What will change" in text and "Nothing is saved yet." in text
    assert re.search(r"New 2 Changed 0 Unchanged 0 Archived 0 Rejected 0", text)
    assert await count_of(sessionmaker, team.org.id) == (0, 0)  # no listing, no run

    applied = await _apply(browser, team.base, preview.text)
    assert applied.status_code == 303, (applied.status_code, field_errors(applied.text))
    location = applied.headers["location"]
    assert re.fullmatch(rf"{team.base}/imports/\d+\?notice=imported", location)
    assert await count_of(sessionmaker, team.org.id) == (2, 1)
    async with sessionmaker() as session:
        run = await session.scalar(
            select(ImportRun).where(ImportRun.organization_id == team.org.id)
        )
        assert run is not None and run.source == "csv" and run.outcome == "applied"
        assert run.created == 2 and run.rejected == 0
        listings = list(
            await session.scalars(
                select(Opportunity).where(Opportunity.organization_id == team.org.id)
            )
        )
    assert {o.source for o in listings} == {"csv"}
    assert {o.external_id for o in listings} == {"P-1", "P-2"}
    result = await browser.get(location)
    check_page(result)
    assert "The import is done." in result.text and "CSV upload" in result.text
    shown = await browser.get(f"{team.base}/listings")
    assert f"Park art {tag}" in shown.text and "CSV upload" in shown.text
    search = await browser.get(f"/search?q={FAR_ZIP}")
    assert f"Park soccer {tag}" in search.text
    earlier = await browser.get(f"{team.base}/import")
    assert f"/imports/{run.id}" in earlier.text

    # The same file again changes nothing.
    again = await upload(browser, team.base, content)
    assert "New 0 Changed 0 Unchanged 2" in text_of(again.text)


async def test_bad_rows_are_named_and_the_good_rows_apply(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    browser = await browser_for(new_client, team.manager)
    tag = team.org.id
    content = csv_of(
        [
            row("B-1", f"Good one {tag}"),
            row("B-2", f"Bad date {tag}", start_date="2027-13-45"),
            row("B-3", f"Bad age {tag}", min_age="old", cost="lots"),
            row("B-4", f"Good two {tag}", days="", end_date=""),
        ]
    )
    preview = await upload(browser, team.base, content)
    assert preview.status_code == 200
    text = plain(preview.text)
    assert "3 rows cannot be used" in text
    assert "row 3, column start_date (id B-2): Write a date like 2027-06-15." in text
    assert "row 4, column min_age (id B-3): Write a whole number from 0 to 120." in text
    assert "row 4, column cost (id B-3)" in text
    assert "New 2" in text
    browser.cookies.set("lang", "es")
    spanish = plain((await upload(browser, team.base, content)).text)
    assert "fila 3, columna start_date (id B-2): Escribe una fecha así: 2027-06-15." in spanish
    browser.cookies.delete("lang")
    applied = await _apply(browser, team.base, preview.text)
    assert applied.status_code == 303
    async with sessionmaker() as session:
        ids = set(
            await session.scalars(
                select(Opportunity.external_id).where(Opportunity.organization_id == team.org.id)
            )
        )
        run = await session.scalar(
            select(ImportRun).where(ImportRun.organization_id == team.org.id)
        )
    assert ids == {"B-1", "B-4"}
    assert run is not None and run.created == 2 and run.rejected == 3
    result = text_of((await browser.get(applied.headers["location"])).text)
    assert "3 records rejected" in result and "row 3, column start_date" in result


async def test_a_wrong_header_names_the_columns_and_changes_nothing(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    browser = await browser_for(new_client, team.manager)
    missing = b"title,start_date\r\nArt,2027-06-01\r\n"
    response = await upload(browser, team.base, missing)
    assert response.status_code == 400
    error = field_errors(response.text)["f-file-error"]
    assert error == "We cannot read this file: the first row must have these columns: external_id."
    unknown = b"external_id,title,colour,size\r\nA,Art,red,L\r\n"
    response = await upload(browser, team.base, unknown)
    assert "not in the template: colour, size" in field_errors(response.text)["f-file-error"]
    response = await upload(browser, team.base, unknown, step="apply")
    assert response.status_code == 400
    browser.cookies.set("lang", "es")
    response = await upload(browser, team.base, missing)
    assert (
        "la primera fila debe tener estas columnas: external_id"
        in (field_errors(response.text)["f-file-error"])
    )
    assert await count_of(sessionmaker, team.org.id) == (0, 0)


async def test_a_mass_removal_is_held_until_confirmed(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    browser = await browser_for(new_client, team.manager)
    tag = team.org.id
    eight = [row(f"H-{n}", f"Held {n} {tag}", start_time=f"{8 + n}:00") for n in range(8)]
    first = await upload(browser, team.base, csv_of(eight), step="apply")
    assert first.status_code == 303
    # Half of them vanish from the next file: more than a quarter, so held.
    preview = await upload(browser, team.base, csv_of(eight[:4]))
    text = text_of(preview.text)
    assert "4 listings would be archived" in text and f"Held 6 {tag}" in text
    assert "Unchanged 4" in text and "Archived 0" in text
    applied = await _apply(browser, team.base, preview.text)
    assert applied.status_code == 303
    run_url = applied.headers["location"].split("?")[0]
    run_id = int(run_url.rsplit("/", 1)[1])
    page = await browser.get(run_url)
    check_page(page)
    text = text_of(page.text)
    assert "Waiting for you" in text and "4 listings would be archived: they wait for you" in text
    assert f"/imports/{run_id}/confirm" in page.text
    async with sessionmaker() as session:
        published = set(
            await session.scalars(
                select(Opportunity.external_id).where(
                    Opportunity.organization_id == team.org.id, Opportunity.status == "published"
                )
            )
        )
    assert len(published) == 8  # nothing archived yet

    token = await token_for(browser, run_url)
    done = await browser.post(f"{run_url}/confirm", data={"csrf_token": token})
    assert done.status_code == 303
    assert done.headers["location"] == f"{run_url}?notice=removals-confirmed"
    async with sessionmaker() as session:
        statuses = dict(
            (
                await session.execute(
                    select(Opportunity.external_id, Opportunity.status).where(
                        Opportunity.organization_id == team.org.id
                    )
                )
            ).all()
        )
    assert statuses == {f"H-{n}": "published" if n < 4 else "archived" for n in range(8)}
    confirmed = text_of((await browser.get(done.headers["location"])).text)
    assert "Confirmed: those listings are archived." in confirmed
    assert f"/imports/{run_id}/confirm" not in (await browser.get(run_url)).text
    # A quarter or less is applied at once: one of the four left.
    small = await upload(browser, team.base, csv_of(eight[:3]), step="apply")
    assert small.status_code == 303
    async with sessionmaker() as session:
        h3 = await session.scalar(
            select(Opportunity.status).where(
                Opportunity.organization_id == team.org.id, Opportunity.external_id == "H-3"
            )
        )
    assert h3 == "archived"


async def test_the_template_and_its_columns(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    browser = await browser_for(new_client, team.manager)
    template = await browser.get(f"{team.base}/import/template.csv")
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("text/csv")
    assert "attachment" in template.headers["content-disposition"]
    header = next(csv.reader(io.StringIO(template.text)))
    assert header == [c.name for c in csv_listings.TEMPLATE_COLUMNS]
    page = await browser.get(f"{team.base}/import")
    for column in csv_listings.TEMPLATE_COLUMNS:
        assert f"<code>{column.name}</code>" in page.text
        assert text_of(column.help) in text_of(page.text)
    # The template's own examples preview cleanly.
    preview = await upload(browser, team.base, template.content)
    assert "New 2" in text_of(preview.text) and "cannot be used" not in text_of(preview.text)
    browser.cookies.set("lang", "es")
    spanish = await browser.get(f"{team.base}/import")
    assert COLUMN_HELP_ES["external_id"] in text_of(spanish.text)
    assert set(COLUMN_HELP_ES) == {c.name for c in csv_listings.TEMPLATE_COLUMNS}


async def test_pasted_text_odd_uploads_and_limits(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    browser = await browser_for(new_client, team.manager)
    token = await token_for(browser, f"{team.base}/import")
    url = f"{team.base}/import"
    pasted = csv_of([row("T-1", f"Typed {team.org.id}")]).decode()
    response = await browser.post(
        url, data={"csrf_token": token, "step": "preview", "text": pasted}
    )
    assert response.status_code == 200 and "New 1" in text_of(response.text)
    nothing = await browser.post(url, data={"csrf_token": token, "step": "preview"})
    assert nothing.status_code == 400
    assert "Choose a CSV file" in field_errors(nothing.text)["f-file-error"]
    empty_file = await browser.post(
        url, data={"csrf_token": token}, files={"file": ("", b"", "application/octet-stream")}
    )
    assert empty_file.status_code == 400
    bad_payload = await browser.post(
        url, data={"csrf_token": token, "step": "apply", "payload": "not base64!"}
    )
    assert bad_payload.status_code == 400
    too_big = await browser.post(
        url,
        data={"csrf_token": token},
        files={"file": ("big.csv", b"external_id,title\r\n" + b"x" * (3 * 1024 * 1024))},
    )
    assert too_big.status_code == 413
    assert "larger than 1 MB" in field_errors(too_big.text)["f-file-error"]
    just_over = await browser.post(
        url,
        data={"csrf_token": token},
        files={"file": ("big.csv", b"external_id,title\r\n" + b"x" * (1024 * 1024))},
    )
    assert just_over.status_code == 400
    for odd in (
        b"\x00\x01\x02",
        b"\xff\xfe" + "external_id,title\r\n1,x".encode("utf-16-le"),
        b"external_id;title\r\n1;Semicolons\r\n",
        b'external_id,title\r\n"unclosed,quote\r\n',
        b"\xef\xbb\xbfexternal_id,title\r\n" + "é,Caf\xe9".encode("cp1252"),
        b"external_id,title\r\n" + b",\r\n" * 500,
    ):
        response = await upload(browser, team.base, odd)
        assert response.status_code in (200, 400), (odd[:20], response.status_code)
    # Two files where one is allowed: refused, not a 500.
    two = await browser.post(
        url,
        data={"csrf_token": token},
        files=[("file", ("a.csv", b"a")), ("file", ("b.csv", b"b"))],
    )
    assert two.status_code == 400
    assert await count_of(sessionmaker, team.org.id) == (0, 0)


async def test_issuers_read_the_import_page_and_cannot_post(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    issuer = await browser_for(new_client, team.issuer)
    page = await issuer.get(f"{team.base}/import")
    assert page.status_code == 200
    check_page(page)
    assert "<code>external_id</code>" in page.text and 'type="file"' not in page.text
    assert (await issuer.get(f"{team.base}/import/template.csv")).status_code == 200
    content = csv_of([row("I-1", "Issuer's import")])
    for step in ("preview", "apply"):
        refused = await upload(issuer, team.base, content, step=step, token_page="/account")
        assert refused.status_code == 403
    stranger = await browser_for(new_client, team.stranger)
    assert (await stranger.get(f"{team.base}/import")).status_code == 403
    assert (await stranger.get(f"{team.base}/import/template.csv")).status_code == 403
    token = await token_for(stranger, "/account")
    refused = await stranger.post(
        f"{team.base}/import",
        data={"csrf_token": token, "step": "apply"},
        files={"file": ("a.csv", content, "text/csv")},
    )
    assert refused.status_code == 403
    assert await count_of(sessionmaker, team.org.id) == (0, 0)
    # Anyone signed out is asked to sign in.
    anonymous = await new_client().get(f"{team.base}/import")
    assert anonymous.status_code == 303 and "/account/signin" in anonymous.headers["location"]


def test_every_csv_message_reads_in_spanish() -> None:
    """Rows that break each rule the CSV adapter has: each reason has a Spanish page text."""
    long = "x" * 20_001
    rows = [
        "external_id,title,min_age,cost,financial_aid,kind,languages,postal_code,"
        "registration_url,latitude,longitude,timezone,start_date,end_date,start_time,days,"
        "recurrence,description,max_age,delivery,place_name",
        ",,x,abc,maybe,castle,klingon,ABC,nope,north,1,Mars/Base,,,,,,,,,",
        "R3,Date,,,,,,,,,,,soon,,,,,,,online,",
        "R4,Time,,,,,,,,,,,2027-06-01,,lunch,,,,,online,",
        "R5,Days,,,,,,,,,,,2027-06-01,2027-07-01,10:00,Funday,,,,online,",
        "R6,No day,,,,,,,,,,,,,10:00,,,,,online,",
        "R7,No time,,,,,,,,,,,2027-06-01,,,,,,,online,",
        "R8,Backwards,,,,,,,,,,,2027-06-10,2027-06-01,10:00,,,,,online,",
        "R9,Both,,,,,,,,,,,2027-06-01,2027-07-01,10:00,Tue,FREQ=DAILY,,,online,",
        "R10,No end,,,,,,,,,,,2027-06-01,,10:00,Tue,,,,online,",
        f"R11,Long,,,,,,,,,,,,,,,,{long},,online,",
        "R12,Ages,15,,,,,,,,,,,,,,,,10,online,",
        "R13,Extra,,,,,,,,,,,,,,,,,,online,,spare",
        "R14,Rule,,,,,,,,,,,2027-06-01,,10:00,,FREQ=NOPE,,,online,",
        "R15,Nowhere,,,,,,,,,,,,,,,,,,onsite,",
    ]
    items = list(csv_listings.parse("\r\n".join(rows).encode()))
    reasons = {item.reason for item in items if isinstance(item, RecordError)}
    assert len(reasons) >= 20, reasons
    es = Translator("es")
    untranslated = [r for r in reasons if reason_text(es, r) == r]
    assert not untranslated, untranslated
    for header in (b"colour\r\n", b"title,title\r\n", b"title\r\n", b"\r\n"):
        try:
            list(csv_listings.parse(header))
        except SourceError as exc:
            assert reason_text(es, str(exc)) != str(exc), str(exc)
        else:
            raise AssertionError(f"no SourceError for {header!r}")
