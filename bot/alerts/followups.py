"""Writing the follow-up questions: "how did it go?" about an offer looked at ten days ago.

For each citizen with follow-ups on, reachable, and not asked in the last week, the oldest offer
they looked at at least :data:`AFTER` ago and never asked about is written into the alerts'
outbox (``bot.alerts.outbox`` sends it, unique per person and offer). The week is claimed by a
conditional update of ``followup_person.last_asked_at``, and the offer marked asked in the same
transaction: two runs at once write one question, a second run in the week none.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection, delete, func, or_, select, update

from bot.alerts.compose import CITIZENS, WEEK
from bot.alerts.outbox import reply_to_json
from bot.chats.alerts import OUTBOX
from bot.chats.followups import FOLLOWUPS, KEY_PREFIX, PEOPLE
from bot.engine import followups
from catalog.store.db import Database
from catalog.store.snapshot import CatalogSnapshot
from catalog.store.transactions import run_transaction
from catalog.store.upsert import insert_on_conflict

# How long after looking at an offer the citizen is asked how it went.
AFTER = timedelta(days=10)


@dataclass(frozen=True, slots=True)
class Due:
    user_id: int
    chat_id: int
    offer_id: str
    language: str
    first: bool  # never asked before: the message offers to stop them


def question_key(offer_id: str) -> str:
    """The question's identity in the outbox: one per person and offer, however many runs."""
    return KEY_PREFIX + hashlib.sha256(offer_id.encode()).hexdigest()[:32]


def _week_free(now: datetime) -> Any:
    return or_(PEOPLE.c.last_asked_at.is_(None), PEOPLE.c.last_asked_at <= now - WEEK)


def _due(connection: Connection, *, now: datetime) -> list[Due]:
    """Per citizen whose week is free, their oldest offer due for a question."""
    oldest = (
        select(FOLLOWUPS.c.user_id, func.min(FOLLOWUPS.c.seen_at).label("seen_at"))
        .where(FOLLOWUPS.c.asked_at.is_(None), FOLLOWUPS.c.seen_at <= now - AFTER)
        .group_by(FOLLOWUPS.c.user_id).subquery()
    )
    rows = connection.execute(
        select(FOLLOWUPS.c.user_id, FOLLOWUPS.c.chat_id, FOLLOWUPS.c.offer_id,
               CITIZENS.c.language, PEOPLE.c.last_asked_at)
        .join(oldest, (oldest.c.user_id == FOLLOWUPS.c.user_id)
              & (oldest.c.seen_at == FOLLOWUPS.c.seen_at))
        .join(PEOPLE, PEOPLE.c.user_id == FOLLOWUPS.c.user_id)
        .join(CITIZENS, CITIZENS.c.user_id == FOLLOWUPS.c.user_id)
        .where(FOLLOWUPS.c.asked_at.is_(None), PEOPLE.c.enabled.is_(True),
               CITIZENS.c.active.is_(True), _week_free(now))
        .order_by(FOLLOWUPS.c.user_id, FOLLOWUPS.c.offer_id)
    ).all()
    due: dict[int, Due] = {}
    for row in rows:  # two offers seen at the same instant: the first by id
        due.setdefault(row.user_id, Due(row.user_id, row.chat_id, row.offer_id, row.language,
                                        first=row.last_asked_at is None))
    return list(due.values())


def _write(due: Due, reply: dict[str, Any] | None, now: datetime) -> Any:
    def transaction(connection: Connection) -> bool:
        mine = (FOLLOWUPS.c.user_id == due.user_id) & (FOLLOWUPS.c.offer_id == due.offer_id)
        if reply is None:  # the offer left the catalogue: nothing to ask about
            connection.execute(delete(FOLLOWUPS).where(mine, FOLLOWUPS.c.asked_at.is_(None)))
            return False
        claimed = connection.execute(
            update(PEOPLE).where(PEOPLE.c.user_id == due.user_id, PEOPLE.c.enabled.is_(True),
                                 _week_free(now))
            .values(last_asked_at=now).returning(PEOPLE.c.user_id)).first()
        if claimed is None:  # another run took this week, or they turned follow-ups off
            return False
        marked = connection.execute(update(FOLLOWUPS).where(mine, FOLLOWUPS.c.asked_at.is_(None))
                                    .values(asked_at=now))
        if not marked.rowcount:  # asked meanwhile (turned off then on again)
            return False
        connection.execute(
            insert_on_conflict(connection.dialect.name, OUTBOX)
            .values(user_id=due.user_id, chat_id=due.chat_id, key=question_key(due.offer_id),
                    reply=reply, status="pending", attempts=0, created_at=now)
            .on_conflict_do_nothing())
        return True

    return transaction


async def compose(*, database: Database, catalog: CatalogSnapshot, now: datetime) -> int:
    """Write the follow-up questions due; how many."""
    async with database.sessions() as session:
        index = await catalog.index(session=session)
    written = 0
    for due in await run_transaction(database, partial(_due, now=now)):
        offer = index.get(due.offer_id)
        reply = None if offer is None else reply_to_json(
            followups.question(due.language, offer, first=due.first))
        if await run_transaction(database, _write(due, reply, now)):
            written += 1
    return written
