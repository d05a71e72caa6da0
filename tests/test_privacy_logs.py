"""Logs name no one (issue 14, item 15): pseudonyms instead of Telegram ids, and no message
texts from python-telegram-bot or the HTTP clients even when the bot logs at DEBUG."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest
from fakeapi import FakeBotApi
from telegram import Update
from telegram.ext import TypeHandler
from telegram_helpers import bot_settings, running_bot

from bot.chats.database import Database
from bot.telegram import logs
from bot.telegram.services import TremplinContext
from catalog.stats.events import pseudonym

KEY = "k" * 40
FLOODER, BLOCKED, FAILING, IN_GROUP = 8123456781, 8123456782, 8123456783, 8123456784
GROUP = -1008123456785


async def _until(caplog: pytest.LogCaptureFixture, text: str) -> None:
    for _ in range(100):
        if text in caplog.text:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{text!r} never logged: {caplog.text}")


@pytest.mark.asyncio
async def test_info_logs_carry_pseudonyms_not_telegram_ids(
    server: FakeBotApi, database: Database, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    flooder = server.user(FLOODER, "Flo", language_code="en")
    blocked = server.user(BLOCKED, "Bea", language_code="en")
    failing = server.user(FAILING, "Fay", language_code="en")
    member = server.user(IN_GROUP, "Gus", language_code="en")
    group = server.group(GROUP, "Learners")

    async def explode(update: Update, context: TremplinContext) -> None:
        if update.effective_user is not None and update.effective_user.id == FAILING:
            raise RuntimeError("boom")

    settings = bot_settings(server, database_url, pseudonym_key=KEY)
    async with running_bot(settings, database) as application:
        application.add_handler(TypeHandler(Update, explode), group=-10)
        for _ in range(25):
            await flooder.send_text("hello")
        await flooder.wait_for(lambda m: "fast" in (m.text or ""), timeout=10)
        server.block_user(BLOCKED)
        await blocked.send_text("/start")
        await failing.send_text("/start")
        await member.send_text("/start", chat=group)
        for event in ("event=flood", "event=blocked", "event=update_failed", "event=left_group"):
            await _until(caplog, event)
    for raw in (FLOODER, BLOCKED, FAILING, IN_GROUP, GROUP):
        assert str(raw) not in caplog.text
        assert str(abs(raw)) not in caplog.text
    for user_id in (FLOODER, BLOCKED, FAILING):
        assert f"user={pseudonym(KEY, user_id)[:logs.SHOWN_DIGITS]}" in caplog.text


def test_a_person_is_named_by_nothing_without_a_pseudonym_key(
    server: FakeBotApi, database_url: str
) -> None:
    assert logs.person(bot_settings(server, database_url), FLOODER) == "-"
    keyed = bot_settings(server, database_url, pseudonym_key=KEY)
    assert logs.person(keyed, None) == "-"
    assert logs.person(keyed, FLOODER) == pseudonym(KEY, FLOODER)[:logs.SHOWN_DIGITS]


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in logs.QUIET}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


@pytest.mark.usefixtures("restored_logging")
def test_telegram_and_http_loggers_stay_at_info_when_the_bot_logs_at_debug() -> None:
    logs.configure(logging.DEBUG)
    assert logging.getLogger("bot.telegram.handlers").isEnabledFor(logging.DEBUG)
    # python-telegram-bot logs each update's content (message texts) at DEBUG.
    for name in ("telegram", "telegram.ext", "telegram.ext.Application", "telegram.ext.Updater",
                 "telegram.bot", "telegram._bot", "httpx", "aiohttp.client"):
        assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name
    assert logging.getLogger("telegram.ext.Application").isEnabledFor(logging.INFO)
