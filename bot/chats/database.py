"""Opening the database for a front end: schema, first-use sample catalogue, sessions."""

from __future__ import annotations

from catalog.maintenance.sample import ensure_catalogue
from catalog.store.db import Database, create_engine, session_maker
from catalog.store.migrations import upgrade

__all__ = ["Database", "open_database"]


async def open_database(url: str, *, load_sample: bool = True) -> Database:
    """Upgrade the schema to the newest migration and, on first use with no offer at all, load
    the sample catalogue.

    Every start migrates (under a lock, a no-op when up to date), so a replica never runs
    against an older schema than its code. The tests' throwaway databases skip this and use
    ``create_all`` (``tests/conftest.py``): faster, and ``tests/test_migrations.py`` proves
    both give the same schema.
    """
    engine = create_engine(url)
    try:
        await upgrade(engine)
        sessions = session_maker(engine)
        if load_sample:
            async with sessions() as session:
                await ensure_catalogue(session=session)
    except BaseException:
        await engine.dispose()
        raise
    return Database(engine=engine, sessions=sessions)
