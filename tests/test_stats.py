"""Usage statistics, on SQLite and PostgreSQL: a scripted month gives exactly the expected
figures; small counts are protected; raw events are purged, daily counts kept; /forget erases
the citizen's events; no Telegram id is stored; the command line prints and exports them."""

from __future__ import annotations

import asyncio
import csv
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from stats_helpers import KEY, OFFERS, Citizen, seed, stats_settings

from bot.chats.database import open_database
from bot.cli.main import main
from bot.engine.inputs import Command, Start
from bot.telegram.stats_job import StatsPurge
from catalog.settings import Settings
from catalog.stats import events
from catalog.stats.aggregates import Purged, StatsDaily, daily_figures, purge
from catalog.stats.events import StatsEvent, pseudonym
from catalog.stats.facts import Kind
from catalog.stats.figures import Report, build_report
from catalog.store.db import Database, SessionMaker, create_engine, session_maker
from catalog.store.snapshot import CatalogSnapshot

TODAY = date(2026, 12, 1)
START = TODAY - timedelta(days=29)  # the 30 days up to TODAY: 2 November to 1 December
# Telegram ids exceed 32 bits; distinctive, so that finding one in a table means it leaked.
BASE_ID = 7_400_000_000


async def report(sessions: SessionMaker, *, today: date = TODAY, days: int = 30,
                 retention_days: int = 180, threshold: int = 5) -> Report:
    async with sessions() as session:
        return await build_report(session=session, offers=OFFERS, today=today, days=days,
                                  threshold=threshold, retention_days=retention_days)


async def digital_journey(citizen: Citizen, day: date) -> None:
    """Every question answered with buttons, then the digital workshop opened and saved."""
    await citizen.send(Start(), day)
    for label in ("Me", "26 to 44", "Job seeker", "Done", "Digital skills", "Done",
                  "Anywhere in Clermont-Ferrand", "Details", "Save"):
        await citizen.press(label, day)


async def pottery_journey(citizen: Citizen, day: date) -> None:
    """A fresh start, then a search that nothing in the catalogue fits (and personal data).

    /search: words typed at a question are read as its answer (or kept as interests), not
    searched at once.
    """
    await citizen.send(Start(), day)
    await citizen.send(Command("search", "cours de poterie avec Marie 06 12 34 56 78"), day)


async def scripted_month(database: Database, settings: Settings) -> dict[str, list[int]]:
    """Who did what in November (see each cohort); the Telegram ids used."""
    snapshot = CatalogSnapshot()

    def citizen(user_id: int, language: str = "en") -> Citizen:
        return Citizen(database, settings, snapshot, user_id, language)

    cohorts = {
        "digital": [BASE_ID + 100 + n for n in range(8)],
        "pottery": [BASE_ID + 200 + n for n in range(6)],
        "dropout": [BASE_ID + 300 + n for n in range(3)],
        "forgot": [BASE_ID + 400],
    }
    # 8 new citizens, one a day from 2 November: the whole way to a saved offer.
    for n, user_id in enumerate(cohorts["digital"]):
        await digital_journey(citizen(user_id), START + timedelta(days=n))
    # 6 citizens first seen in October (before the period), back on 20 November for pottery.
    for user_id in cohorts["pottery"]:
        await citizen(user_id).send(Start(), date(2026, 10, 1))
        await pottery_journey(citizen(user_id), date(2026, 11, 20))
    # 3 new French-speaking citizens on 10 November, gone after the first question.
    for user_id in cohorts["dropout"]:
        french = citizen(user_id, "fr")
        await french.send(Start(), date(2026, 11, 10))
        await french.press("Moi", date(2026, 11, 10))
    # One citizen who did everything on 15 November, then erased it all the next day.
    forgetful = citizen(cohorts["forgot"][0])
    await digital_journey(forgetful, date(2026, 11, 15))
    await forgetful.send(Command("forget"), date(2026, 11, 16))
    await forgetful.press("Yes, erase everything", date(2026, 11, 16))
    return cohorts


