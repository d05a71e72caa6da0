"""A background task that runs a job now, then every so often, and stops gracefully.

The bot's periodic jobs (statistics housekeeping, alerts and follow-ups) are plain asyncio tasks
started in ``post_init``: PTB's JobQueue would need the ``job-queue`` extra (APScheduler) for a
few timers. Which replica does the work is the jobs' business (database leases); this only ticks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

HOUR = 60 * 60.0
STOP_GRACE = 5.0


class Ticker:
    """Calls a job at start, then every ``every`` seconds, until :meth:`stop`."""

    def __init__(self, name: str, *, every: float = HOUR) -> None:
        self.name = name
        self.every = every
        self.stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self, job: Callable[[], Awaitable[object]]) -> None:
        """Tick now, then every ``every`` seconds; a second start while running does nothing."""
        if self._task is None:
            self.stopping = asyncio.Event()
            self._task = asyncio.create_task(self._loop(job, self.stopping),
                                             name=f"tremplin-{self.name}")

    async def _loop(self, job: Callable[[], Awaitable[object]], stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await job()
            except Exception:  # a database or network hiccup must not stop the next tick
                logger.exception("event=%s_failed", self.name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self.every)

    async def stop(self) -> None:
        """Stop ticking; a run in progress gets :data:`STOP_GRACE` seconds to finish.

        Cancelling at once is the last resort: a task cancelled inside a database call can
        leave its connection unclosed, and with it SQLite's write lock, for whatever runs next
        on the database. Past the grace (a database that does not answer), it is cancelled so
        that shutdown never hangs.
        """
        if self._task is None:
            return
        self.stopping.set()
        try:
            await asyncio.wait_for(self._task, STOP_GRACE)
        except TimeoutError:
            logger.warning("event=%s_cancelled reason=stop_grace_exceeded", self.name)
        self._task = None
