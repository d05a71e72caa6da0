"""Conversation storage, on SQLite and PostgreSQL: one transaction per step, resume, /forget."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel, col, select

from bot.chats.conversations import TOUCH_EVERY, mark_inactive, process
from bot.chats.models import Citizen, ConversationRecord, Favourite
from bot.engine.inputs import Command, Input, Press, Start, Text
from bot.engine.replies import Reply
from bot.engine.state import Conversation, Step
from catalog.maintenance.sample import ensure_catalogue
from catalog.settings import Settings
from catalog.store.db import Database, SessionMaker, create_engine
from catalog.store.models import OfferRecord
from catalog.store.snapshot import CatalogSnapshot

TODAY = date(2026, 12, 1)
BIG_ID = 2**40 + 7  # Telegram ids exceed 32 bits


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(_env_file=None, database_url=database_url)


async def _seed(sessions: SessionMaker) -> None:
    async with sessions() as session:
        await ensure_catalogue(session=session)


async def _send(
    database: Database,
    settings: Settings,
    event: Input,
    *,
    snapshot: CatalogSnapshot | None = None,
    chat_id: int = BIG_ID,
    language_code: str | None = "en",
) -> list[Reply]:
    return await process(
        database=database, chat_id=chat_id, user_id=chat_id, language_code=language_code,
        event=event, catalog=snapshot or CatalogSnapshot(), settings=settings, today=TODAY,
    )


async def _state(sessions: SessionMaker, chat_id: int = BIG_ID) -> Conversation:
    async with sessions() as session:
        record = await session.get(ConversationRecord, chat_id)
        assert record is not None
        return Conversation.from_json(record.state)


def _action(replies: list[Reply], label: str) -> str:
    for reply in replies:
        for button in reply.all_buttons():
            if button.label.removeprefix("✓ ") == label and button.action:
                return button.action
    raise AssertionError(f"no button {label!r}")


@pytest.mark.asyncio
async def test_a_restart_resumes_the_conversation_at_the_same_step(
    sessions: SessionMaker, empty_database: Database, settings: Settings, database_url: str
) -> None:
    await _seed(sessions)
    replies = await _send(empty_database, settings, Start())
    replies = await _send(empty_database, settings, Press(_action(replies, "Me")))
    assert "How old are you?" in replies[-1].text
    await _send(empty_database, settings, Press("age:26-44"))
    assert (await _state(sessions)).step == Step.SITUATION

    # A new process: new engine, new catalogue snapshot, same database.
    restarted = Database(create_engine(database_url))
    try:
        replies = await _send(restarted, settings, Press("situation:job_seeker"),
                              snapshot=CatalogSnapshot())
        assert replies[-1].replaces_previous and "✓ Job seeker" in [
            b.label for b in replies[-1].all_buttons()]
        state = await _state(restarted.sessions)
        assert state.step == Step.SITUATION
        assert state.answers.age == 35 and state.answers.situations == ("job_seeker",)
    finally:
        await restarted.close()


@pytest.mark.asyncio
async def test_favourites_and_language_persist(
    sessions: SessionMaker, empty_database: Database, settings: Settings
) -> None:
    await _seed(sessions)
    replies = await _send(empty_database, settings, Command("search", "anglais"))
    await _send(empty_database, settings, Press(_action(replies, "Save")))
    async with sessions() as session:
        saved = (await session.exec(select(Favourite))).all()
        assert [favourite.user_id for favourite in saved] == [BIG_ID]
    replies = await _send(empty_database, settings, Command("favorites"))
    assert "You have saved 1 offer" in replies[0].text

    await _send(empty_database, settings, Command("language", "fr"))
    # Telegram still says English: the choice made with /language wins.
    replies = await _send(empty_database, settings, Command("help"), language_code="en")
    assert "Voici ce que je sais faire" in replies[-1].text
    async with sessions() as session:
        citizen = await session.get(Citizen, BIG_ID)
        assert citizen is not None and citizen.language == "fr"


@pytest.mark.asyncio
async def test_first_language_comes_from_telegram(
    sessions: SessionMaker, empty_database: Database, settings: Settings
) -> None:
    await _seed(sessions)
    await _send(empty_database, settings, Start(), chat_id=11, language_code="pt-BR")
    assert (await _state(sessions, 11)).language == "pt"
    await _send(empty_database, settings, Start(), chat_id=12, language_code="xx")
    assert (await _state(sessions, 12)).language == "fr"


@pytest.mark.asyncio
async def test_forget_erases_every_row_about_the_citizen(
    sessions: SessionMaker, empty_database: Database, settings: Settings, engine: AsyncEngine
) -> None:
    await _seed(sessions)
    other = 99
    await _send(empty_database, settings, Command("search", "anglais"), chat_id=other)
    replies = await _send(empty_database, settings, Command("search", "anglais"))
    await _send(empty_database, settings, Press(_action(replies, "Save")))
    replies = await _send(empty_database, settings, Command("forget"))
    erase = Press(_action(replies, "Yes, erase everything"))
    replies = await _send(empty_database, settings, erase)
    assert "erased everything" in replies[0].text

    async with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                if column.name in ("user_id", "chat_id"):
                    query = select(func.count()).select_from(table).where(column == BIG_ID)
                    assert (await connection.execute(query)).scalar_one() == 0, table.name
        # The other citizen is untouched.
        query = select(func.count()).select_from(ConversationRecord)
        assert (await connection.execute(query)).scalar_one() == 1


@pytest.mark.asyncio
async def test_mark_inactive_then_active_again(
    sessions: SessionMaker, empty_database: Database, settings: Settings
) -> None:
    await _seed(sessions)
    await _send(empty_database, settings, Start())
    await mark_inactive(database=empty_database, user_id=BIG_ID)
    async with sessions() as session:
        citizen = await session.get(Citizen, BIG_ID)
        assert citizen is not None and citizen.active is False
    await _send(empty_database, settings, Text("hello"))
    async with sessions() as session:
        citizen = await session.get(Citizen, BIG_ID)
        assert citizen is not None and citizen.active is True


@pytest.mark.asyncio
async def test_last_seen_is_kept_to_the_hour_without_a_write_at_each_step(
    sessions: SessionMaker, empty_database: Database, settings: Settings
) -> None:
    await _seed(sessions)
    await _send(empty_database, settings, Start())

    async def last_seen() -> datetime:
        async with sessions() as session:
            citizen = await session.get(Citizen, BIG_ID)
            assert citizen is not None
            return citizen.last_seen.replace(tzinfo=citizen.last_seen.tzinfo or UTC)

    first = await last_seen()
    await _send(empty_database, settings, Text("hello"))
    assert await last_seen() == first  # seen minutes ago: no write
    earlier = first - TOUCH_EVERY - timedelta(minutes=1)
    async with sessions() as session:
        await session.exec(update(Citizen).values(last_seen=earlier))
        await session.commit()
    await _send(empty_database, settings, Text("hello again"))
    assert await last_seen() > earlier + TOUCH_EVERY


@pytest.mark.asyncio
async def test_concurrent_messages_of_new_chats_do_not_collide(
    sessions: SessionMaker, empty_database: Database, settings: Settings
) -> None:
    await _seed(sessions)
    snapshot = CatalogSnapshot()
    events: list[Input] = [Start(), Text("anglais"), Command("help"), Text("cuisine")]
    results = await asyncio.gather(*(
        _send(empty_database, settings, event, snapshot=snapshot, chat_id=chat)
        for chat in (1, 2, 3) for event in events
    ))
    assert all(replies for replies in results)
    async with sessions() as session:
        assert (await session.exec(select(func.count()).select_from(Citizen))).one() == 3


@pytest.mark.asyncio
async def test_snapshot_rebuilds_the_index_when_the_catalogue_changes(
    sessions: SessionMaker,
) -> None:
    await _seed(sessions)
    clock = [0.0]
    snapshot = CatalogSnapshot(check_every=5.0, clock=lambda: clock[0])
    async with sessions() as session:
        first = await snapshot.index(session=session)
        assert first.get("new-offer") is None
        now = datetime.now(UTC)
        session.add(OfferRecord(id="new-offer", title="Nouveau", provider="P",
                                missions=["digital"], created_at=now, updated_at=now))
        await session.commit()
        assert await snapshot.index(session=session) is first  # not checked again so soon
        clock[0] = 6.0
        second = await snapshot.index(session=session)
        assert second is not first and second.get("new-offer") is not None
        clock[0] = 12.0
        assert await snapshot.index(session=session) is second  # unchanged: same index
        await session.exec(
            update(OfferRecord).where(col(OfferRecord.id) == "new-offer").values(retired=True))
        await session.commit()
        snapshot.invalidate()
        assert (await snapshot.index(session=session)).get("new-offer") is None
