"""Freshness: the day each offer was last confirmed, set on import, kept by an unchanged re-import,
reported as stale after its review period, hidden after twice that, and confirmed by a command."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa
from factories import offer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.main import main
from bot.engine.cards import details
from catalog.formats.csvio import read_csv, write_csv
from catalog.formats.data_inclusion import read_data_inclusion_report
from catalog.formats.jsonio import read_json, write_json
from catalog.formats.validation import InvalidCatalogue
from catalog.i18n import translator
from catalog.maintenance.importer import import_offers
from catalog.matching.index import facts_of
from catalog.matching.matcher import CatalogIndex, eligible, match
from catalog.matching.profile import Profile
from catalog.matching.scoring import recency
from catalog.offer import Offer
from catalog.settings import Settings
from catalog.store.db import SessionMaker, create_engine
from catalog.store.migrations import upgrade
from catalog.store.offers import load_offers

NOVEMBER = date(2026, 11, 3)
LATER = date(2026, 12, 1)


async def _import(sessions: SessionMaker, offers: list[Offer], today: date) -> tuple[int, ...]:
    async with sessions() as session:
        plan = await import_offers(
            session=session, offers=offers, source="f.csv", checksum="", format="csv",
            actor="test", today=today,
        )
    return len(plan.added), len(plan.updated), len(plan.unchanged)


async def _days(sessions: SessionMaker) -> dict[str, date | None]:
    async with sessions() as session:
        return {stored.id: stored.updated_on for stored in await load_offers(session=session)}


@pytest.mark.asyncio
async def test_a_new_offer_is_confirmed_on_the_day_of_import_unless_its_file_says(
    sessions: SessionMaker,
) -> None:
    given = offer("given", updated_on=date(2024, 5, 2))
    assert await _import(sessions, [offer("new"), given], NOVEMBER) == (2, 0, 0)
    assert await _days(sessions) == {"given": date(2024, 5, 2), "new": NOVEMBER}


@pytest.mark.asyncio
async def test_an_unchanged_reimport_keeps_the_day_and_a_change_or_a_given_day_moves_it(
    sessions: SessionMaker,
) -> None:
    await _import(sessions, [offer("same"), offer("edited"), offer("dated")], NOVEMBER)
    again = [
        offer("same"),
        offer("edited", title="Nouveau titre"),
        offer("dated", updated_on=date(2026, 11, 20)),
    ]
    assert await _import(sessions, again, LATER) == (0, 2, 1)
    assert await _days(sessions) == {
        "dated": date(2026, 11, 20),
        "edited": LATER,
        "same": NOVEMBER,
    }


@pytest.mark.asyncio
async def test_an_exported_catalogue_imports_unchanged_with_its_days(
    sessions: SessionMaker,
) -> None:
    await _import(sessions, [offer("a", review_months=6), offer("b")], NOVEMBER)
    async with sessions() as session:
        exported = write_csv(await load_offers(session=session))
    assert "updated_on" in exported.splitlines()[0] and "2026-11-03" in exported
    assert await _import(sessions, read_csv(exported.encode()), LATER) == (0, 0, 2)


def test_review_months_must_be_a_whole_number_of_months_from_1_to_120() -> None:
    header, row = write_csv([offer("a", review_months=3)]).splitlines()
    assert header.endswith(",updated_on,review_months") and row.endswith(",3")
    assert read_csv(f"{header}\n{row}".encode())[0].review_months == 3
    assert read_csv(f"{header}\n{row[:-1]}".encode())[0].review_months == 12  # empty: default
    for bad in ("0", "121", "soon"):
        with pytest.raises(InvalidCatalogue) as raised:
            read_csv(f"{header}\n{row[:-1]}{bad}".encode())
        assert [problem.column for problem in raised.value.problems] == ["review_months"]


@pytest.mark.asyncio
async def test_offers_stored_before_the_columns_count_as_confirmed_when_last_changed(
    database_url: str,
) -> None:
    engine: AsyncEngine = create_engine(database_url)
    try:
        await upgrade(engine, "0005")
        async with engine.begin() as connection:
            await connection.execute(sa.text(
                "INSERT INTO offer (id, title, description, translations, provider, missions,"
                " topics, keywords, audiences, format, languages, address, postcode, city,"
                " neighbourhood, schedule, url, phone, email, retired, created_at, updated_at)"
                " VALUES ('old', 'T', '', '{}', 'P', '[\"digital\"]', '[]', '[]', '[]',"
                " 'in_person', '[\"fr\"]', '', '', '', '', '', '', '', '', false,"
                " '2024-01-05 10:00:00', '2024-03-07 23:30:00')"
            ))
        await upgrade(engine, "0006")
        async with engine.connect() as connection:
            row = (await connection.execute(
                sa.text("SELECT updated_on, review_months FROM offer")
            )).one()
        assert (str(row[0]), row[1]) == ("2024-03-07", 12)
    finally:
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: _drop(sync))
        await engine.dispose()


def _drop(connection: sa.Connection) -> None:
    tables = sa.MetaData()
    tables.reflect(connection)
    tables.drop_all(connection)


@pytest_asyncio.fixture
async def empty_database(database_url: str) -> AsyncIterator[str]:
    """``database_url`` without a table before and after (on PostgreSQL the database is shared
    by the tests): the commands create their schema with the migrations, as on a new server."""
    engine = create_engine(database_url)
    try:
        for _ in ("before", "after"):
            async with engine.begin() as connection:
                await connection.run_sync(_drop)
            if _ == "before":
                yield database_url
    finally:
        await engine.dispose()



# ---- matching: fresher first, hidden when stale for twice its period

TODAY = date(2026, 12, 3)


def _found(offers: list[Offer], **profile: Any) -> list[tuple[str, float]]:
    found = match(Profile(**profile), CatalogIndex(offers), today=TODAY, limit=10)
    return [(item.offer.id, item.score) for item in found]


def test_an_offer_stale_for_twice_its_period_is_hidden_until_confirmed() -> None:
    offers = [
        offer("stale", topics=("arts",), updated_on=date(2025, 12, 2)),  # past its 12 months
        offer("two-years", topics=("arts",), updated_on=date(2024, 12, 2)),
        offer("monthly", topics=("arts",), updated_on=date(2026, 10, 2), review_months=1),
        offer("unknown", topics=("arts",)),  # no date (an index built from a file): shown
    ]
    assert {id_ for id_, _ in _found(offers, topics=frozenset({"arts"}))} == {"stale", "unknown"}
    confirmed = [dataclasses.replace(item, updated_on=TODAY) for item in offers]
    assert len(_found(confirmed, topics=frozenset({"arts"}))) == 4
    assert not eligible(offers[1], Profile(), TODAY) and eligible(offers[0], Profile(), TODAY)
    # On its last day of grace it is still shown.
    assert eligible(offers[1], Profile(), date(2026, 12, 2))


def test_of_two_equal_offers_the_one_confirmed_lately_ranks_first() -> None:
    offers = [
        offer("a-older", title="Atelier poterie", updated_on=date(2026, 3, 1)),
        offer("z-fresh", title="Atelier poterie", updated_on=date(2026, 11, 30)),
    ]
    (first, first_score), (second, second_score) = _found(offers, text="poterie")
    assert (first, second) == ("z-fresh", "a-older")
    assert 0 < first_score - second_score < 0.02  # slightly: freshness never outweighs fit
    assert recency(facts_of(offers[1]), TODAY.toordinal()) > recency(
        facts_of(offers[0]), TODAY.toordinal()
    )


# ---- tremplin catalog confirm


def _stale(output: str) -> list[str]:
    problems = json.loads(output)["problems"]
    return [item["offer"] for item in problems if item["kind"] == "stale"]


@pytest.mark.usefixtures("empty_database")
def test_confirm_sets_the_day_is_audited_and_rolled_back(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.csv"
    old = [offer(name, updated_on=date(2024, 6, 1)) for name in ("a", "b", "c")]
    path.write_text(write_csv(old), encoding="utf-8")
    base = ["--database-url", database_url, "catalog"]
    assert main([*base, "import", str(path)]) == 0
    assert main([*base, "confirm", "a", "nope", "--today", "2026-12-03"]) == 2
    assert "nope" in capsys.readouterr().err  # nothing confirmed: all or none
    assert main([*base, "confirm", "a", "b", "--today", "2026-12-03"]) == 0
    assert "2 offers confirmed on 2026-12-03" in capsys.readouterr().out
    assert main([*base, "check", "--json", "--today", "2026-12-03"]) == 0
    stale = _stale(capsys.readouterr().out)
    assert stale == ["c"]
    assert main([*base, "history"]) == 0
    assert "confirm a b (confirm" in capsys.readouterr().out
    assert main([*base, "rollback"]) == 0
    capsys.readouterr()
    assert main([*base, "check", "--json", "--today", "2026-12-03"]) == 0
    stale = _stale(capsys.readouterr().out)
    assert stale == ["a", "b", "c"]


def test_the_details_say_when_the_offer_was_last_confirmed_in_the_citizens_language() -> None:
    confirmed = offer("a", updated_on=NOVEMBER)
    assert "Mis à jour le 3 novembre 2026" in details(confirmed, translator("fr"), saved=False).text
    assert "Updated on 3 November 2026" in details(confirmed, translator("en"), saved=False).text
    assert "3 листопада 2026" in details(confirmed, translator("uk"), saved=False).text
    assert "Updated" not in details(offer("b"), translator("en"), saved=False).text


# --- An offer confirmed in the future is refused ------------------------------------------

TODAY = date(2026, 12, 3)


def test_a_future_updated_on_is_refused_in_csv_with_its_line_and_column() -> None:
    rows = [offer("today", updated_on=TODAY), offer("later", updated_on=date(2026, 12, 4))]
    data = write_csv(rows).encode()
    with pytest.raises(InvalidCatalogue) as raised:
        read_csv(data, today=TODAY)
    assert raised.value.report("f.csv") == [
        "f.csv:3:updated_on: updated_on 2026-12-04 is in the future (today is 2026-12-03)"]
    assert [row.id for row in read_csv(data, today=date(2026, 12, 4))] == ["today", "later"]


def test_a_future_updated_on_is_refused_in_json_on_its_own_line() -> None:
    offers = json.loads(write_json([offer("a"), offer("b", updated_on=date(2027, 1, 1))]))
    data = json.dumps(offers, indent=2).encode()
    line = next(number for number, text in enumerate(data.decode().splitlines(), start=1)
                if '"updated_on": "2027-01-01"' in text)
    with pytest.raises(InvalidCatalogue) as raised:
        read_json(data, today=TODAY)
    assert raised.value.report("f.json") == [
        f"f.json:{line}:updated_on: updated_on 2027-01-01 is in the future (today is 2026-12-03)"]


def test_a_future_date_maj_is_refused_with_its_service_and_field() -> None:
    services = json.loads((Path(__file__).parent / "data/open_data/services.json").read_text())
    services[0]["date_maj"] = "2026-12-25"
    with pytest.raises(InvalidCatalogue) as raised:
        read_data_inclusion_report(json.dumps(services).encode(), today=TODAY)
    assert raised.value.report("s.json") == [
        "s.json:[0].date_maj: updated_on 2026-12-25 is in the future (today is 2026-12-03)"]


@pytest.mark.parametrize(("zone", "code"), [("Pacific/Kiritimati", 0), ("Pacific/Pago_Pago", 2)])
def test_validate_takes_today_in_the_citys_time_zone(
    zone: str, code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Kiritimati's today (UTC+14) is always a day Pago Pago (UTC-11) has not reached yet.
    kiritimati = Settings(_env_file=None, timezone="Pacific/Kiritimati").today()
    path = tmp_path / "f.csv"
    path.write_text(write_csv([offer("a", updated_on=kiritimati)]), encoding="utf-8")
    monkeypatch.setenv("TREMPLIN_TIMEZONE", zone)
    assert main(["catalog", "validate", str(path)]) == code
    assert ("is in the future" in capsys.readouterr().err) is bool(code)
