"""Replicas of the bot in webhook mode, in process: the real PTB Application behind the real
Starlette app (``bot.telegram.webhook.create_app``), reached through httpx without a socket.

The tests play Telegram's part: they take the updates the simulated users produced from the
fake Bot API server and post each one to the replica of their choice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fakeapi import BotMessage, FakeBotApi
from pydantic import SecretStr

from bot.chats.database import Database
from bot.settings import BotSettings
from bot.telegram.application import TremplinApplication, build_application, running
from bot.telegram.metrics import Metrics
from bot.telegram.webhook import SECRET_HEADER, create_app, webhook_config

URL = "https://bot.example.org/telegram"
SECRET = "replica_Secret-1"


def webhook_settings(server: FakeBotApi, database_url: str) -> BotSettings:
    return BotSettings(
        _env_file=None,
        telegram_token=SecretStr(server.token),
        telegram_api_url=server.url,
        database_url=database_url,
        webhook_url=URL,
        webhook_secret=SecretStr(SECRET),
    )


@dataclass
class Replica:
    """One running replica and the updates it was given."""

    application: TremplinApplication
    http: httpx.AsyncClient
    received: list[int] = field(default_factory=list)

    async def post(self, update: dict[str, Any]) -> httpx.Response:
        """Deliver ``update`` as Telegram does; the answer comes once it is processed."""
        self.received.append(update["update_id"])
        return await self.http.post("/telegram", json=update, headers={SECRET_HEADER: SECRET})


@asynccontextmanager
async def webhook_replica(settings: BotSettings, database: Database) -> AsyncIterator[Replica]:
    application = build_application(settings, database=database)
    async with running(application):
        app = create_app(application, webhook_config(settings), Metrics())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://replica") as http:
            yield Replica(application, http)


def take_updates(server: FakeBotApi) -> list[dict[str, Any]]:
    """The updates waiting on the fake server, now in the test's hands (as if delivered)."""
    updates = server.updates.pending
    server.updates.drop_pending()
    return updates


def transcript(messages: list[BotMessage]) -> list[tuple[Any, ...]]:
    """What the citizen saw, message by message: kind, text, buttons, and every earlier
    version of an edited message."""
    return [
        (
            message.kind,
            message.text,
            [(b["text"], b.get("callback_data")) for b in message.buttons],
            [version.get("text") for version in message.history],
        )
        for message in messages
    ]
