"""Scheduled jobs run once per period across replicas (``catalog.store.leases``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine

from catalog.store.db import SessionMaker, create_engine, session_maker
from catalog.store.leases import claim, period_end, run_once

DAY = timedelta(days=1)
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "period", "end"),
    [
        (NOON, DAY, datetime(2026, 11, 26, tzinfo=UTC)),
        (datetime(2026, 11, 25, tzinfo=UTC), DAY, datetime(2026, 11, 26, tzinfo=UTC)),
        (NOON, timedelta(hours=1), datetime(2026, 11, 25, 13, tzinfo=UTC)),
        (NOON.astimezone(ZoneInfo("Europe/Paris")), DAY, datetime(2026, 11, 26, tzinfo=UTC)),
    ],
    ids=["noon", "midnight", "hourly", "other-timezone"],
)
def test_periods_are_aligned_on_the_utc_epoch(
    now: datetime, period: timedelta, end: datetime
) -> None:
    assert period_end(now, period) == end


def test_a_period_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        period_end(NOON, timedelta(0))


@pytest_asyncio.fixture
async def replicas(
    sessions: SessionMaker, database_url: str
) -> AsyncIterator[list[SessionMaker]]:
    """Four replicas' session makers, each on its own engine."""
    engines: list[AsyncEngine] = [create_engine(database_url) for _ in range(3)]
    yield [sessions, *(session_maker(engine) for engine in engines)]
    for engine in engines:
        await engine.dispose()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.mark.asyncio
async def test_replicas_racing_run_the_job_once_per_period(replicas: list[SessionMaker]) -> None:
    clock = Clock(NOON)
    runs: list[datetime] = []

    async def purge() -> None:
        runs.append(clock.now)
        await asyncio.sleep(0.05)  # long enough for the others to try meanwhile

    async def tick() -> list[bool]:
        return list(
            await asyncio.gather(
                *(
                    run_once(sessions=s, name="purge", period=DAY, job=purge, clock=clock)
                    for s in replicas * 3  # three schedulers per replica, for good measure
                )
            )
        )

    assert sorted(await tick()) == [False] * 11 + [True]
    clock.now = NOON + timedelta(hours=11, minutes=59)  # 23:59, same day
    assert await tick() == [False] * 12
    clock.now = NOON + timedelta(hours=12)  # midnight: a new day
    assert (await tick()).count(True) == 1
    assert runs == [NOON, NOON + timedelta(hours=12)]


@pytest.mark.asyncio
async def test_jobs_have_leases_of_their_own(sessions: SessionMaker) -> None:
    clock = Clock(NOON)
    assert await claim(sessions=sessions, name="purge", period=DAY, clock=clock)
    assert await claim(sessions=sessions, name="digest", period=DAY, clock=clock)
    assert await claim(sessions=sessions, name="purge", period=DAY, clock=clock) is None


@pytest.mark.asyncio
async def test_a_failed_run_gives_the_lease_back(replicas: list[SessionMaker]) -> None:
    clock = Clock(NOON)

    async def broken() -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        await run_once(sessions=replicas[0], name="purge", period=DAY, job=broken, clock=clock)
    clock.now += timedelta(minutes=5)  # the next tick, on another replica, tries again

    async def fine() -> None:
        pass

    assert await run_once(sessions=replicas[1], name="purge", period=DAY, job=fine, clock=clock)
    assert not await run_once(
        sessions=replicas[2], name="purge", period=DAY, job=fine, clock=clock
    )
