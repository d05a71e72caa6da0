"""Riding out a database restart: one step retried when the connection died under it.

By the time a handler runs, Telegram considers the update delivered (polling has confirmed
it; a webhook answers 200 even when a handler fails, or Telegram would resend a poisonous
update forever). So an update whose transaction died with its connection would be lost:
the citizen's answer gone, no reply. Retrying is safe because a step is one transaction: a
connection that died before ``COMMIT`` took everything with it. The one ambiguous moment is
a connection lost *during* ``COMMIT``, where the step may have been saved: the retry then
applies the input a second time, which at worst re-asks the question or toggles a choice
back, and is far rarer than a restart between two statements.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# About 7.5 s in all: a PostgreSQL restart refuses connections for a second or two.
RETRY_DELAYS = (0.0, 0.5, 1.0, 2.0, 4.0)
# SQLSTATE classes: 08 connection exception, 57P operator intervention (admin shutdown,
# crash shutdown, "the database system is starting up").
_LOST = ("08", "57P")


def is_disconnect(error: BaseException) -> bool:
    """Whether ``error`` means the database went away, rather than that the step was wrong."""
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        sqlstate = getattr(error.orig, "sqlstate", None) or ""
        return sqlstate.startswith(_LOST)
    # asyncpg lets "connection refused" (the server is down) through unwrapped.
    return isinstance(error, ConnectionError)


async def retrying(
    operation: Callable[[], Awaitable[T]], *, delays: tuple[float, ...] = RETRY_DELAYS
) -> T:
    """``operation()``, run again after each delay while it fails on a lost connection."""
    for attempt, delay in enumerate(delays, start=1):
        try:
            return await operation()
        except Exception as error:
            if not is_disconnect(error):
                raise
            logger.warning(
                "event=database_lost attempt=%d retry_in=%.1fs error=%s",
                attempt, delay, type(error).__name__,
            )
        await asyncio.sleep(delay)
    return await operation()  # the last try: its error, if any, goes to the error handler
