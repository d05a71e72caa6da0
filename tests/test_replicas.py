"""Several replicas on one database: any replica can take any update of any conversation.

Two PTB Applications in webhook mode, each with its own engine on the same database (as two
processes would be), share nothing else: not the per-chat locks, not the catalogue index.
The steps of one conversation go to each in turn, and the citizen sees exactly what one
replica shows. Runs on whichever database the suite uses: on PostgreSQL the chat's row lock
(``SELECT ... FOR UPDATE``) orders the steps of a chat; on SQLite, ``BEGIN IMMEDIATE`` does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import pytest
import pytest_asyncio
from fakeapi import FakeBotApi, SimUser
from replica_helpers import Replica, take_updates, transcript, webhook_replica, webhook_settings
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.chats.database import Database
from bot.chats.models import ConversationRecord
from bot.engine.state import Conversation, Step
from catalog.i18n import translator
from catalog.maintenance.sample import ensure_catalogue
from catalog.store.db import SessionMaker, create_engine, session_maker
from catalog.vocabulary import AUDIENCES

pytestmark = pytest.mark.asyncio

Action = Callable[[SimUser], Awaitable[object]]



@pytest_asyncio.fixture
async def replicas(
    server: FakeBotApi, engine: AsyncEngine, sessions: SessionMaker, database_url: str
) -> AsyncIterator[list[Replica]]:
    """Two replicas, each with its own engine (its own connection pool) on the database."""
    async with sessions() as session:
        await ensure_catalogue(session=session)
    settings = webhook_settings(server, database_url)
    databases = (Database(engine, sessions), Database(create_engine(database_url)))
    try:
        async with AsyncExitStack() as stack:
            yield [
                await stack.enter_async_context(webhook_replica(settings, database))
                for database in databases
            ]
    finally:
        for database in databases:
            await database.close()


def _script() -> list[Action]:
    """A whole conversation: the questions, results, more results, saving, favourites."""
    tr = translator("en").gettext
    anywhere = tr("Anywhere in {city}").format(city="Clermont-Ferrand")

    def press(label: str) -> Action:
        return lambda user: user.press(label)

    def save_first_card(user: SimUser) -> Awaitable[object]:
        card = next(m for m in user.messages if m.has_button(tr("Save")))
        return user.press(tr("Save"), card)

    return [
        lambda user: user.send_text("/start"),
        press(tr("Me")),
        press(tr("26 to 44")),
        press(tr("Job seeker")),
        press(tr("Student")),
        press(tr("Done")),
        press(tr("Digital skills")),
        press(tr("Done")),
        press(anywhere),
        press(tr("More results")),
        save_first_card,
        lambda user: user.send_text("/favorites"),
        lambda user: user.send_text("/profile"),
    ]


async def _converse(server: FakeBotApi, user: SimUser, replicas: list[Replica]) -> None:
    """Each step of the script goes to the next replica in turn, once the previous is done."""
    for number, action in enumerate(_script()):
        await action(user)
        [update] = take_updates(server)
        response = await replicas[number % len(replicas)].post(update)
        assert response.status_code == 200


async def test_a_conversation_across_two_replicas_is_the_same_as_on_one(
    server: FakeBotApi, replicas: list[Replica]
) -> None:
    alone = server.user(2001, "Alice", language_code="en")
    await _converse(server, alone, replicas[:1])
    shared = server.user(2002, "Alice", language_code="en")
    await _converse(server, shared, replicas)

    assert all(replica.received for replica in replicas)
    steps = len(_script())
    assert len(replicas[0].received) == steps + (steps + 1) // 2  # alone, then every other one
    assert transcript(shared.messages) == transcript(alone.messages)
    # And it went the whole way: results, a saved offer listed in the favourites, the profile.
    tr = translator("en").gettext
    assert any(m.has_button(tr("Start over")) for m in shared.messages)
    assert any(m.has_button(tr("Remove from saved")) for m in shared.messages)
    assert len(shared.callback_answers) == len(alone.callback_answers) == 10


async def _state(engine: AsyncEngine, chat_id: int) -> Conversation:
    async with session_maker(engine)() as session:
        query = select(ConversationRecord).where(ConversationRecord.chat_id == chat_id)
        record = (await session.exec(query)).one()
    return Conversation.from_json(record.state)


async def test_updates_of_one_chat_sent_to_both_replicas_at_once_are_applied_one_by_one(
    server: FakeBotApi, replicas: list[Replica], engine: AsyncEngine
) -> None:
    tr = translator("en").gettext
    user = server.user(2003, "Bea", language_code="en")
    for action in (lambda u: u.send_text("/start"), lambda u: u.press(tr("Me")),
                   lambda u: u.press(tr("26 to 44"))):
        await action(user)
        for update in take_updates(server):
            assert (await replicas[0].post(update)).status_code == 200
    assert (await _state(engine, user.id)).step is Step.SITUATION

    # Every situation ticked at once, on the same keyboard, alternately on each replica: each
    # step reads the state the one before wrote, or a tick would be lost.
    for code in AUDIENCES:
        await user.press(f"situation:{code}")
    updates = take_updates(server)
    responses = await asyncio.gather(
        *(replicas[n % 2].post(update) for n, update in enumerate(updates))
    )
    assert [response.status_code for response in responses] == [200] * len(AUDIENCES)
    state = await _state(engine, user.id)
    assert sorted(state.answers.situations) == sorted(AUDIENCES)
    assert state.step is Step.SITUATION
    # Every press was answered, and every step edited the keyboard.
    assert len(user.callback_answers) == 2 + len(AUDIENCES)
    keyboard = next(m for m in user.messages if m.has_button("situation:student"))
    assert len(keyboard.history) == len(AUDIENCES)
