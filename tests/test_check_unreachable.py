"""``tremplin catalog check`` lists the offers several citizens could not reach, with why
(the follow-ups' answers in the statistics)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from stats_helpers import seed

from catalog.maintenance.check import (
    SEVERAL,
    UNREACHABLE_DAYS,
    check_catalogue,
    format_report,
    offer_problems,
)
from catalog.stats.events import StatsEvent
from catalog.stats.facts import Kind
from catalog.store.db import SessionMaker

pytestmark = pytest.mark.asyncio
TODAY = date(2026, 12, 3)


def _could_not(person: str, offer: str, reason: str | None, day: date = TODAY) -> list[StatsEvent]:
    events = [StatsEvent(user_key=person, day=day, kind=Kind.FOLLOWUP,
                         facts={"offer": offer, "missions": ["digital"], "answer": "could_not"})]
    if reason is not None:
        events.append(StatsEvent(user_key=person, day=day, kind=Kind.FOLLOWUP_WHY,
                                 facts={"offer": offer, "missions": ["digital"],
                                        "reason": reason}))
    return events


async def test_offers_several_citizens_could_not_reach_are_listed_with_why(
    sessions: SessionMaker,
) -> None:
    await seed(sessions)
    old = TODAY - timedelta(days=UNREACHABLE_DAYS)
    async with sessions() as session:
        for events in (
            _could_not("p1", "o-digital", "far"), _could_not("p2", "o-digital", "far"),
            _could_not("p3", "o-digital", None), _could_not("p4", "o-digital", "price"),
            # Two people only, and a third too long ago: not several.
            _could_not("p1", "o-french", "language"), _could_not("p2", "o-french", "times"),
            _could_not("p3", "o-french", "far", day=old),
        ):
            session.add_all(events)
        await session.commit()
    async with sessions() as session:
        report = await check_catalogue(session=session, today=TODAY)
    assert SEVERAL == 3
    assert [(item.id, item.detail) for item in report.unreachable] == [
        ("o-digital", "4 citizens could not go: far (2), price (1)")]
    assert [p.offer for p in offer_problems(report) if p.kind == "unreachable"] == ["o-digital"]
    lines = format_report(report)
    assert "  could not be reached by 3 citizens or more in 90 days (follow-ups): 1" in lines
    assert any(line.startswith("    o-digital  Atelier informatique: 4 citizens") for line in lines)
