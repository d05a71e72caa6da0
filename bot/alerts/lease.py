"""The outbox's sender lease: one sender at a time across processes, kept alive by a heartbeat.

Telegram's 30 messages a second are counted per bot token: two senders (two replicas, or a
replica and ``tremplin jobs run alerts``) pacing 29.5 a second each would together meet 429s.
So a sender first takes the lease, the ``job_lease`` row named :data:`NAME`: held for
:data:`EXPIRY`, renewed every :data:`HEARTBEAT` while it sends, given back when it is done. A
sender killed (``kill -9`` included) stops renewing and its lease lapses within :data:`EXPIRY`.

A sender that finds the lease held watches it (:func:`take`): renewed or taken by another, its
holder is alive and sends the outbox, so this one leaves at once; lapsed, its holder is gone and
this one takes over, and may take back the messages the dead one had in hand. Only the holder
claims messages (:func:`holding` is part of every claim), so a holder that lost its lease
(stalled past :data:`EXPIRY` while another took over) claims nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection, exists, select, update
from sqlalchemy.exc import SQLAlchemyError

from catalog.store import leases
from catalog.store.db import Database
from catalog.store.leases import EPOCH, LEASES, default_holder
from catalog.store.models import utcnow
from catalog.store.transactions import run_transaction

logger = logging.getLogger(__name__)

NAME = "outbox"
EXPIRY = timedelta(seconds=30)
# Three beats per expiry: a late beat or two (a slow database) does not lose the lease.
HEARTBEAT = EXPIRY / 3
# How often a waiting sender looks at the lease again.
POLL = 1.0
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Held:
    """Who holds the lease, until when (as the database has it)."""

    holder: str
    held_until: datetime


def new_holder() -> str:
    """A name for one sending run: host and pid for an operator's eyes, and a random part (a
    pid is reused; a run's lease must not be renewed by a later run of the same pid)."""
    return f"{default_holder()}:{secrets.token_hex(4)}"


def acquire(connection: Connection, *, holder: str, now: datetime) -> Held:
    """Take the lease if nobody holds it or its holder stopped renewing; who holds it now."""
    # On PostgreSQL a concurrent taker waits for this row, then finds held_until in the future.
    leases.take(connection, name=NAME, holder=holder, now=now, until=now + EXPIRY)
    row = connection.execute(
        select(LEASES.c.holder, LEASES.c.held_until).where(LEASES.c.name == NAME)).one()
    return Held(row.holder, row.held_until)


def renew(connection: Connection, *, holder: str, now: datetime) -> bool:
    """Hold the lease :data:`EXPIRY` longer; ``False`` when another sender took it over.

    A lease that lapsed with nobody taking it is still renewed: nobody else sent meanwhile.
    """
    renewed = connection.execute(
        update(LEASES).where(LEASES.c.name == NAME, LEASES.c.holder == holder)
        .values(held_until=now + EXPIRY).returning(LEASES.c.name)).first()
    return renewed is not None


def release(connection: Connection, *, holder: str) -> None:
    """Give the lease back: the next sender takes it at once."""
    connection.execute(
        update(LEASES).where(LEASES.c.name == NAME, LEASES.c.holder == holder)
        .values(held_until=EPOCH))


def holding(holder: str) -> Any:
    """A condition true while ``holder`` holds the lease (for a claim's ``WHERE``)."""
    return exists().where(LEASES.c.name == NAME, LEASES.c.holder == holder)


async def take(database: Database, *, holder: str, clock: Clock = utcnow,
               stop: asyncio.Event | None = None) -> bool:
    """Take the lease, waiting out a silent holder's; ``False`` when a live sender holds it
    (it renewed it while we watched, or another took it first), or ``stop`` was set."""
    seen: Held | None = None
    while stop is None or not stop.is_set():
        held = await run_transaction(database, partial(acquire, holder=holder, now=clock()))
        if held.holder == holder:
            return True
        if seen is None:
            logger.info("event=outbox_lease_wait holder=%s until=%s", held.holder,
                        held.held_until)
        elif held != seen:
            logger.info("event=outbox_lease_busy holder=%s", held.holder)
            return False
        seen = held
        if stop is None:
            await asyncio.sleep(POLL)
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), POLL)
    return False


@contextlib.asynccontextmanager
async def kept(database: Database, *, holder: str, clock: Clock = utcnow) -> AsyncIterator[None]:
    """Renew the lease every :data:`HEARTBEAT` while the block runs, then give it back."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(HEARTBEAT.total_seconds())
            try:
                renewed = await run_transaction(database, partial(renew, holder=holder,
                                                                  now=clock()))
            except SQLAlchemyError as error:  # the next beat tries again, within the expiry
                logger.warning("event=outbox_lease_not_renewed error=%s", type(error).__name__)
                continue
            if not renewed:
                # Another sender took over (this one stalled past the expiry): the claims,
                # conditional on the lease, stop here.
                logger.warning("event=outbox_lease_lost holder=%s", holder)
                return

    heart = asyncio.create_task(beat())
    try:
        yield
    finally:
        heart.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heart
        await run_transaction(database, partial(release, holder=holder))
