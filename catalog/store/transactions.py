"""Short hot-path transactions run as one synchronous function, in one hop.

A conversation step is a handful of small statements. Through the async ORM on aiosqlite each
statement costs several round trips between the event loop and aiosqlite's thread (cursor,
execute, fetch, close), and those hops, not SQLite, were most of the bot's CPU per update.
:func:`run_transaction` instead runs a plain synchronous function on a SQLAlchemy Core
``Connection``, in a transaction that it commits (or rolls back when the function raises):

- on a SQLite file, on the database's step thread (``catalog.store.db.StepThread``: the
  standard ``sqlite3`` driver, same file, same pragmas, ``BEGIN IMMEDIATE``), so the whole
  transaction is a single hop and steps queue in that thread as they queued on the single
  pooled connection;
- on PostgreSQL, through ``AsyncConnection.run_sync`` on the async engine: asyncpg has no
  thread to hop to, and the same function drives it through SQLAlchemy's greenlet bridge.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection

from catalog.store.db import Database, StepThread

T = TypeVar("T")


class _Abandoned(Exception):
    """The awaiting task was cancelled while the step ran in the thread."""


def _in_thread(steps: StepThread, work: Callable[[Connection], T], abandoned: threading.Event) -> T:
    with steps.engine.begin() as connection:
        result = work(connection)
        if abandoned.is_set():
            # Nobody will show the step's replies: roll it back, as PostgreSQL does when the
            # awaiting task is cancelled, so that a redelivered update is not applied twice.
            raise _Abandoned
        return result


async def run_transaction(database: Database, work: Callable[[Connection], T]) -> T:
    """``work(connection)`` in one transaction, committed when it returns.

    ``work`` must be synchronous and quick: on SQLite it runs in the step thread while
    holding the database's write lock.
    """
    steps = database.steps
    if steps is None:
        async with database.engine.begin() as connection:
            return await connection.run_sync(work)
    abandoned = threading.Event()
    running = asyncio.get_running_loop().run_in_executor(
        steps.executor, _in_thread, steps, work, abandoned
    )
    try:
        return await asyncio.shield(running)
    except asyncio.CancelledError:
        # The thread cannot be interrupted: tell it to roll back, and wait for it, so that
        # whoever cancelled finds the database as it was.
        abandoned.set()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await running
        raise
