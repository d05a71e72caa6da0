"""Hot-path transactions (catalog.store.transactions): committed, rolled back, serialised."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.chats.models import Citizen
from catalog.matching.index import CatalogIndex
from catalog.offer import Offer
from catalog.store import snapshot
from catalog.store.db import Database, create_engine, create_schema, rollback_on_error
from catalog.store.transactions import run_transaction

CITIZENS = Citizen.__table__  # type: ignore[attr-defined]


@pytest.fixture
def database(empty_database: Database) -> Database:
    """No sample catalogue: these tests count their own rows."""
    return empty_database


def _add(user_id: int) -> Callable[[Connection], int]:
    def work(connection: Connection) -> int:
        connection.execute(CITIZENS.insert().values(user_id=user_id, language="fr"))
        return user_id
    return work


async def _ids(database: Database) -> list[int]:
    query = select(CITIZENS.c.user_id).order_by(CITIZENS.c.user_id)
    return await run_transaction(database, lambda c: list(c.execute(query).scalars()))


@pytest.mark.asyncio
async def test_the_work_is_committed_and_its_result_returned(database: Database) -> None:
    assert await run_transaction(database, _add(7)) == 7
    assert await _ids(database) == [7]


@pytest.mark.asyncio
async def test_a_failing_work_changes_nothing(database: Database) -> None:
    def work(connection: Connection) -> None:
        connection.execute(CITIZENS.insert().values(user_id=1, language="fr"))
        raise LookupError("half-way")

    with pytest.raises(LookupError, match="half-way"):
        await run_transaction(database, work)
    assert await _ids(database) == []
    # The connection is usable again afterwards.
    await run_transaction(database, _add(2))
    assert await _ids(database) == [2]


@pytest.mark.asyncio
async def test_concurrent_read_modify_write_loses_no_update(database: Database) -> None:
    """Each transaction reads a count and writes it back plus one: without serialisation
    (one thread on SQLite, a row lock on PostgreSQL), two would read the same value."""
    await run_transaction(database, _add(1))

    def increment(connection: Connection) -> None:
        query = select(CITIZENS.c.language).where(CITIZENS.c.user_id == 1).with_for_update()
        count = int(connection.execute(query).scalar_one().removeprefix("fr") or 0)
        connection.execute(
            CITIZENS.update().where(CITIZENS.c.user_id == 1).values(language=f"fr{count + 1}"))

    await asyncio.gather(*(run_transaction(database, increment) for _ in range(6)))
    query = select(CITIZENS.c.language)
    assert await run_transaction(database, lambda c: c.execute(query).scalar_one()) == "fr6"


@pytest.mark.asyncio
async def test_the_event_loop_is_free_while_sqlite_works(engine: AsyncEngine,
                                                         database: Database) -> None:
    if engine.url.get_backend_name() != "sqlite":
        pytest.skip("the worker thread is SQLite's; PostgreSQL runs on the event loop")
    threads: list[str] = []

    def work(connection: Connection) -> int:
        threads.append(threading.current_thread().name)
        return int(connection.execute(select(func.count()).select_from(CITIZENS)).scalar_one())

    assert await run_transaction(database, work) == 0
    assert threads[0].startswith("tremplin-sqlite")


def _step_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("tremplin-sqlite")]


@pytest.mark.asyncio
async def test_the_database_object_owns_its_sqlite_thread(tmp_path: Path) -> None:
    """Each database object has its own step thread, started at its first step and stopped
    when that object is closed: no other object's steps are affected."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'steps.db'}"
    first, second = Database(create_engine(url)), Database(create_engine(url))
    await create_schema(first.engine)
    assert _step_threads() == []  # nothing started before a step needs it
    await run_transaction(first, _add(3))
    await run_transaction(second, _add(4))
    assert len(_step_threads()) == 2
    await first.close()
    assert len(_step_threads()) == 1
    assert await _ids(second) == [3, 4]  # the other database goes on
    with pytest.raises(RuntimeError, match="shutdown"):  # a closed database runs no more steps
        await run_transaction(first, _add(5))
    await second.close()
    assert _step_threads() == []