def figures(report: Report) -> dict[str, object]:
    """The report as plain values, for exact comparisons."""
    return {
        "users": (str(report.users), str(report.new), str(report.returning)),
        "languages": [(code, str(shown)) for code, shown in report.languages],
        "funnel": {step: str(shown) for step, shown in report.funnel},
        "searches": (str(report.searches), str(report.unmet_searches)),
        "missions": {row.code: (str(row.shown), str(row.opened), str(row.saved),
                                str(row.demand.demand), str(row.demand.unmet), row.demand.offers)
                     for row in report.missions},
        "topics": [(row.code, str(row.demand), str(row.unmet), row.offers, row.ratio)
                   for row in report.topics],
        "situations": [(code, str(shown)) for code, shown in report.situations],
        "phrases": list(report.phrases),
        "pressed_topics": [row.code for row in report.pressed_topics],
        "pressed_missions": [row.code for row in report.pressed_missions],
        "forgets": str(report.forgets),
        "blocked": str(report.blocked),
    }


EXPECTED: dict[str, object] = {
    # 8 digital + 3 dropouts are new; the 6 pottery citizens came first in October.
    "users": ("17", "11", "6"),
    # French: 3, under 5; English then hidden too, or it would give 17 - 14 = 3.
    "languages": [("en", "≥ 5"), ("fr", "< 5")],
    "funnel": {"started": "17", "who": "11", "age": "8", "situation": "8", "interests": "8",
               "where": "8", "results": "14", "opened": "8", "saved": "8"},
    "searches": ("14", "6"),
    "missions": {
        # Pottery found nothing: the closest offers shown were the digital, family and French
        # ones (the French class is for newcomers: with no situation stated, it may be shown,
        # saying who it is for; RULES §2.5).
        "inclusive": ("6", "0", "0", "0", "0", 1),
        "family": ("6", "0", "0", "0", "0", 1),
        "workplace": ("0", "0", "0", "0", "0", 0),
        "digital": ("14", "8", "8", "8", "0", 1),
        "quality": ("0", "0", "0", "0", "0", 0),
        "lifelong": ("6", "0", "0", "6", "6", 1),
    },
    "topics": [("digital", "8", "0", 1, 8.0), ("arts", "6", "6", 0, float("inf")),
               ("crafts", "6", "6", 0, float("inf"))],
    "situations": [("job_seeker", "8")],
    # The name and the phone number were dropped before anything was stored.
    "phrases": [("cours poterie", 6)],
    "pressed_topics": ["arts", "crafts", "digital"],
    "pressed_missions": ["digital", "lifelong"],
    "forgets": "< 5",
    "blocked": "0",
}


@pytest.mark.asyncio
async def test_a_scripted_month_gives_exactly_the_expected_figures(
    sessions: SessionMaker, empty_database: Database, database_url: str
) -> None:
    await seed(sessions)
    await scripted_month(empty_database, stats_settings(database_url))
    live = await report(sessions)
    assert figures(live) == EXPECTED
    assert (live.start, live.end, live.days, live.users_since) == (START, TODAY, 30, None)
    daily = dict(live.daily_users)
    assert [str(daily[START + timedelta(days=n)]) for n in range(8)] == ["< 5"] * 8
    assert str(daily[date(2026, 11, 10)]) == "< 5"
    assert str(daily[date(2026, 11, 15)]) == "0"  # the forgetful citizen is gone
    assert str(daily[date(2026, 11, 20)]) == "6"
    # Once every finished day is rolled up, the stored daily counts give the same figures.
    async with sessions() as session:
        purged = await purge(session=session, today=TODAY, retention_days=180)
    assert purged.events_deleted == 0 and purged.days_rolled_up > 0
    assert figures(await report(sessions)) == EXPECTED


@pytest.mark.asyncio
async def test_the_stats_tables_hold_no_telegram_id(
    sessions: SessionMaker, empty_database: Database, database_url: str, engine: AsyncEngine
) -> None:
    await seed(sessions)
    cohorts = await scripted_month(empty_database, stats_settings(database_url))
    async with sessions() as session:
        await purge(session=session, today=TODAY, retention_days=180)
    ids = [str(user_id) for group in cohorts.values() for user_id in group]
    tables = [StatsEvent.__table__, StatsDaily.__table__]  # type: ignore[attr-defined]
    scanned = 0
    async with engine.connect() as connection:
        for table in tables:
            for row in (await connection.execute(table.select())).all():
                for value in row:
                    text = json.dumps(value) if isinstance(value, dict | list) else str(value)
                    assert not any(user_id in text for user_id in ids), (table.name, row)
                    scanned += 1
    assert scanned > 100
    async with sessions() as session:
        keys = set((await session.exec(select(col(StatsEvent.user_key)))).all())
    assert keys - {""} == {pseudonym(KEY, int(user_id)) for user_id in ids[:-1]}
    assert all(len(key) == 64 for key in keys - {""})


