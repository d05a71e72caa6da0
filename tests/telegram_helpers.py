"""Running the real Telegram application against the fake Bot API server, for e2e tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fakeapi import BotMessage, FakeBotApi, SimUser

from bot.chats.database import Database
from bot.settings import BotSettings, load_bot_settings
from bot.telegram.application import TremplinApplication, build_application, polling
from catalog.i18n import translator


def bot_settings(server: FakeBotApi, database_url: str, **overrides: Any) -> BotSettings:
    return load_bot_settings(
        env_file=None,
        telegram_token=server.token,
        telegram_api_url=server.url,
        database_url=database_url,
        **overrides,
    )


@asynccontextmanager
async def running_bot(
    settings: BotSettings, database: Database
) -> AsyncIterator[TremplinApplication]:
    """The real PTB Application, long polling the fake server, until the block ends."""
    application = build_application(settings, database=database)
    async with polling(application, poll_timeout=1):
        yield application


def has_button(label: str) -> Callable[[BotMessage], bool]:
    return lambda message: message.has_button(label)


def has(text: str) -> Callable[[BotMessage], bool]:
    """A message whose text contains ``text``."""
    return lambda message: text in (message.text or "")


async def walk_to_results(user: SimUser, lang: str) -> BotMessage:
    """/start, then answer every question with buttons; returns the message after the cards."""
    tr = translator(lang)
    await user.send_text("/start")
    await user.wait_for(has_button(tr.gettext("Me")))
    await user.press(tr.gettext("Me"))
    await user.wait_for(has_button(tr.gettext("26 to 44")))
    await user.press(tr.gettext("26 to 44"))
    await user.wait_for(has_button(tr.gettext("Job seeker")))
    await user.press(tr.gettext("Job seeker"))
    ticked = await user.wait_for(
        lambda m: m.edited and m.has_button("✓ " + tr.gettext("Job seeker"))
    )
    await user.press(tr.gettext("Done"), ticked)
    await user.wait_for(has_button(tr.gettext("Digital skills")))
    await user.press(tr.gettext("Digital skills"))
    ticked = await user.wait_for(
        lambda m: m.edited and m.has_button("✓ " + tr.gettext("Digital skills"))
    )
    await user.press(tr.gettext("Done"), ticked)
    anywhere = tr.gettext("Anywhere in {city}").format(city="Clermont-Ferrand")
    await user.wait_for(has_button(anywhere))
    await user.press(anywhere)
    return await user.wait_for(has_button(tr.gettext("Start over")), timeout=10)
