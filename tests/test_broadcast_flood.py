"""Sending the outbox under Telegram's flood limits (emulated by the fake Bot API): every
message once, and no 429 at all, because the bot paces one message every 1/29 s rather than
letting PTB's bucket send 30 at once then 30 a second."""

from __future__ import annotations

import pytest
from fakeapi import FakeBotApi, FloodControl
from sqlalchemy import Connection, insert
from telegram_helpers import bot_settings

from bot.alerts.outbox import deliver
from bot.chats.alerts import OUTBOX
from bot.chats.database import Database
from bot.telegram.alerts_sender import standalone_sender
from catalog.store.models import utcnow
from catalog.store.transactions import run_transaction

pytestmark = pytest.mark.asyncio

FIRST, COUNT = 8_400_000_000, 75


async def test_a_broadcast_beyond_one_second_meets_no_429_and_sends_each_message_once(
    server: FakeBotApi, database: Database, database_url: str,
) -> None:
    server.flood = FloodControl()  # 30 a second overall, 1 a second per chat
    ids = range(FIRST, FIRST + COUNT)
    for uid in ids:
        server.user(uid, "Sub")

    def seed(connection: Connection) -> None:
        connection.execute(insert(OUTBOX), [
            {"user_id": uid, "chat_id": uid, "key": f"k{uid}", "reply": {"text": f"hi {uid}"},
             "status": "pending", "attempts": 0, "created_at": utcnow()} for uid in ids])

    await run_transaction(database, seed)
    async with standalone_sender(bot_settings(server, database_url)) as send:
        delivered = await deliver(database=database, send=send)
    assert delivered.sent == COUNT
    assert server.flood.refused == 0
    chats = sorted(int(r.params["chat_id"]) for r in server.calls("sendMessage") if r.ok)
    assert chats == list(ids)