@pytest.mark.asyncio
async def test_forget_erases_the_citizens_events(
    sessions: SessionMaker, empty_database: Database, database_url: str
) -> None:
    await seed(sessions)
    settings = stats_settings(database_url)
    citizen = Citizen(empty_database, settings, CatalogSnapshot(), BASE_ID + 1)
    other = Citizen(empty_database, settings, CatalogSnapshot(), BASE_ID + 2)
    await digital_journey(citizen, TODAY)
    await digital_journey(other, TODAY)
    key = pseudonym(KEY, citizen.user_id)

    async def kinds(user_key: str) -> list[str]:
        async with sessions() as session:
            query = select(col(StatsEvent.kind)).where(col(StatsEvent.user_key) == user_key)
            return list((await session.exec(query)).all())

    assert Kind.SAVED in await kinds(key)
    await citizen.send(Command("forget"), TODAY)
    assert await kinds(key)  # asking is not erasing
    await citizen.press("Yes, erase everything", TODAY)
    assert await kinds(key) == []
    assert await kinds("") == [Kind.FORGET]  # counted, linked to no one
    assert Kind.SAVED in await kinds(pseudonym(KEY, other.user_id))


@pytest.mark.asyncio
async def test_nothing_is_recorded_without_a_pseudonym_key(
    sessions: SessionMaker, empty_database: Database, database_url: str
) -> None:
    await seed(sessions)
    settings = stats_settings(database_url, pseudonym_key=None)
    await digital_journey(Citizen(empty_database, settings, CatalogSnapshot(), BASE_ID + 1), TODAY)
    async with sessions() as session:
        assert (await session.exec(select(StatsEvent))).all() == []


@pytest.mark.asyncio
async def test_purge_after_the_retention_keeps_the_daily_counts(
    sessions: SessionMaker, empty_database: Database, database_url: str
) -> None:
    await seed(sessions)
    settings = stats_settings(database_url)
    snapshot = CatalogSnapshot()
    for n in range(6):  # six citizens on 1 November, six others on 20 November
        await digital_journey(Citizen(empty_database, settings, snapshot, BASE_ID + n),
                              date(2026, 11, 1))
        await digital_journey(Citizen(empty_database, settings, snapshot, BASE_ID + 10 + n),
                              date(2026, 11, 20))
    before = await report(sessions, days=60)

    async def kept_days() -> list[date]:
        async with sessions() as session:
            query = select(col(StatsEvent.day)).distinct().order_by(col(StatsEvent.day))
            return list((await session.exec(query)).all())

    # Kept 30 days, its own day included: on 30 November, 1 November is still there...
    async with sessions() as session:
        await purge(session=session, today=date(2026, 11, 30), retention_days=30)
    assert await kept_days() == [date(2026, 11, 1), date(2026, 11, 20)]
    # ... and on 1 December it is gone, while its daily counts stay.
    job = StatsPurge(retention_days=30, clock=lambda: TODAY)
    purged = await job.run_once(sessions)
    assert purged.events_deleted > 0
    assert await kept_days() == [date(2026, 11, 20)]
    async with sessions() as session:
        november_first = (await daily_figures(session=session, start=date(2026, 11, 1),
                                              end=date(2026, 11, 1)))[date(2026, 11, 1)]
    assert november_first["users", ""] == 6 and november_first["saved", "digital"] == 6
    after = await report(sessions, days=60, retention_days=30)
    assert after.funnel == before.funnel and after.missions == before.missions
    # Users come from raw events only: the report says since when it counts them.
    assert after.users_since == date(2026, 11, 2)
    assert (str(before.users), str(after.users)) == ("12", "6")
    # Purging again changes nothing.
    assert (await job.run_once(sessions)).events_deleted == 0
    assert (await report(sessions, days=60, retention_days=30)).funnel == after.funnel


