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
from catalog.store.db import SessionMaker, create_engine, create_schema, session_maker
from catalog.store.transactions import run_transaction

CITIZENS = Citizen.__table__  # type: ignore[attr-defined]


def _add(user_id: int) -> Callable[[Connection], int]:
    def work(connection: Connection) -> int:
        connection.execute(CITIZENS.insert().values(user_id=user_id, language="fr"))
        return user_id
    return work


async def _ids(sessions: SessionMaker) -> list[int]:
    query = select(CITIZENS.c.user_id).order_by(CITIZENS.c.user_id)
    return await run_transaction(sessions, lambda c: list(c.execute(query).scalars()))


@pytest.mark.asyncio
async def test_the_work_is_committed_and_its_result_returned(sessions: SessionMaker) -> None:
    assert await run_transaction(sessions, _add(7)) == 7
    assert await _ids(sessions) == [7]


@pytest.mark.asyncio
async def test_a_failing_work_changes_nothing(sessions: SessionMaker) -> None:
    def work(connection: Connection) -> None:
        connection.execute(CITIZENS.insert().values(user_id=1, language="fr"))
        raise LookupError("half-way")

    with pytest.raises(LookupError, match="half-way"):
        await run_transaction(sessions, work)
    assert await _ids(sessions) == []
    # The connection is usable again afterwards.
    await run_transaction(sessions, _add(2))
    assert await _ids(sessions) == [2]


@pytest.mark.asyncio
async def test_concurrent_read_modify_write_loses_no_update(sessions: SessionMaker) -> None:
    """Each transaction reads a count and writes it back plus one: without serialisation
    (one thread on SQLite, a row lock on PostgreSQL), two would read the same value."""
    await run_transaction(sessions, _add(1))

    def increment(connection: Connection) -> None:
        query = select(CITIZENS.c.language).where(CITIZENS.c.user_id == 1).with_for_update()
        count = int(connection.execute(query).scalar_one().removeprefix("fr") or 0)
        connection.execute(
            CITIZENS.update().where(CITIZENS.c.user_id == 1).values(language=f"fr{count + 1}"))

    await asyncio.gather(*(run_transaction(sessions, increment) for _ in range(6)))
    query = select(CITIZENS.c.language)
    assert await run_transaction(sessions, lambda c: c.execute(query).scalar_one()) == "fr6"


@pytest.mark.asyncio
async def test_the_event_loop_is_free_while_sqlite_works(engine: AsyncEngine,
                                                         sessions: SessionMaker) -> None:
    if engine.url.get_backend_name() != "sqlite":
        pytest.skip("the worker thread is SQLite's; PostgreSQL runs on the event loop")
    threads: list[str] = []

    def work(connection: Connection) -> int:
        threads.append(threading.current_thread().name)
        return int(connection.execute(select(func.count()).select_from(CITIZENS)).scalar_one())

    assert await run_transaction(sessions, work) == 0
    assert threads[0].startswith("tremplin-sqlite")


@pytest.mark.asyncio
async def test_disposing_the_engine_stops_the_sqlite_thread(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'companion.db'}")
    await create_schema(engine)
    sessions = session_maker(engine)
    await run_transaction(sessions, _add(3))
    assert any(t.name.startswith("tremplin-sqlite") for t in threading.enumerate())
    await engine.dispose()
    assert not any(t.name.startswith("tremplin-sqlite") for t in threading.enumerate())
    # The engine can be used again after dispose(), as SQLAlchemy allows: a new companion.
    await run_transaction(sessions, _add(4))
    assert await _ids(sessions) == [3, 4]
    await engine.dispose()


@pytest.mark.asyncio
async def test_an_in_memory_database_is_not_opened_twice() -> None:
    # A second connection to ":memory:" would be another, empty, database: the work runs on
    # the async engine's own connection instead.
    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    try:
        await create_schema(engine)
        sessions = session_maker(engine)
        await run_transaction(sessions, _add(5))
        assert await _ids(sessions) == [5]
    finally:
        await engine.dispose()


@pytest.mark.asyncio
async def test_postgresql_keeps_its_connections_under_load(engine: AsyncEngine,
                                                           sessions: SessionMaker) -> None:
    """More steps at once than the pool holds wait for a connection instead of opening (and
    then closing) extra ones: each new one is a PostgreSQL backend forked."""
    if engine.url.get_backend_name() != "postgresql":
        pytest.skip("about PostgreSQL's connection pool")

    def backend(connection: Connection) -> int:
        return int(connection.execute(text("SELECT pg_backend_pid() FROM pg_sleep(0.01)"))
                   .scalar_one())

    rounds = [set(await asyncio.gather(*(run_transaction(sessions, backend) for _ in range(48))))
              for _ in range(3)]
    size = engine.pool.size()  # type: ignore[attr-defined]
    # The same few backends all along: no connection opened beyond the pool, none closed.
    assert len(rounds[0] | rounds[1] | rounds[2]) <= size


@pytest.mark.asyncio
async def test_a_cancelled_step_leaves_nothing_behind(sessions: SessionMaker) -> None:
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

    task = asyncio.create_task(run_transaction(sessions, work))
    await asyncio.to_thread(started.wait, 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await _ids(sessions) == []


@pytest.mark.asyncio
async def test_steps_go_on_while_the_catalogue_index_is_rebuilt(
    sessions: SessionMaker, monkeypatch: pytest.MonkeyPatch
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
        async with sessions() as session:
            return await catalogue.index(session=session)

    build = asyncio.create_task(rebuild())
    assert await asyncio.to_thread(building.wait, 10)
    await run_transaction(sessions, _add(1))
    stepped.set()
    await build
    assert await _ids(sessions) == [1]


@pytest.mark.asyncio
async def test_sqlite_steps_wait_for_the_write_lock_as_long_as_for_the_connection(
    engine: AsyncEngine, sessions: SessionMaker
) -> None:
    if engine.url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's busy timeout")
    busy = text("PRAGMA busy_timeout")
    async with engine.connect() as connection:
        assert (await connection.execute(busy)).scalar_one() == 5000
    # The async pool's own wait for its single connection (pool_timeout) is 60 s.
    assert await run_transaction(sessions, lambda c: c.execute(busy).scalar_one()) == 60_000
