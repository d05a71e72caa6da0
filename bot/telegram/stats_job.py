"""The statistics' daily housekeeping, run by the bot: roll finished days up, purge old events.

A plain asyncio task started in ``post_init`` (PTB's JobQueue would need the ``job-queue``
extra, APScheduler, for one timer). It ticks at start, then every hour; a database lease
(:func:`catalog.store.leases.run_once`) lets one replica only run it per UTC day. Running it twice
would be harmless anyway: days already rolled up are skipped and a purge deletes nothing the
first one did not. :func:`catalog.stats.aggregates.purge` is what the tests call, with a
frozen date.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta

from catalog.stats.aggregates import Purged, purge
from catalog.store.db import SessionMaker
from catalog.store.leases import run_once

logger = logging.getLogger(__name__)

TICK_SECONDS = 60 * 60.0
JOB_NAME = "stats_purge"
STOP_GRACE = 5.0


class StatsPurge:
    """Once a day, :func:`catalog.stats.aggregates.purge` with the configured retention, then
    the other daily ``chores`` (erasing idle conversations), under the same lease."""

    def __init__(
        self,
        *,
        retention_days: int,
        every: float = TICK_SECONDS,
        clock: Callable[[], date] = date.today,
        chores: Sequence[Callable[[], Awaitable[object]]] = (),
    ) -> None:
        self._retention_days = retention_days
        self._chores = tuple(chores)
        self._every = every
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def run_once(self, sessions: SessionMaker) -> Purged:
        """One roll-up and purge, now."""
        async with sessions() as session:
            purged = await purge(session=session, today=self._clock(),
                                 retention_days=self._retention_days)
        logger.info("event=stats_purged days_rolled_up=%d events_deleted=%d",
                    purged.days_rolled_up, purged.events_deleted)
        for chore in self._chores:
            await chore()
        return purged

    async def tick(self, sessions: SessionMaker) -> bool:
        """One tick: :meth:`run_once` unless it ran today on any replica; whether it ran here."""
        return await run_once(
            sessions=sessions,
            name=JOB_NAME,
            period=timedelta(days=1),
            job=lambda: self.run_once(sessions),
        )

    async def _loop(self, sessions: SessionMaker, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await self.tick(sessions)
            except Exception:  # a database hiccup must not stop tomorrow's run
                logger.exception("event=stats_purge_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self._every)

    def start(self, sessions: SessionMaker) -> None:
        """Tick now, then every hour (running once a day across replicas), until :meth:`stop`."""
        if self._task is None:
            self._stopping = asyncio.Event()
            self._task = asyncio.create_task(
                self._loop(sessions, self._stopping), name="tremplin-stats-purge"
            )

    async def stop(self) -> None:
        """Stop ticking; a run in progress gets :data:`STOP_GRACE` seconds to finish.

        Cancelling at once is the last resort: a task cancelled inside a database call can
        leave its connection unclosed, and with it SQLite's write lock, for whatever runs next
        on the database. Past the grace (a database that does not answer), it is cancelled so
        that shutdown never hangs.
        """
        if self._task is None:
            return
        self._stopping.set()
        try:
            await asyncio.wait_for(self._task, STOP_GRACE)
        except TimeoutError:
            logger.warning("event=stats_purge_cancelled reason=stop_grace_exceeded")
        self._task = None