@pytest.mark.asyncio
async def test_concurrent_purges_roll_each_day_up_once(database_url: str,
                                                       engine: AsyncEngine) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer at a time: concurrency is PostgreSQL's question")
    sessions = session_maker(engine)
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: events.record(
            sync, user_key="a" * 64, day=date(2026, 11, 30), language="fr",
            facts=[(Kind.NEW, {})]))
    second = create_engine(database_url)
    try:
        results = await asyncio.gather(*(
            purge_with(maker) for maker in (sessions, session_maker(second))))
    finally:
        await second.dispose()
    assert sorted(r.days_rolled_up for r in results) in ([0, 1], [1, 1])
    async with sessions() as session:
        rows = (await session.exec(select(StatsDaily))).all()
    assert {(row.metric, row.count) for row in rows} >= {("users", 1), ("new", 1)}


async def purge_with(sessions: SessionMaker) -> Purged:
    async with sessions() as session:
        return await purge(session=session, today=TODAY, retention_days=180)


def test_the_command_line_prints_and_exports_protected_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'stats.db'}"
    today = date.today()

    async def prepare() -> None:
        database = await open_database(url, load_sample=False)
        sessions = database.sessions
        await seed(sessions)
        settings = stats_settings(url)
        for n in range(6):
            await digital_journey(Citizen(database, settings, CatalogSnapshot(), BASE_ID + n),
                                  today)
        async with database.engine.begin() as connection:
            # Words that would run as a formula in a spreadsheet (they cannot come from
            # catalog.stats.keywords, but the export does not rely on it).
            for n in range(5):
                await connection.run_sync(
                    events.record, user_key=f"{n:064d}", day=today, language="fr",
                    facts=[(Kind.UNMET_SEARCH, {"keywords": "=HYPERLINK(1)"})])
        await database.close()

    asyncio.run(prepare())
    exported = tmp_path / "stats.csv"
    assert main(["--database-url", url, "stats", "--days", "7", "--csv", str(exported)]) == 0
    out = capsys.readouterr().out
    # The five who searched for the formula have no first message in the period: returning.
    assert "Users: 11 (new: 6, returning: 5)" in out
    assert "Digital skills: asked 6 times, 1 offer (6 per offer), 0 without a good result" in out
    with exported.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["section", "item", "measure", "value"]
    assert ["users", "", "total", "11"] in rows
    assert ["languages", "en", "users", "6"] in rows and ["languages", "fr", "users", "5"] in rows
    assert ["funnel", "saved", "conversations", "6"] in rows
    assert ["unmet_searches", "'=HYPERLINK(1)", "people", "5"] in rows
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    assert main(["--database-url", url, "stats", "--days", "0"]) == 2
    assert "--days 0" in capsys.readouterr().err


@pytest.mark.asyncio
async def test_no_table_of_the_statistics_is_left_out_of_the_scan(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        tables = MetaData()
        await connection.run_sync(tables.reflect)
    assert {name for name in tables.tables if name.startswith("stats")} == {
        "stats_event", "stats_daily"}


@pytest.mark.asyncio
async def test_daily_job_runs_once_across_replicas(engine: AsyncEngine) -> None:
    sessions = session_maker(engine)
    runs: list[int] = []
    ticks: list[bool | Exception] = []  # each replica's first tick: ran here, or refused
    all_ticked = asyncio.Event()

    class Counting(StatsPurge):
        async def run_once(self, sessions: SessionMaker) -> Purged:
            runs.append(1)
            return await super().run_once(sessions)

        async def tick(self, sessions: SessionMaker) -> bool:
            try:
                ran = await super().tick(sessions)
            except Exception as error:
                ticks.append(error)
                raise
            else:
                ticks.append(ran)
                return ran
            finally:
                if len(ticks) == len(replicas):
                    all_ticked.set()

    replicas = [Counting(retention_days=30, clock=lambda: TODAY) for _ in range(2)]
    for replica in replicas:
        replica.start(sessions)
    # Each replica ticks at start, then not for an hour: both ticks are over once this is set.
    await asyncio.wait_for(all_ticked.wait(), 30)
    for replica in replicas:
        await replica.stop()
    assert sorted(ticks, key=str) == [False, True]
    assert runs == [1]
