"""``tremplin catalog check``: stale, incomplete, ended and duplicate offers; coverage gaps."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import DATA
from factories import offer
from sqlalchemy import update
from sqlmodel import SQLModel

from bot.cli.main import main
from catalog.maintenance.check import build_report, check_catalogue, format_report
from catalog.maintenance.importer import import_file
from catalog.offer import add_months
from catalog.store.db import SessionMaker

TODAY = date(2026, 11, 25)
RECENT = date(2026, 10, 1)
OLD = date(2025, 11, 24)


def test_each_finding() -> None:
    offers = [
        offer("fresh", title="Atelier", description="Bien décrit", updated_on=RECENT),
        offer("old", title="Ancien", description="x", updated_on=OLD),
        offer("just-a-year", title="Un an", description="x", updated_on=date(2025, 11, 25)),
        offer("every-month", title="Mensuel", description="x", updated_on=RECENT, review_months=1),
        offer("bare", title="Nu", latitude=None, longitude=None, city="", updated_on=RECENT),
        offer(
            "online",
            title="En ligne",
            description="x",
            city="",
            neighbourhood="",
            latitude=None,
            longitude=None,
            url="https://example.org",
            updated_on=RECENT,
        ),
        offer(
            "ended",
            title="Fini",
            description="x",
            missions=("family",),
            end_date=date(2026, 11, 24),
            updated_on=RECENT,
        ),
        offer("twin", title="ATELIER ", description="y", updated_on=RECENT),
    ]
    report = build_report(offers, today=TODAY)
    assert report.active == 8
    assert [(item.id, item.day) for item in report.stale] == [
        ("every-month", RECENT),
        ("old", date(2025, 11, 24)),
    ]
    assert [item.id for item in report.no_description] == ["bare"]
    assert [item.id for item in report.no_place_no_url] == ["bare"]
    assert [(item.id, item.day) for item in report.ended] == [("ended", date(2026, 11, 24))]
    assert [[item.id for item in group] for group in report.duplicate_titles] == [["fresh", "twin"]]
    # Six offers still shown, all "lifelong" (the factory's mission): every other is a gap.
    assert report.missions["lifelong"] == 7 and report.missions["family"] == 0
    assert ("family", 0) in report.mission_gaps and ("lifelong", 7) not in report.mission_gaps
    assert len(report.topic_gaps) == 18
    assert report.findings == 2 + 1 + 1 + 1 + 1 + 5 + 18


def test_a_good_catalogue_has_nothing_to_look_at() -> None:
    offers = [
        offer(
            f"o{n}",
            title=f"Offre {n}",
            description="x",
            missions=(mission,),
            topics=(topic,),
            updated_on=RECENT,
        )
        for n, (mission, topic) in enumerate(
            (m, t)
            for m in ("inclusive", "family", "workplace", "digital", "quality", "lifelong")
            for t in (
                "digital",
                "languages",
                "french",
                "literacy",
                "arts",
                "music",
                "reading",
                "science",
                "environment",
                "health",
                "sport",
                "parenting",
                "career",
                "entrepreneurship",
                "crafts",
                "cooking",
                "citizenship",
                "history",
            )
        )
    ]
    report = build_report(offers, today=TODAY)
    assert report.findings == 0
    assert format_report(report)[-1] == "  nothing to look at"


def test_months_after_a_day() -> None:
    assert add_months(date(2025, 11, 25), 12) == date(2026, 11, 25)
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


@pytest.mark.asyncio
async def test_check_reads_the_stored_confirmation_days(sessions: SessionMaker) -> None:
    data = (DATA / "catalog" / "valid.csv").read_bytes()
    async with sessions() as session:
        await import_file(session=session, data=data, source="v.csv", actor="t")
        table = SQLModel.metadata.tables["offer"]
        await session.exec(update(table).where(table.c.id == "fle-02").values(updated_on=OLD))
        await session.commit()
    async with sessions() as session:
        report = await check_catalogue(session=session, today=TODAY)
    assert [item.id for item in report.stale] == ["fle-02"]
    assert [item.id for item in report.ended] == []
    async with sessions() as session:
        later = await check_catalogue(session=session, today=date(2027, 1, 1))
    assert [item.id for item in later.ended] == ["lire-03"]


def test_check_command(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    valid = DATA / "catalog" / "valid.csv"
    assert main(["--database-url", database_url, "catalog", "import", str(valid)]) == 0
    capsys.readouterr()
    assert main(["--database-url", database_url, "catalog", "check", "--today", "2027-01-01"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "catalogue check on 2027-01-01: 3 active offers"
    assert "  past their end date (never shown): 1" in lines
    assert "    lire-03  Heure du conte en famille (2026-12-31)" in lines
    assert lines[-1].startswith("  topics with fewer than 3 offers: digital (1), languages (1),")
    assert main(["--database-url", database_url, "catalog", "check", "--today", "soon"]) == 2
    assert "--today 'soon': expected a date as YYYY-MM-DD" in capsys.readouterr().err
