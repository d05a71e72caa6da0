"""The outbox: one sender at a time claims each message, sends it, then marks it sent.

Guarantees, for a crash, ``kill -9``, a restart, two replicas or a second ``jobs run``:

- **One sender at a time** (:mod:`bot.alerts.lease`): Telegram's 30 messages a second are per
  bot token, so a run first takes the sender lease; while a live sender holds it, another run
  leaves at once (:attr:`Delivered.elsewhere`); a dead sender's lease lapses within
  :data:`~bot.alerts.lease.EXPIRY` and the next run takes over.
- **Never lost**: a claim (``pending`` -> ``sending``) is one conditional ``UPDATE`` on the
  oldest pending row, made only while holding the lease; a failed send puts the row back; a
  sender that takes the lease takes back at once every row still ``sending`` (its previous
  holder died with them in hand), so they go in this run.
- **Sent once, but for one window**: "sent" is committed right after Telegram's answer,
  nothing in between. A process killed after Telegram accepted a message and before that
  commit leaves the row ``sending``: the next sender sends it again (at least once, never lost).
  At most the messages in hand at the kill (one per worker) are sent twice; a digest too long
  for one Telegram message is sent again whole.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Connection, select, update

from bot.alerts import lease
from bot.chats.alerts import OUTBOX
from bot.engine.replies import Button, Reply
from catalog.store.db import Database
from catalog.store.models import utcnow
from catalog.store.transactions import run_transaction

logger = logging.getLogger(__name__)

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
    taken_back: int = 0  # left ``sending`` by a sender that died, sent again in this run
    elsewhere: bool = False  # another sender holds the lease and sends the outbox


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


def _claim(connection: Connection, *, holder: str, now: datetime,
           skipped: frozenset[int]) -> Claimed | None:
    oldest = (
        select(OUTBOX.c.id).where(OUTBOX.c.status == PENDING, OUTBOX.c.id.not_in(skipped))
        .order_by(OUTBOX.c.id).limit(1).with_for_update(skip_locked=True).scalar_subquery()
    )
    row = connection.execute(
        update(OUTBOX).where(OUTBOX.c.id == oldest, OUTBOX.c.status == PENDING,
                             lease.holding(holder))
        .values(status=SENDING, claimed_at=now, attempts=OUTBOX.c.attempts + 1)
        .returning(OUTBOX.c.id, OUTBOX.c.user_id, OUTBOX.c.chat_id, OUTBOX.c.reply,
                   OUTBOX.c.attempts)
    ).first()
    if row is None:
        return None
    return Claimed(id=row.id, user_id=row.user_id, chat_id=row.chat_id,
                   reply=reply_from_json(row.reply), attempts=row.attempts)


def _take_back(connection: Connection) -> int:
    """Put back what a dead sender left ``sending`` (run by the lease's new holder)."""
    taken = connection.execute(
        update(OUTBOX).where(OUTBOX.c.status == SENDING).values(status=PENDING)
        .returning(OUTBOX.c.id)).all()
    return len(taken)


def _set(claimed: Claimed, status: str, now: datetime) -> Callable[[Connection], None]:
    def transaction(connection: Connection) -> None:
        values: dict[str, Any] = {"status": status}
        if status == SENT:
            values["sent_at"] = now
        # ``attempts`` grows at every claim: a sender that lost its lease does not touch a row
        # that the new holder took back and claimed again.
        connection.execute(update(OUTBOX).where(OUTBOX.c.id == claimed.id,
                                                OUTBOX.c.status == SENDING,
                                                OUTBOX.c.attempts == claimed.attempts)
                           .values(**values))
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
    lease_clock: Clock = utcnow,
) -> Delivered:
    """Send every pending message of the outbox, holding the sender lease; the counts.

    A live sender holding the lease makes this run leave at once (``elsewhere``); a silent one
    is waited out (at most :data:`~bot.alerts.lease.EXPIRY`), then its messages in hand are
    taken back. ``workers`` senders claim messages concurrently (the front end's rate limiter
    paces them). An exception from ``send`` puts its message back, lets the other workers
    finish the message in hand, and propagates: the message is sent at the next run. Setting
    ``stop`` ends the run after the messages in hand (a shutdown). ``clock`` stamps the
    messages (a fixed moment in ``jobs run --today``); ``lease_clock`` is the real time that
    every process's lease is read against.
    """
    holder = lease.new_holder()
    if not await lease.take(database, holder=holder, clock=lease_clock, stop=stop):
        return Delivered(elsewhere=stop is None or not stop.is_set())
    async with lease.kept(database, holder=holder, clock=lease_clock):
        counts = Delivered(taken_back=await run_transaction(database, _take_back))
        if counts.taken_back:
            logger.warning("event=outbox_taken_back count=%d", counts.taken_back)
        await _send_all(database=database, send=send, on_blocked=on_blocked, clock=clock,
                        workers=workers, stop=stop, holder=holder, counts=counts)
    return counts


async def _send_all(*, database: Database, send: Sender,
                    on_blocked: Callable[[int], Awaitable[None]] | None, clock: Clock,
                    workers: int, stop: asyncio.Event | None, holder: str,
                    counts: Delivered) -> None:
    skipped: set[int] = set()
    failed = asyncio.Event()  # a send raised: the other workers stop after their message

    def going() -> bool:
        return not failed.is_set() and (stop is None or not stop.is_set())

    async def worker() -> None:
        while going():
            claimed = await run_transaction(database, partial(
                _claim, holder=holder, now=clock(), skipped=frozenset(skipped)))
            if claimed is None:
                return
            try:
                outcome = await send(claimed.chat_id, claimed.reply)
            except Exception:
                failed.set()
                await run_transaction(database, _set(claimed, PENDING, clock()))
                raise
            await _record(claimed, outcome)

    async def _record(claimed: Claimed, outcome: Delivery) -> None:
        match outcome:
            case Delivery.SENT:
                # First thing after Telegram's answer: the window for a resend is this commit.
                await run_transaction(database, _set(claimed, SENT, clock()))
                counts.sent += 1
            case Delivery.BLOCKED:
                await run_transaction(database, _drop_queue(claimed.user_id))
                counts.blocked += 1
                if on_blocked is not None:
                    await on_blocked(claimed.user_id)
            case Delivery.FAILED:
                await run_transaction(database, _set(claimed, FAILED, clock()))
                counts.failed += 1
            case Delivery.RETRY:
                await run_transaction(database, _set(claimed, PENDING, clock()))
                if claimed.attempts >= MAX_ATTEMPTS:
                    skipped.add(claimed.id)
                    counts.waiting += 1

    results = await asyncio.gather(*(worker() for _ in range(max(1, workers))),
                                   return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            logger.warning("event=alerts_delivery_stopped sent=%d", counts.sent)
            raise result
