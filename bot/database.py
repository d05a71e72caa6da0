"""Opening the database for a front end: schema, first-use sample catalogue, sessions."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.sample import ensure_catalogue
from sqlalchemy.ext.asyncio import AsyncEngine

import bot.models  # noqa: F401  (registers the conversation tables before create_schema)
from catalog.db import SessionMaker, create_engine, create_schema, session_maker


@dataclass(frozen=True, slots=True)
class Database:
    engine: AsyncEngine
    sessions: SessionMaker

    async def close(self) -> None:
        await self.engine.dispose()


async def open_database(url: str, *, load_sample: bool = True) -> Database:
    """Create missing tables and, on first use with no offer at all, load the sample catalogue."""
    engine = create_engine(url)
    await create_schema(engine)
    sessions = session_maker(engine)
    if load_sample:
        async with sessions() as session:
            await ensure_catalogue(session=session)
    return Database(engine=engine, sessions=sessions)
