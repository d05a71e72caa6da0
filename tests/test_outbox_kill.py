"""``tremplin jobs run alerts`` as real processes against the fake Bot API with Telegram's flood
control: ``kill -9`` in the middle of 1,000 messages then a rerun lose none and send again at
most the ones in hand at the kill, without waiting for a stale claim; two runs started together
send each message once, one of them all, the other none (one sender at a time: never two
processes at 29.5 a second each). On SQLite, and on PostgreSQL with TREMPLIN_TEST_DATABASE_URL.

429s are printed (``pytest -rP``), not asserted to be zero: at 29.5 messages a second, 17 ms of
jitter between the sender and the fake server (a loaded machine) is enough for a 31st message in
one second. The limiter honours them (each message is still sent once, asserted).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from fakeapi import FakeBotApi, FloodControl
from outbox_helpers import chats_with_status, seed_outbox
from sqlalchemy import text
from sqlmodel import SQLModel

from bot.chats.database import Database, open_database

pytestmark = pytest.mark.asyncio

FIRST = 8_600_000_000
TREMPLIN = Path(sys.executable).parent / "tremplin"


@pytest_asyncio.fixture
async def migrated(database_url: str) -> AsyncIterator[Database]:
    """The database as ``tremplin`` makes it (migrations); emptied afterwards."""
    database = await open_database(database_url, load_sample=False)
    yield database
    async with database.engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all)
        await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await database.close()


async def _prepare(server: FakeBotApi, database: Database, count: int) -> list[int]:
    server.flood = FloodControl()  # 30 a second overall, 1 a second per chat, as Telegram
    chats = list(range(FIRST, FIRST + count))
    for chat in chats:
        server.user(chat, "Sub")
    await seed_outbox(database, chats)
    return chats


async def _start(server: FakeBotApi, database_url: str, folder: Path,
                 name: str) -> asyncio.subprocess.Process:
    """``tremplin jobs run alerts``, configured by its environment only; stderr to a file."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TREMPLIN_")}
    env.update(TREMPLIN_TELEGRAM_TOKEN=server.token, TREMPLIN_TELEGRAM_API_URL=server.url,
               TREMPLIN_DATABASE_URL=database_url, TREMPLIN_QUIET_HOURS="0-0")
    with (folder / f"{name}.log").open("wb") as log:
        return await asyncio.create_subprocess_exec(
            TREMPLIN, "jobs", "run", "alerts", cwd=folder, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=log)


async def _finish(process: asyncio.subprocess.Process) -> str:
    out, _ = await process.communicate()
    assert process.returncode == 0
    return out.decode()


def _delivered(server: FakeBotApi) -> Counter[int]:
    """How many times each chat got a message."""
    return Counter(int(call.params["chat_id"]) for call in server.calls("sendMessage")
                   if call.ok)


async def test_kill_9_mid_run_then_a_rerun_lose_nothing(
    server: FakeBotApi, migrated: Database, database_url: str, tmp_path: Path
) -> None:
    chats = await _prepare(server, migrated, 1_000)
    first = await _start(server, database_url, tmp_path, "first")
    async with asyncio.timeout(120):
        while len(server.calls("sendMessage")) < 300:
            assert first.returncode is None, "the run ended before it was killed"
            await asyncio.sleep(0.02)
    os.kill(first.pid, signal.SIGKILL)
    assert await first.wait() == -signal.SIGKILL
    in_hand = await chats_with_status(migrated, "sending")
    sent_before = len(await chats_with_status(migrated, "sent"))

    # The rerun waits out the killed run's lease (30 s at most, not a stale claim's 10
    # minutes), takes back its messages in hand and sends every one left.
    rerun = await _start(server, database_url, tmp_path, "rerun")
    async with asyncio.timeout(150):
        out = await _finish(rerun)
    assert f"{1_000 - sent_before} sent" in out
    assert (f"({len(in_hand)} taken back" in out) == bool(in_hand)
    assert await chats_with_status(migrated, "sent") == set(chats)

    delivered = _delivered(server)
    assert sorted(delivered) == chats  # none lost
    twice = {chat for chat, times in delivered.items() if times > 1}
    assert twice <= in_hand and max(delivered.values()) <= 2
    # The figures to watch over repeated runs (pytest -rP shows them).
    assert server.flood is not None
    print(f"in hand at the kill: {len(in_hand)}, sent twice: {len(twice)}, "
          f"429 answered: {server.flood.refused}")


async def test_two_runs_started_together_one_sends_each_message_once(
    server: FakeBotApi, migrated: Database, database_url: str, tmp_path: Path
) -> None:
    chats = await _prepare(server, migrated, 400)  # longer than a heartbeat at 29.5 a second
    runs = [await _start(server, database_url, tmp_path, f"run{n}") for n in (1, 2)]
    async with asyncio.timeout(120):
        outs = await asyncio.gather(*(_finish(run) for run in runs))
    assert sorted(_delivered(server).elements()) == chats  # each exactly once
    # One sent them all; the other saw its lease renewed and left it to it (before the lease,
    # each sent about 200, together up to 59 a second).
    assert sorted(out.split(", ")[1] for out in outs) == ["0 sent", "400 sent"]
    assert sum("another sender is at work" in out for out in outs) == 1
    assert server.flood is not None
    print(f"429 answered: {server.flood.refused}")
