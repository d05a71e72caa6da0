"""Writing the digests: for each subscriber, the best new offers that fit and were never told.

"New" is an offer added or changed (its ``updated_at``) after the citizen subscribed; "told" is
remembered per offer (``alert_told``), so a changed offer is never announced twice. A digest is
written with its offers marked told in one transaction, after a conditional update of the
subscriber's ``last_told_at`` claims their week: two runs at once write one digest, and a second
run in the same week writes none.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection, Table, or_, select, update

from bot.alerts.outbox import reply_to_json
from bot.chats.alerts import OUTBOX, SUBSCRIPTIONS, TOLD
from bot.chats.models import Citizen
from bot.engine import alerts
from catalog.matching.matcher import CatalogIndex, match
from catalog.offer import Offer
from catalog.store.db import Database
from catalog.store.models import OfferRecord
from catalog.store.snapshot import CatalogSnapshot
from catalog.store.transactions import run_transaction
from catalog.store.upsert import insert_on_conflict

WEEK = timedelta(days=7)
# How many of a subscriber's best matches are looked at for news.
_LOOK_AT = 200
CITIZENS: Table = Citizen.__table__  # type: ignore[attr-defined]
OFFERS: Table = OfferRecord.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Subscriber:
    user_id: int
    chat_id: int
    language: str
    watch: dict[str, Any]
    subscribed_at: datetime


@dataclass(frozen=True, slots=True)
class Composed:
    """The counts of one composing run."""

    subscribers: int  # whose week was free, and who can be reached
    written: int  # digests written into the outbox


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _due(connection: Connection, *, now: datetime) -> list[Subscriber]:
    """Subscribers reachable (not blocked) and not told in the last week."""
    rows = connection.execute(
        select(SUBSCRIPTIONS, CITIZENS.c.language.label("citizen_language"))
        .join(CITIZENS, CITIZENS.c.user_id == SUBSCRIPTIONS.c.user_id)
        .where(CITIZENS.c.active.is_(True),
               or_(SUBSCRIPTIONS.c.last_told_at.is_(None),
                   SUBSCRIPTIONS.c.last_told_at <= now - WEEK))
        .order_by(SUBSCRIPTIONS.c.user_id)
    ).all()
    return [Subscriber(user_id=row.user_id, chat_id=row.chat_id,
                       language=row.citizen_language or row.language, watch=dict(row.watch),
                       subscribed_at=_utc(row.subscribed_at)) for row in rows]


def _changed(connection: Connection) -> dict[str, datetime]:
    """Every offer in the catalogue, with when it last changed."""
    rows = connection.execute(
        select(OFFERS.c.id, OFFERS.c.updated_at).where(OFFERS.c.retired.is_(False))).all()
    return {row.id: _utc(row.updated_at) for row in rows}


def _told(connection: Connection, *, user_id: int) -> frozenset[str]:
    rows = connection.execute(select(TOLD.c.offer_id).where(TOLD.c.user_id == user_id))
    return frozenset(rows.scalars())


def news_for(subscriber: Subscriber, index: CatalogIndex, *, today: date,
             changed: dict[str, datetime], told: frozenset[str]) -> list[Offer]:
    """The subscriber's matches, best first, that changed since they subscribed and that they
    were never told about."""
    profile = alerts.profile_of(subscriber.watch, subscriber.language,
                                dict(index.neighbourhoods()))
    found = match(profile, index, today=today, limit=_LOOK_AT)
    return [item.offer for item in found
            if item.offer.id not in told
            and changed.get(item.offer.id, subscriber.subscribed_at) > subscriber.subscribed_at]


def digest_key(offers: list[Offer]) -> str:
    """The digest's identity: one message per person and set of offers, however many runs."""
    ids = "\n".join(sorted(offer.id for offer in offers))
    return "digest:" + hashlib.sha256(ids.encode()).hexdigest()[:32]


def _write(subscriber: Subscriber, offers: list[Offer], now: datetime) -> Any:
    shown = offers[: alerts.DIGEST_SIZE]
    reply = alerts.digest(subscriber.language, shown, more=len(offers) > len(shown))

    def transaction(connection: Connection) -> bool:
        claimed = connection.execute(
            update(SUBSCRIPTIONS)
            .where(SUBSCRIPTIONS.c.user_id == subscriber.user_id,
                   or_(SUBSCRIPTIONS.c.last_told_at.is_(None),
                       SUBSCRIPTIONS.c.last_told_at <= now - WEEK))
            .values(last_told_at=now)
            .returning(SUBSCRIPTIONS.c.user_id)
        ).first()
        if claimed is None:  # another run took this week, or they unsubscribed meanwhile
            return False
        dialect = connection.dialect.name
        connection.execute(
            insert_on_conflict(dialect, OUTBOX)
            .values(user_id=subscriber.user_id, chat_id=subscriber.chat_id,
                    key=digest_key(shown), reply=reply_to_json(reply), status="pending",
                    attempts=0, created_at=now)
            .on_conflict_do_nothing())
        connection.execute(
            insert_on_conflict(dialect, TOLD)
            .values([{"user_id": subscriber.user_id, "offer_id": offer.id, "told_at": now}
                     for offer in shown])
            .on_conflict_do_nothing())
        return True

    return transaction


async def compose(*, database: Database, catalog: CatalogSnapshot, now: datetime,
                  today: date) -> Composed:
    """Write this week's digest of every subscriber who has news; the counts."""
    async with database.sessions() as session:
        index = await catalog.index(session=session)
    due = await run_transaction(database, partial(_due, now=now))
    changed = await run_transaction(database, _changed)
    written = 0
    for subscriber in due:
        told = await run_transaction(database, partial(_told, user_id=subscriber.user_id))
        offers = news_for(subscriber, index, today=today, changed=changed, told=told)
        if offers and await run_transaction(database, _write(subscriber, offers, now)):
            written += 1
    return Composed(subscribers=len(due), written=written)
