"""A citizen's alerts in the database: subscribe, unsubscribe, whether subscribed, forget.

Synchronous functions on a Core ``Connection``, run inside a conversation step's transaction
(``bot.chats.conversations``), like the other effects of a step.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, Table, bindparam, delete, select

from bot.chats.models import AlertOutbox, AlertSubscription, AlertTold
from catalog.store.models import utcnow
from catalog.store.upsert import insert_on_conflict

SUBSCRIPTIONS: Table = AlertSubscription.__table__  # type: ignore[attr-defined]
TOLD: Table = AlertTold.__table__  # type: ignore[attr-defined]
OUTBOX: Table = AlertOutbox.__table__  # type: ignore[attr-defined]

# Built once: read at every conversation step (the engine shows the switch that fits).
_SUBSCRIBED = select(SUBSCRIPTIONS.c.user_id).where(SUBSCRIPTIONS.c.user_id == bindparam("user"))


def subscribed(connection: Connection, user_id: int) -> bool:
    """Whether the citizen asked for alerts."""
    return connection.execute(_SUBSCRIBED, {"user": user_id}).first() is not None


def subscribe(connection: Connection, *, user_id: int, chat_id: int, language: str,
              watch: Mapping[str, object]) -> None:
    """Start (or update) the citizen's alerts; offers changed from now on are news to them."""
    statement = insert_on_conflict(connection.dialect.name, SUBSCRIPTIONS)
    connection.execute(
        statement.values(user_id=user_id, chat_id=chat_id, language=language, watch=dict(watch),
                         subscribed_at=utcnow(), last_told_at=None)
        .on_conflict_do_update(
            index_elements=[SUBSCRIPTIONS.c.user_id],
            set_={"chat_id": statement.excluded.chat_id, "language": statement.excluded.language,
                  "watch": statement.excluded.watch},
        )
    )


def forget(connection: Connection, *, user_id: int) -> None:
    """Erase the citizen's subscription, what they were told, and every message for them,
    sent or not (``/alerts off``, ``/forget``, a blocked bot)."""
    connection.execute(delete(OUTBOX).where(OUTBOX.c.user_id == user_id))
    connection.execute(delete(TOLD).where(TOLD.c.user_id == user_id))
    connection.execute(delete(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.user_id == user_id))
