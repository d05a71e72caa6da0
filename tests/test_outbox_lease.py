"""The outbox's sender lease (``bot.alerts.lease``): a killed sender's lease lapses and the next
sender takes back its messages in hand at once; a sender that lost the lease claims nothing more
and leaves the new holder's lease alone. Run on PostgreSQL too with TREMPLIN_TEST_DATABASE_URL;
the real ``kill -9`` of ``tremplin jobs run alerts`` is in test_outbox_kill.py."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from outbox_helpers import chats_with_status, seed_outbox
from sqlalchemy import Connection, select, update

from bot.alerts import lease
from bot.alerts.outbox import Delivery, deliver
from bot.chats.alerts import OUTBOX
from bot.chats.database import Database
from bot.engine.replies import Reply
from catalog.store.models import utcnow
from catalog.store.transactions import run_transaction

pytestmark = pytest.mark.asyncio

FIRST = 8_500_000_000
DEAD = "gone-host:1:dead"


async def test_a_killed_senders_lease_lapses_and_its_messages_in_hand_go_at_once(
    empty_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lease, "EXPIRY", timedelta(milliseconds=300))  # 30 s in production
    monkeypatch.setattr(lease, "POLL", 0.02)
    chats = list(range(FIRST, FIRST + 6))
    await seed_outbox(empty_database, chats)
    # A sender took the lease and two messages, then was killed: no heartbeat, no release.
    held = await run_transaction(empty_database,
                                 partial(lease.acquire, holder=DEAD, now=utcnow()))
    assert held.holder == DEAD

    def in_hand(connection: Connection) -> None:
        connection.execute(update(OUTBOX).where(OUTBOX.c.chat_id.in_(chats[:2]))
                           .values(status="sending", claimed_at=utcnow(), attempts=1))

    await run_transaction(empty_database, in_hand)
    sent: list[int] = []

    async def send(chat_id: int, reply: Reply) -> Delivery:
        sent.append(chat_id)
        return Delivery.SENT

    report = await deliver(database=empty_database, send=send)
    assert (report.taken_back, report.sent, report.elsewhere) == (2, 6, False)
    assert sorted(sent) == chats
    assert await chats_with_status(empty_database, "sent") == set(chats)


async def test_a_sender_that_lost_the_lease_claims_nothing_more(
    empty_database: Database
) -> None:
    chats = list(range(FIRST, FIRST + 5))
    await seed_outbox(empty_database, chats)
    sent: list[int] = []

    def taken_over(connection: Connection) -> None:
        connection.execute(update(lease.LEASES).where(lease.LEASES.c.name == lease.NAME)
                           .values(holder="new-holder"))

    async def stalls_then_resumes(chat_id: int, reply: Reply) -> Delivery:
        sent.append(chat_id)
        if len(sent) == 2:  # it stalled past the expiry meanwhile: another sender took over
            await run_transaction(empty_database, taken_over)
        return Delivery.SENT

    report = await deliver(database=empty_database, send=stalls_then_resumes, workers=1)
    assert (report.sent, sent) == (2, chats[:2])  # the message in hand, then no more claims

    def holder(connection: Connection) -> str:
        return str(connection.execute(select(lease.LEASES.c.holder)
                                      .where(lease.LEASES.c.name == lease.NAME)).scalar_one())

    # Its end did not give back the new holder's lease, whose messages are still to send.
    assert await run_transaction(empty_database, holder) == "new-holder"
    assert await chats_with_status(empty_database, "pending") == set(chats[2:])
