"""Raw usage events: pseudonymous, kept ``stats_retention_days`` days, erased by /forget.

One row per fact (``catalog.stats.facts.Kind``): who did it as a *pseudonym*, the day (never the
time), the interface language, the number of the citizen's conversation, and the fact's codes.

The pseudonym is HMAC-SHA256(``TREMPLIN_PSEUDONYM_KEY``, Telegram id). A Telegram id has only
about ten digits, so a plain hash could be reversed by hashing every possible id; a keyed hash
cannot, as long as the key is long, random and kept apart from the database (an environment
secret, not in backups of the data). Without a key nothing is recorded at all: a key generated
on the fly and stored in the database would sit next to the pseudonyms it protects (anyone
with a dump could reverse them), and a key kept in memory only would change at each restart,
so /forget could no longer find the citizen's events. Rotating the key cuts every link between
old and new events; the old ones are purged with the retention period.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import JSON, Column, Connection, bindparam, delete, distinct, func, insert
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from catalog.settings import Settings
from catalog.stats.facts import ANONYMOUS, Kind

KEY_VARIABLE = "TREMPLIN_PSEUDONYM_KEY"


class StatsEvent(SQLModel, table=True):
    """One fact of one day; ``user_key`` is a pseudonym, or empty for anonymous facts."""

    __tablename__ = "stats_event"

    id: int | None = Field(default=None, primary_key=True)
    user_key: str = Field(default="", max_length=64, index=True)
    # The citizen's conversation number (one more at each start of the questions), so the
    # funnel follows conversations, not just users; 0 before any start.
    conversation: int = 0
    day: date = Field(index=True)
    language: str = Field(default="fr", max_length=8)
    kind: str = Field(max_length=16)
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def stats_key(settings: Settings) -> str | None:
    """The key that pseudonymises users, or ``None``: statistics are then not recorded."""
    # Settings refuse a key shorter than MIN_KEY_LENGTH (catalog.settings).
    key = settings.pseudonym_key
    return None if key is None else key.get_secret_value()


def pseudonym(key: str, user_id: int) -> str:
    """HMAC-SHA256 of the Telegram id with ``key``, in hex: the raw id is never stored."""
    return hmac.new(key.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()


def _json(facts: Mapping[str, object]) -> dict[str, Any]:
    # Tuples become lists and enum members plain strings, as they will read back.
    loaded: dict[str, Any] = json.loads(json.dumps(dict(facts)))
    return loaded


# Built once: they run at every step of the conversation (see bot.chats.conversations).
_LAST_CONVERSATION = (
    select(func.max(StatsEvent.conversation))
    .where(col(StatsEvent.user_key) == bindparam("key"))
)
_INSERT = insert(StatsEvent)


def _last_conversation(connection: Connection, user_key: str) -> int:
    return int(connection.execute(_LAST_CONVERSATION, {"key": user_key}).scalar_one() or 0)


def record(
    connection: Connection,
    *,
    user_key: str,
    day: date,
    language: str,
    facts: Sequence[tuple[str, Mapping[str, object]]],
) -> None:
    """Add the facts ``(kind, codes)`` of one step (not committed); anonymous kinds unkeyed.

    Synchronous, on a Core connection: it runs inside a step's transaction
    (``catalog.store.transactions.run_transaction``).
    """
    if not facts:
        return
    keyed = any(kind not in ANONYMOUS for kind, _ in facts)
    conversation = _last_conversation(connection, user_key) if keyed else 0
    rows = []
    for kind, codes in facts:
        if kind == Kind.STARTED:
            conversation += 1
        anonymous = kind in ANONYMOUS
        rows.append({
            "user_key": "" if anonymous else user_key,
            "conversation": 0 if anonymous else conversation,
            "day": day, "language": language, "kind": kind, "facts": _json(codes),
        })
    # One INSERT for the step's facts; the id column keeps their order.
    connection.execute(_INSERT, rows)


def forget(connection: Connection, *, user_key: str) -> None:
    """Delete every event of the citizen (not committed)."""
    connection.execute(delete(StatsEvent).where(col(StatsEvent.user_key) == user_key))


async def events_between(*, session: AsyncSession, start: date, end: date) -> list[StatsEvent]:
    """The raw events of the days ``start`` to ``end`` (inclusive), in the order written."""
    query = (select(StatsEvent)
             .where(col(StatsEvent.day) >= start, col(StatsEvent.day) <= end)
             .order_by(col(StatsEvent.day), col(StatsEvent.id)))
    return list((await session.exec(query)).all())


async def oldest_day(*, session: AsyncSession) -> date | None:
    """The day of the oldest raw event still kept."""
    return (await session.exec(select(func.min(StatsEvent.day)))).one()


async def users_by_language(
    *, session: AsyncSession, start: date, end: date
) -> dict[str, int]:
    """Distinct users of the period, each counted once, in the language of their last event."""
    in_period = (col(StatsEvent.day) >= start, col(StatsEvent.day) <= end,
                 col(StatsEvent.user_key) != "")
    last = (select(func.max(StatsEvent.id).label("last"))
            .where(*in_period).group_by(col(StatsEvent.user_key)).subquery())
    query = (select(StatsEvent.language, func.count())
             .join(last, col(StatsEvent.id) == last.c.last)
             .group_by(col(StatsEvent.language)))
    return {language: int(count) for language, count in (await session.exec(query)).all()}


async def new_users(*, session: AsyncSession, start: date, end: date) -> int:
    """Distinct users whose first message falls in the period."""
    query = select(func.count(distinct(col(StatsEvent.user_key)))).where(
        col(StatsEvent.day) >= start, col(StatsEvent.day) <= end, col(StatsEvent.kind) == Kind.NEW)
    return int((await session.exec(query)).one())


async def search_phrases(*, session: AsyncSession, start: date, end: date) -> dict[str, int]:
    """The keywords of searches without a good result, each with how many people made it."""
    query = select(StatsEvent.user_key, StatsEvent.facts).where(
        col(StatsEvent.day) >= start, col(StatsEvent.day) <= end,
        col(StatsEvent.kind) == Kind.UNMET_SEARCH)
    people: dict[str, set[str]] = {}
    for user_key, facts in (await session.exec(query)).all():
        phrase = facts.get("keywords") if isinstance(facts, dict) else None
        if isinstance(phrase, str) and phrase:
            people.setdefault(phrase, set()).add(user_key)
    return {phrase: len(users) for phrase, users in people.items()}
