"""Privacy (issue 14, items 14-17): what is kept of typed text, and for how long."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, timedelta

import pytest
from conversation_helpers import Chat, context, make_offer
from fakeapi import FakeBotApi
from pydantic import ValidationError
from sqlalchemy import text, update
from sqlmodel import SQLModel, col, select
from telegram_helpers import bot_settings, running_bot

from bot.chats.conversations import process, purge_idle
from bot.chats.database import open_database
from bot.chats.models import ConversationRecord, Favourite
from bot.cli.main import main
from bot.engine.context import Record
from bot.engine.inputs import Command, Press, Text
from bot.engine.replies import Reply
from bot.engine.state import MAX_TEXT, Conversation, Step, keep_text
from catalog.maintenance.audit import telegram_actor
from catalog.settings import Settings
from catalog.stats.events import pseudonym
from catalog.stats.facts import Kind
from catalog.stats.keywords import search_keywords
from catalog.store.audit_models import PendingImport
from catalog.store.db import Database, SessionMaker
from catalog.store.models import ImportRecord, utcnow
from catalog.store.snapshot import CatalogSnapshot

PERSONAL = "cours d'anglais, appelez-moi au 06 12 34 56 78 ou zoe@example.org"


def _kept(state: Conversation) -> str:
    return str(state.to_json())


@pytest.mark.parametrize(("typed", "kept"), [
    (PERSONAL, "cours d'anglais, appelez-moi au ou"),
    ("+33 6 12 34 56 78 anglais", "anglais"),
    ("poterie https://x.org/moi @zoe_k", "poterie"),
    ("dossier 1234567890123 couture", "dossier couture"),
    # What the matcher reads stays: ages and postcodes.
    *[(typed, typed) for typed in ("natation pour mes enfants de 6 et 8 ans 63000",)],
])
def test_typed_text_loses_phone_numbers_and_addresses(typed: str, kept: str) -> None:
    assert keep_text(typed) == kept


def test_typed_text_is_capped_at_a_word() -> None:
    kept = keep_text("poterie " * 100)
    assert len(kept) <= MAX_TEXT and kept.endswith("poterie")
    assert len(keep_text("x" * 1000)) == MAX_TEXT


def test_typed_words_at_the_interests_are_kept_without_personal_data() -> None:
    chat = Chat(language="fr")
    chat.state = replace(Conversation(language="fr", greeted=True), step=Step.INTERESTS)
    chat.send(Text(PERSONAL))
    assert "anglais" in chat.state.answers.text
    for personal in ("06", "zoe", "example.org"):
        assert personal not in _kept(chat.state)
        assert personal not in chat.text()  # nor said back as "noted"


def test_a_search_is_kept_without_personal_data() -> None:
    chat = Chat(language="fr")
    chat.send(Command("search", PERSONAL))
    assert "anglais" in chat.state.answers.text
    assert "12 34" not in _kept(chat.state) and "@" not in _kept(chat.state)


def test_a_state_stored_before_is_scrubbed_when_read() -> None:
    stored = Conversation().to_json()
    stored["answers"]["text"] = PERSONAL + " " + "x" * 600
    text = Conversation.from_json(stored).answers.text
    assert "zoe" not in text and "06" not in text and len(text) <= MAX_TEXT


# --- /forget by a maintainer (item 16) -----------------------------------------------------

MAINTAINER, OTHER = 2**40 + 11, 2**40 + 12
KEY = "p" * 40


async def _send(database: Database, settings: Settings, event: Command | Press) -> list[Reply]:
    return await process(
        database=database, chat_id=MAINTAINER, user_id=MAINTAINER, language_code="en",
        event=event, catalog=CatalogSnapshot(), settings=settings, today=date(2026, 12, 1))


def _erase(replies: list[Reply]) -> Press:
    for reply in replies:
        for button in reply.all_buttons():
            if button.label == "Yes, erase everything" and button.action:
                return Press(button.action)
    raise AssertionError("no erase button")


@pytest.mark.asyncio
@pytest.mark.parametrize("key", [KEY, None])
async def test_forget_by_a_maintainer_renames_them_in_the_history_and_drops_their_files(
    sessions: SessionMaker, empty_database: Database, database_url: str, key: str | None
) -> None:
    settings = Settings(_env_file=None, database_url=database_url, pseudonym_key=key)
    mine, theirs = telegram_actor(MAINTAINER), telegram_actor(OTHER)
    async with sessions() as session:
        session.add(ImportRecord(actor=mine, source="a.csv"))
        session.add(ImportRecord(actor=theirs, source="b.csv", rolled_back_by=mine))
        for token, user in (("mine", MAINTAINER), ("theirs", OTHER)):
            session.add(PendingImport(token=token, user_id=user, chat_id=user, data=b"x" * 99))
        await session.commit()

    replies = await _send(empty_database, settings, Command("forget"))
    await _send(empty_database, settings, _erase(replies))

    renamed = f"pseudonym:{pseudonym(KEY, MAINTAINER)[:12]}" if key else "forgotten"
    async with sessions() as session:
        records = (await session.exec(select(ImportRecord).order_by(col(ImportRecord.id)))).all()
        pending = (await session.exec(select(PendingImport))).all()
    assert [(r.source, r.actor, r.rolled_back_by) for r in records] == [
        ("a.csv", renamed, ""), ("b.csv", theirs, renamed)]
    assert [p.token for p in pending] == ["theirs"]


# --- Typed text expires with the conversation (item 14) -------------------------------------


def test_privacy_says_how_long_typed_words_are_kept_and_what_is_never_kept() -> None:
    chat = Chat(context(retention_days=12))
    chat.send(Command("privacy"))
    assert "12 days without a message" in chat.text()
    assert "Phone numbers, e-mail addresses and links" in chat.text()


def test_the_retention_is_a_validated_setting(database_url: str) -> None:
    assert Settings(_env_file=None).conversation_retention_days == 30
    for wrong in (0, 4000):
        with pytest.raises(ValidationError, match="conversation_retention_days"):
            Settings(_env_file=None, conversation_retention_days=wrong)


async def _age(sessions: SessionMaker, chat_id: int, days: int) -> None:
    async with sessions() as session:
        await session.exec(update(ConversationRecord)
                           .where(col(ConversationRecord.chat_id) == chat_id)
                           .values(updated_at=utcnow() - timedelta(days=days)))
        await session.commit()


async def _search(database: Database, settings: Settings, chat_id: int, words: str) -> None:
    await process(database=database, chat_id=chat_id, user_id=chat_id, language_code="fr",
                  event=Command("search", words), catalog=CatalogSnapshot(), settings=settings,
                  today=date(2026, 12, 1))


@pytest.mark.asyncio
async def test_idle_conversations_are_erased_with_their_typed_words(
    sessions: SessionMaker, empty_database: Database, database_url: str
) -> None:
    settings = Settings(_env_file=None, database_url=database_url,
                        conversation_retention_days=30)
    for chat_id in (OTHER, MAINTAINER):
        await _search(empty_database, settings, chat_id, "poterie")
    async with sessions() as session:
        session.add(Favourite(user_id=OTHER, offer_id="kept"))
        await session.commit()
    await _age(sessions, OTHER, 31)
    await _age(sessions, MAINTAINER, 29)

    assert await purge_idle(database=empty_database, retention_days=30) == 1
    async with sessions() as session:
        left = (await session.exec(select(ConversationRecord))).all()
        favourites = (await session.exec(select(Favourite))).all()
    assert [(r.chat_id, r.state["answers"]["text"]) for r in left] == [(MAINTAINER, "poterie")]
    assert [f.offer_id for f in favourites] == ["kept"]  # saved offers stay until /forget


@pytest.mark.asyncio
async def test_a_conversation_idle_too_long_is_not_resumed_before_the_purge(
    sessions: SessionMaker, empty_database: Database, database_url: str
) -> None:
    settings = Settings(_env_file=None, database_url=database_url,
                        conversation_retention_days=30)
    await _search(empty_database, settings, OTHER, "poterie")
    await _age(sessions, OTHER, 31)
    await process(database=empty_database, chat_id=OTHER, user_id=OTHER, language_code="fr",
                  event=Command("profile"), catalog=CatalogSnapshot(), settings=settings,
                  today=date(2026, 12, 1))
    async with sessions() as session:
        record = await session.get(ConversationRecord, OTHER)
    assert record is not None
    assert Conversation.from_json(record.state).answers.text == ""
    assert Conversation.from_json(record.state).language == "fr"


# --- Statistics keep only words the matcher or the catalogue know (item 14) -----------------


@pytest.mark.parametrize(("typed", "kept"), [
    ("jean pierre", ""),
    ("محمد الحسيني", ""),
    ("cours de poterie avec jean pierre", "cours poterie"),
    ("دروس اللغة الفرنسية مع محمد", "الفرنسية اللغة دروس"),
    ("французька мова олена", "мова французька"),
    ("conferencias de historia juan", "conferencias historia"),
])
def test_search_statistics_keep_no_name_typed_in_lower_case(typed: str, kept: str) -> None:
    assert search_keywords(typed) == kept


def test_search_statistics_keep_the_catalogues_words() -> None:
    assert search_keywords("vitrail avec jean") == ""
    assert search_keywords("vitrail avec jean", {"vitrail", "atelier"}) == "vitrail"


def test_an_unmet_search_records_only_the_words_the_lexicon_or_the_catalogue_know() -> None:
    vitrail = make_offer("o-2", title="Vitrail", topics=("crafts",), price_eur=50)
    chat = Chat(context([make_offer("o-1"), vitrail]))
    chat.state = Conversation(language="fr", greeted=True).with_answers(free_only=True)
    chat.send(Command("search", "kintsugi vitrail jean pierre"))  # nothing free: relaxed
    unmet = [dict(effect.facts) for effect in chat.last.effects
             if isinstance(effect, Record) and effect.kind == Kind.UNMET_SEARCH]
    assert unmet == [{"keywords": "vitrail"}]


async def _two_chats_one_idle(url: str) -> None:
    database = await open_database(url, load_sample=False)
    try:
        settings = Settings(_env_file=None, database_url=url)
        for chat_id in (OTHER, MAINTAINER):
            await _search(database, settings, chat_id, "poterie")
        await _age(database.sessions, OTHER, 45)
    finally:
        await database.close()


async def _chats_left(url: str) -> list[int]:
    database = await open_database(url, load_sample=False)
    try:
        async with database.sessions() as session:
            left = [r.chat_id for r in (await session.exec(select(ConversationRecord))).all()]
        async with database.engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        return left
    finally:
        await database.close()


def test_tremplin_jobs_run_conversations_erases_the_idle_ones(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_two_chats_one_idle(database_url))
    assert main(["--database-url", database_url, "jobs", "run", "conversations"]) == 0
    assert "conversations: 1 idle for over 30 days erased" in capsys.readouterr().out
    assert asyncio.run(_chats_left(database_url)) == [MAINTAINER]


@pytest.mark.asyncio
async def test_the_running_bot_erases_idle_conversations_in_its_daily_job(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    settings = bot_settings(server, database_url, conversation_retention_days=30)
    await _search(database, settings, OTHER, "poterie")
    await _search(database, settings, MAINTAINER, "poterie")
    await _age(database.sessions, OTHER, 31)
    async with running_bot(settings, database):
        # The daily housekeeping ticks at start: wait until it has run (no sleep-and-hope).
        for _ in range(200):
            async with database.sessions() as session:
                left = (await session.exec(select(ConversationRecord.chat_id))).all()
            if len(left) == 1:
                break
            await asyncio.sleep(0.05)
    assert left == [MAINTAINER]
