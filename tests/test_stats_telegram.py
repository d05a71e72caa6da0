"""/stats end to end: the real PTB Application against the fake Bot API server.

An admin gets a chart and the figures; anyone else gets exactly the unknown-command answer.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from fakeapi import BotMessage, FakeBotApi, SimUser
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from stats_helpers import KEY
from telegram_helpers import bot_settings, running_bot, walk_to_results

from bot.chats.database import Database
from bot.settings import BotSettings
from catalog.matching.index import CatalogIndex
from catalog.stats.events import StatsEvent
from catalog.stats.facts import Kind
from catalog.store.snapshot import CatalogSnapshot

pytestmark = pytest.mark.asyncio

ADMIN, CITIZEN = 8_100_000_001, 8_100_000_002
PNG = b"\x89PNG\r\n\x1a\n"




def settings_for(server: FakeBotApi, database_url: str) -> BotSettings:
    return bot_settings(server, database_url, admin_ids=str(ADMIN), pseudonym_key=KEY)


async def answer_to(user: SimUser, command: str) -> list[BotMessage]:
    """Everything the bot sends after ``command``, up to the keyboard that closes it."""
    await user.send_text(command)
    messages = [await user.wait_reply()]
    while not messages[-1].buttons:
        messages.append(await user.wait_reply())
    await user.expect_no_reply(within=0.3)
    return messages


async def test_an_admin_gets_the_chart_and_the_figures(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    admin = server.user(ADMIN, "Ada", language_code="en")
    citizen = server.user(CITIZEN, "Cid", language_code="en")
    async with running_bot(settings_for(server, database_url), database):
        await walk_to_results(citizen, "en")
        await admin.send_text("/stats 7")
        photo = await admin.wait_for(lambda m: m.kind == "photo", timeout=20)
        text = await admin.wait_for(lambda m: m.kind == "message", timeout=10)
    assert photo.file is not None and photo.file.data.startswith(PNG)
    assert "7" in (photo.text or "")
    assert (text.text or "").startswith("Tremplin statistics")
    # One citizen: every count is under the threshold, even the total.
    assert "Users: < 5 (new: < 5, returning: 0)" in (text.text or "")
    assert "Started: < 5" in (text.text or "")
    assert len(server.calls("sendPhoto")) == 1


async def test_the_chart_with_follow_up_answers_is_a_valid_photo(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    yesterday = date.today() - timedelta(days=1)
    async with database.sessions() as session:
        for person in range(6):  # six people answered: their count is shown
            session.add(StatsEvent(user_key=f"p{person}", day=yesterday, kind=Kind.FOLLOWUP,
                                   facts={"offer": "o-a", "missions": ["digital"],
                                          "answer": "useful"}))
        await session.commit()
    admin = server.user(ADMIN, "Ada", language_code="en")
    async with running_bot(settings_for(server, database_url), database):
        await admin.send_text("/stats 7")
        photo = await admin.wait_for(lambda m: m.kind == "photo", timeout=20)
        text = await admin.wait_for(lambda m: m.kind == "message", timeout=10)
    assert photo.file is not None and photo.file.data.startswith(PNG)
    assert "How it went (follow-ups): 6 answers" in (text.text or "")
    assert server.violations == []


async def test_a_bad_period_gets_the_usage(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    admin = server.user(ADMIN, "Ada", language_code="en")
    async with running_bot(settings_for(server, database_url), database):
        await admin.send_text("/stats 12")
        usage = await admin.wait_reply()
        await admin.expect_no_reply(within=0.3)
    assert "/stats 7, /stats 30 or /stats 90" in (usage.text or "")
    assert server.calls("sendPhoto") == []


async def test_anyone_else_gets_the_unknown_command_answer(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    citizen = server.user(CITIZEN, "Cid", language_code="en")
    async with running_bot(settings_for(server, database_url), database):
        await answer_to(citizen, "/start")
        unknown = await answer_to(citizen, "/statz")
        stats = await answer_to(citizen, "/stats 30")
    assert [(m.kind, m.text.replace("/statz", "/stats") if m.text else m.text, m.buttons)
            for m in unknown] == [(m.kind, m.text, m.buttons) for m in stats]
    assert "I do not know the command /stats." in (stats[0].text or "")
    assert server.calls("sendPhoto") == []
    assert not any(m.kind == "photo" for m in citizen.messages)


async def test_a_blocked_bot_is_counted_without_knowing_who(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    citizen = server.user(CITIZEN, "Cid", language_code="uk")
    async with running_bot(settings_for(server, database_url), database):
        await answer_to(citizen, "/start")
        server.block_user(CITIZEN)
        await citizen.send_text("/help")
        for _ in range(50):
            async with database.sessions() as session:
                query = select(StatsEvent).where(col(StatsEvent.kind) == Kind.BLOCKED)
                blocked = (await session.exec(query)).all()
            if blocked:
                break
            await asyncio.sleep(0.1)
    assert [(event.user_key, event.conversation, event.language) for event in blocked] == [
        ("", 0, "uk")]


class _LosingSnapshot(CatalogSnapshot):
    """The catalogue index, whose first use fails as a connection lost under the step does."""

    def __init__(self) -> None:
        super().__init__()
        self.lost = 0

    async def index(self, *, session: AsyncSession) -> CatalogIndex:
        if not self.lost:
            self.lost += 1
            raise DBAPIError("SELECT 1", None, ConnectionResetError(), connection_invalidated=True)
        return await super().index(session=session)


async def test_stats_are_retried_after_a_lost_connection(
    server: FakeBotApi, database: Database, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    admin = server.user(ADMIN, "Ada", language_code="en")
    async with running_bot(settings_for(server, database_url), database) as application:
        application.bot_data.catalog = losing = _LosingSnapshot()
        await admin.send_text("/stats 7")
        photo = await admin.wait_for(lambda m: m.kind == "photo", timeout=20)
        text = await admin.wait_for(lambda m: m.kind == "message", timeout=10)
    assert losing.lost == 1
    assert photo.file is not None and photo.file.data.startswith(PNG)
    assert (text.text or "").startswith("Tremplin statistics")
    assert "event=database_lost" in caplog.text
