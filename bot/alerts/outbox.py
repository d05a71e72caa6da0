"""The outbox: each message claimed by one sender at a time, sent, then marked sent.

A claim is one conditional ``UPDATE ... WHERE status = 'pending'`` on the oldest claimable row
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent senders take different rows; SQLite's
``BEGIN IMMEDIATE`` serialises them): two runs, two replicas, never send one message twice.
A failed send puts the row back, so nothing is lost. The one gap no database can close is a
process killed between Telegram's answer and the commit of "sent": that single row stays
``sending`` and is sent again after :data:`STALE_CLAIM` (at least once, never lost).
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection, or_, select, update

from bot.chats.alerts import OUTBOX
from bot.engine.replies import Button, Reply
from catalog.store.db import Database
from catalog.store.models import utcnow
from catalog.store.transactions import run_transaction

logger = logging.getLogger(__name__)

# A claim older than this was a sender that died mid-send: the row is claimable again.
STALE_CLAIM = timedelta(minutes=10)
# Sends retried within one run (after Telegram's retry_after); later runs try again.
MAX_ATTEMPTS = 5
PENDING, SENDING, SENT, DROPPED, FAILED = "pending", "sending", "sent", "dropped", "failed"


class Delivery(enum.Enum):
    """What a sender made of one message."""

    SENT = "sent"
    BLOCKED = "blocked"  # the citizen blocked the bot (403)
    RETRY = "retry"  # not sent this time (429 after its wait, network): send again later
    FAILED = "failed"  # refused for good (400: chat not found...)


# ``send(chat_id, reply)``: a front end's way to deliver one message.
Sender = Callable[[int, Reply], Awaitable[Delivery]]
Clock = Callable[[], datetime]


@dataclass
class Delivered:
    """The counts of one delivery run."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    waiting: int = 0  # put back for a later run


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    user_id: int
    chat_id: int
    reply: Reply
    attempts: int


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """A reply as stored in the outbox (text and buttons; digests have no venue)."""
    return {
        "text": reply.text,
        "title": reply.title,
        "buttons": [[{"label": b.label, "action": b.action, "url": b.url} for b in row]
                    for row in reply.buttons],
    }


def reply_from_json(data: Mapping[str, Any]) -> Reply:
    rows = tuple(tuple(Button(str(b["label"]), b.get("action"), b.get("url")) for b in row)
                 for row in data.get("buttons", []))
    title = data.get("title")
    return Reply(str(data.get("text", "")), title=title if isinstance(title, str) else None,
                 buttons=rows)


def _claimable(now: datetime) -> Any:
    return or_(OUTBOX.c.status == PENDING,
               (OUTBOX.c.status == SENDING) & (OUTBOX.c.claimed_at < now - STALE_CLAIM))


def _claim(connection: Connection, *, now: datetime, skipped: frozenset[int]) -> Claimed | None:
    oldest = (
        select(OUTBOX.c.id).where(_claimable(now), OUTBOX.c.id.not_in(skipped))
        .order_by(OUTBOX.c.id).limit(1).with_for_update(skip_locked=True).scalar_subquery()
    )
    row = connection.execute(
        update(OUTBOX).where(OUTBOX.c.id == oldest, _claimable(now))
        .values(status=SENDING, claimed_at=now, attempts=OUTBOX.c.attempts + 1)
        .returning(OUTBOX.c.id, OUTBOX.c.user_id, OUTBOX.c.chat_id, OUTBOX.c.reply,
                   OUTBOX.c.attempts)
    ).first()
    if row is None:
        return None
    return Claimed(id=row.id, user_id=row.user_id, chat_id=row.chat_id,
                   reply=reply_from_json(row.reply), attempts=row.attempts)


def _set(message_id: int, status: str, now: datetime) -> Callable[[Connection], None]:
    def transaction(connection: Connection) -> None:
        values: dict[str, Any] = {"status": status}
        if status == SENT:
            values["sent_at"] = now
        connection.execute(update(OUTBOX).where(OUTBOX.c.id == message_id,
                                                OUTBOX.c.status == SENDING).values(**values))
    return transaction


def _drop_queue(user_id: int) -> Callable[[Connection], None]:
    def transaction(connection: Connection) -> None:
        connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.user_id == user_id, OUTBOX.c.status.in_((PENDING, SENDING)))
            .values(status=DROPPED))
    return transaction


async def deliver(
    *,
    database: Database,
    send: Sender,
    on_blocked: Callable[[int], Awaitable[None]] | None = None,
    clock: Clock = utcnow,
    workers: int = 4,
    stop: asyncio.Event | None = None,
) -> Delivered:
    """Send every claimable message of the outbox; the counts.

    ``workers`` senders claim messages concurrently (the front end's rate limiter paces them).
    An exception from ``send`` puts its message back, lets the other workers finish the message
    in hand, and propagates: the message is sent at the next run. Setting ``stop`` ends the
    run after the messages in hand (a shutdown).
    """
    counts = Delivered()
    skipped: set[int] = set()
    stop = stop or asyncio.Event()

    async def worker() -> None:
        while not stop.is_set():
            claimed = await run_transaction(database, partial(
                _claim, now=clock(), skipped=frozenset(skipped)))
            if claimed is None:
                return
            try:
                outcome = await send(claimed.chat_id, claimed.reply)
            except Exception:
                stop.set()
                await run_transaction(database, _set(claimed.id, PENDING, clock()))
                raise
            await _record(claimed, outcome)

    async def _record(claimed: Claimed, outcome: Delivery) -> None:
        match outcome:
            case Delivery.SENT:
                await run_transaction(database, _set(claimed.id, SENT, clock()))
                counts.sent += 1
            case Delivery.BLOCKED:
                await run_transaction(database, _drop_queue(claimed.user_id))
                counts.blocked += 1
                if on_blocked is not None:
                    await on_blocked(claimed.user_id)
            case Delivery.FAILED:
                await run_transaction(database, _set(claimed.id, FAILED, clock()))
                counts.failed += 1
            case Delivery.RETRY:
                await run_transaction(database, _set(claimed.id, PENDING, clock()))
                if claimed.attempts >= MAX_ATTEMPTS:
                    skipped.add(claimed.id)
                    counts.waiting += 1

    results = await asyncio.gather(*(worker() for _ in range(max(1, workers))),
                                   return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            logger.warning("event=alerts_delivery_stopped sent=%d", counts.sent)
            raise result
    return counts
