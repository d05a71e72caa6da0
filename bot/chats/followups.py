"""A citizen's follow-ups in the database: note an offer looked at, the switch, the answers.

Synchronous functions on a Core ``Connection``, run inside a conversation step's transaction
(``bot.chats.conversations``). The job that asks the questions is ``bot.alerts.followups``.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, bindparam, delete, select, update

from bot.chats.alerts import OUTBOX
from bot.chats.models import FollowUp, FollowUpPerson
from catalog.store.models import utcnow
from catalog.store.upsert import insert_on_conflict

FOLLOWUPS: Table = FollowUp.__table__  # type: ignore[attr-defined]
PEOPLE: Table = FollowUpPerson.__table__  # type: ignore[attr-defined]
# The outbox keys of follow-up questions (``bot.alerts.followups.question_key``).
KEY_PREFIX = "followup:"

_OFF = select(PEOPLE.c.user_id).where(PEOPLE.c.user_id == bindparam("user"),
                                      PEOPLE.c.enabled.is_(False))


def enabled(connection: Connection, user_id: int) -> bool:
    """Whether the bot may ask the citizen how an offer went (yes unless they said no)."""
    return connection.execute(_OFF, {"user": user_id}).first() is None


def note(connection: Connection, *, user_id: int, chat_id: int, offer_id: str) -> None:
    """The citizen looked at ``offer_id``: ask about it later (once; nothing if they are off)."""
    if not enabled(connection, user_id):
        return
    dialect = connection.dialect.name
    connection.execute(insert_on_conflict(dialect, PEOPLE)
                       .values(user_id=user_id, enabled=True).on_conflict_do_nothing())
    connection.execute(insert_on_conflict(dialect, FOLLOWUPS)
                       .values(user_id=user_id, offer_id=offer_id, chat_id=chat_id,
                               seen_at=utcnow()).on_conflict_do_nothing())


def _drop(connection: Connection, user_id: int) -> None:
    connection.execute(delete(FOLLOWUPS).where(FOLLOWUPS.c.user_id == user_id))
    connection.execute(delete(OUTBOX).where(OUTBOX.c.user_id == user_id,
                                            OUTBOX.c.key.startswith(KEY_PREFIX)))


def switch(connection: Connection, *, user_id: int, on: bool) -> None:
    """``/followups on|off``: off erases the offers and questions waiting, and is remembered
    (one row: that they said no)."""
    if on:  # the row stays: it remembers the last question (at most one a week)
        connection.execute(update(PEOPLE).where(PEOPLE.c.user_id == user_id).values(enabled=True))
        return
    _drop(connection, user_id)
    statement = insert_on_conflict(connection.dialect.name, PEOPLE)
    connection.execute(statement.values(user_id=user_id, enabled=False).on_conflict_do_update(
        index_elements=[PEOPLE.c.user_id], set_={"enabled": False}))


def answer(connection: Connection, *, user_id: int, offer_id: str, given: str | None,
           reason: str | None) -> bool:
    """Keep an answer (or why they could not go) to a follow-up that was asked and not yet
    answered; whether it was kept (a second tap, or a forged one, is not)."""
    mine = (FOLLOWUPS.c.user_id == user_id) & (FOLLOWUPS.c.offer_id == offer_id) & (
        FOLLOWUPS.c.asked_at.is_not(None))
    if given is not None:
        statement = update(FOLLOWUPS).where(mine, FOLLOWUPS.c.answer.is_(None)).values(
            answer=given)
    else:
        statement = update(FOLLOWUPS).where(
            mine, FOLLOWUPS.c.answer == "could_not", FOLLOWUPS.c.reason.is_(None)
        ).values(reason=reason)
    return bool(connection.execute(statement).rowcount)


def forget(connection: Connection, *, user_id: int) -> None:
    """Erase every follow-up of the citizen, answers included, and their switch (``/forget``)."""
    _drop(connection, user_id)
    connection.execute(delete(PEOPLE).where(PEOPLE.c.user_id == user_id))
