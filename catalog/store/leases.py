"""Scheduled jobs that run once across replicas: one lease row per job in the database.

Every replica's scheduler calls :func:`run_once` on its own timer (say every hour, for a daily
purge); the first caller of each period claims the job's lease and runs it, the others return
at once. Periods are aligned on the UTC epoch (a one-day period is a UTC calendar day), so the
job runs at most once per period however many replicas tick, and whenever they tick.

The claim is one conditional ``UPDATE ... WHERE held_until <= now``: on PostgreSQL the second
of two concurrent updates waits for the first to commit, then finds the row no longer matches;
on SQLite the transaction holds the write lock from ``BEGIN IMMEDIATE``. No lock is held while
the job runs.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Table, update
from sqlmodel import Field, SQLModel, col

from catalog.store.db import SessionMaker
from catalog.store.models import utcnow
from catalog.store.upsert import insert_on_conflict

logger = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Clock = Callable[[], datetime]


class JobLease(SQLModel, table=True):
    """Who ran a scheduled job last, and until when nobody else may run it."""

    __tablename__ = "job_lease"

    name: str = Field(primary_key=True, max_length=64)
    # The end of the period whose run was claimed; the next run may start from then on.
    held_until: datetime
    holder: str = Field(default="", max_length=255)  # host:pid, for an operator's eyes
    claimed_at: datetime = Field(default_factory=utcnow)


LEASES: Table = JobLease.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Lease:
    """A claimed run: enough to give it back if the job fails."""

    name: str
    holder: str
    claimed_at: datetime
    held_until: datetime
    period_start: datetime


def period_end(now: datetime, period: timedelta) -> datetime:
    """The end of the period (aligned on the UTC epoch) that ``now`` falls in."""
    if period <= timedelta(0):
        raise ValueError("period must be positive")
    return EPOCH + ((now - EPOCH) // period + 1) * period


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def take(connection: Connection, *, name: str, holder: str, now: datetime,
         until: datetime) -> bool:
    """Take lease ``name`` for ``holder`` until ``until`` if nobody holds it at ``now``.

    The row exists from the first take on (inserting it never takes anything); ON CONFLICT
    makes two first takes safe. The take itself is one conditional ``UPDATE``.
    """
    connection.execute(
        insert_on_conflict(connection.dialect.name, LEASES)
        .values(name=name, held_until=EPOCH, holder="", claimed_at=now)
        .on_conflict_do_nothing()
    )
    taken = connection.execute(
        update(LEASES)
        .where(LEASES.c.name == name, LEASES.c.held_until <= now)
        .values(held_until=until, holder=holder, claimed_at=now)
        .returning(LEASES.c.name)
    ).first()
    return taken is not None


async def claim(
    *,
    sessions: SessionMaker,
    name: str,
    period: timedelta,
    clock: Clock = utcnow,
    holder: str | None = None,
) -> Lease | None:
    """Claim this period's run of job ``name``; ``None`` when somebody already has it."""
    now = clock()
    until = period_end(now, period)
    taker = holder or default_holder()
    async with sessions() as session:
        claimed = await session.run_sync(lambda sync: take(
            sync.connection(), name=name, holder=taker, now=now, until=until))
        await session.commit()
    if not claimed:
        return None
    return Lease(
        name=name, holder=taker, claimed_at=now, held_until=until, period_start=until - period
    )


async def release(*, sessions: SessionMaker, lease: Lease) -> None:
    """Give a claimed run back (the job failed): the next caller in the period runs it."""
    async with sessions() as session:
        await session.exec(
            update(JobLease)
            .where(
                col(JobLease.name) == lease.name,
                col(JobLease.holder) == lease.holder,
                col(JobLease.held_until) == lease.held_until,
            )
            # The start of the period: claimable again at once, and only in this period.
            .values(held_until=lease.period_start)
        )
        await session.commit()


async def run_once(
    *,
    sessions: SessionMaker,
    name: str,
    period: timedelta,
    job: Callable[[], Awaitable[object]],
    clock: Clock = utcnow,
) -> bool:
    """Run ``job`` unless it already ran (or runs) in this period anywhere; whether it ran here.

    A job that raises gives its lease back, so that the next tick (here or on another
    replica) tries again within the same period; the error propagates to the caller.
    """
    lease = await claim(sessions=sessions, name=name, period=period, clock=clock)
    if lease is None:
        logger.debug("event=job_skipped job=%s", name)
        return False
    logger.info("event=job_started job=%s holder=%s", name, lease.holder)
    try:
        await job()
    except BaseException:
        await release(sessions=sessions, lease=lease)
        raise
    return True
