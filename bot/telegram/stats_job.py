"""The statistics' daily housekeeping, run by the bot: roll finished days up, purge old events.

A :class:`~bot.chats.ticker.Ticker` started in ``post_init``: it ticks at start, then every
hour; a database lease
(:func:`catalog.store.leases.run_once`) lets one replica only run it per UTC day. Running it twice
would be harmless anyway: days already rolled up are skipped and a purge deletes nothing the
first one did not. :func:`catalog.stats.aggregates.purge` is what the tests call, with a
frozen date.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta

from bot.chats.ticker import HOUR, Ticker
from catalog.stats.aggregates import Purged, purge
from catalog.store.db import SessionMaker
from catalog.store.leases import run_once

logger = logging.getLogger(__name__)

JOB_NAME = "stats_purge"


class StatsPurge:
    """Once a day, :func:`catalog.stats.aggregates.purge` with the configured retention, then
    the other daily ``chores`` (erasing idle conversations), under the same lease."""

    def __init__(
        self,
        *,
        retention_days: int,
        every: float = HOUR,
        clock: Callable[[], date] = date.today,
        chores: Sequence[Callable[[], Awaitable[object]]] = (),
    ) -> None:
        self._retention_days = retention_days
        self._chores = tuple(chores)
        self._clock = clock
        self._ticker = Ticker(JOB_NAME, every=every)

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

    def start(self, sessions: SessionMaker) -> None:
        """Tick now, then every hour (running once a day across replicas), until :meth:`stop`."""
        self._ticker.start(lambda: self.tick(sessions))

    async def stop(self) -> None:
        """Stop ticking; a run in progress gets a few seconds to finish (:class:`Ticker`)."""
        await self._ticker.stop()