@pytest.mark.asyncio
async def test_an_in_memory_database_is_not_opened_twice() -> None:
    # A second connection to ":memory:" would be another, empty, database: the work runs on
    # the async engine's own connection instead.
    database = Database(create_async_engine("sqlite+aiosqlite:///:memory:"))
    try:
        assert database.steps is None
        await create_schema(database.engine)
        await run_transaction(database, _add(5))
        assert await _ids(database) == [5]
    finally:
        await database.close()


@pytest.mark.asyncio
async def test_postgresql_keeps_its_connections_under_load(engine: AsyncEngine,
                                                           database: Database) -> None:
    """More steps at once than the pool holds wait for a connection instead of opening (and
    then closing) extra ones: each new one is a PostgreSQL backend forked."""
    if engine.url.get_backend_name() != "postgresql":
        pytest.skip("about PostgreSQL's connection pool")

    def backend(connection: Connection) -> int:
        return int(connection.execute(text("SELECT pg_backend_pid() FROM pg_sleep(0.01)"))
                   .scalar_one())

    rounds = [set(await asyncio.gather(*(run_transaction(database, backend) for _ in range(48))))
              for _ in range(3)]
    size = engine.pool.size()  # type: ignore[attr-defined]
    # The same few backends all along: no connection opened beyond the pool, none closed.
    assert len(rounds[0] | rounds[1] | rounds[2]) <= size


@pytest.mark.asyncio
async def test_a_cancelled_step_leaves_nothing_behind(database: Database) -> None:
    """Whoever cancels (uvicorn at the end of its graceful shutdown, say) gets no reply out of
    the step, so the step must not stay written: Telegram would deliver it again."""
    started = threading.Event()

    def work(connection: Connection) -> None:
        connection.execute(CITIZENS.insert().values(user_id=9, language="fr"))
        started.set()
        # Still in the transaction when the task is cancelled: in SQLite's thread, or awaiting
        # PostgreSQL on the event loop.
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_sleep(0.3)"))
        else:
            time.sleep(0.3)

    task = asyncio.create_task(run_transaction(database, work))
    await asyncio.to_thread(started.wait, 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await _ids(database) == []


@pytest.mark.asyncio
async def test_steps_go_on_while_the_catalogue_index_is_rebuilt(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite every transaction holds the write lock: the index is built after the read
    ends, or every step would wait for it (seconds at 100,000 offers)."""
    building, stepped = threading.Event(), threading.Event()

    def slow_index(offers: list[Offer]) -> CatalogIndex:
        building.set()
        assert stepped.wait(10), "the step waited for the index build"
        return CatalogIndex(offers)

    monkeypatch.setattr(snapshot, "CatalogIndex", slow_index)
    catalogue = snapshot.CatalogSnapshot()

    async def rebuild() -> CatalogIndex:
        async with database.sessions() as session:
            return await catalogue.index(session=session)

    build = asyncio.create_task(rebuild())
    assert await asyncio.to_thread(building.wait, 10)
    await run_transaction(database, _add(1))
    stepped.set()
    await build
    assert await _ids(database) == [1]


@pytest.mark.asyncio
async def test_sqlite_steps_wait_for_the_write_lock_as_long_as_for_the_connection(
    engine: AsyncEngine, database: Database
) -> None:
    if engine.url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's busy timeout")
    busy = text("PRAGMA busy_timeout")
    async with engine.connect() as connection:
        assert (await connection.execute(busy)).scalar_one() == 5000
    # The async pool's own wait for its single connection (pool_timeout) is 60 s.
    assert await run_transaction(database, lambda c: c.execute(busy).scalar_one()) == 60_000


@pytest.mark.asyncio
async def test_a_session_block_cancelled_midway_is_rolled_back(database: Database) -> None:
    """A cancellation is not an ``Exception``: the block must still roll back, or whoever uses
    the session next (and commits) would write the half-done work."""
    flushed = asyncio.Event()
    async with database.sessions() as session:

        async def half_done() -> None:
            async with rollback_on_error(session):
                session.add(Citizen(user_id=8, language="fr"))
                await session.flush()
                flushed.set()
                await asyncio.sleep(60)  # cancelled here
                await session.commit()

        task = asyncio.create_task(half_done())
        await flushed.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not session.in_transaction()
        await session.commit()  # the next user of the session commits its own work
    assert await _ids(database) == []
