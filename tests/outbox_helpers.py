"""The alerts' outbox in tests: pending messages seeded straight into it, rows read back."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, insert, select

from bot.chats.alerts import OUTBOX
from bot.chats.database import Database
from catalog.store.models import utcnow
from catalog.store.transactions import run_transaction


async def seed_outbox(database: Database, chats: Iterable[int]) -> None:
    """One pending message for each chat (its user id too), in one transaction."""
    now = utcnow()
    rows = [{"user_id": chat, "chat_id": chat, "key": f"test:{chat}",
             "reply": {"text": f"New offers for {chat}"}, "status": "pending", "attempts": 0,
             "created_at": now} for chat in chats]

    def transaction(connection: Connection) -> None:
        connection.execute(insert(OUTBOX), rows)

    await run_transaction(database, transaction)


async def chats_with_status(database: Database, status: str) -> set[int]:
    """The chats whose message has ``status``."""

    def read(connection: Connection) -> set[int]:
        return set(connection.execute(
            select(OUTBOX.c.chat_id).where(OUTBOX.c.status == status)).scalars())

    return await run_transaction(database, read)
