"""Broadcast benchmark: 10,000 digests sent by the bot itself under Telegram's flood limits.

The fake Bot API answers 429 with ``retry_after`` beyond 30 messages a second overall and one a
second per chat (``tests/fakeapi/flood.py``). The outbox holds one digest (three offers, their
buttons, "More offers", the stop) for each of ``--subscribers`` citizens; the real bot starts
(long polling, its hourly alerts job sends the outbox at once) while ``--conversations``
citizens talk to it, a step every ``--pause`` seconds. Measured: the time to send every digest
(the bar: at most 10% more than subscribers / 30 s), duplicates (a chat given its digest twice),
429 answered (each waited out and the message sent again) and left (a digest not sent at the
end), and the latency of the citizens' steps (p50, p95, max; the bar: p95 under 500 ms).

    python -m benchmarks.broadcast_bench [--subscribers 10000] [--conversations 3] [--pause 2]

Run from the repository root; it needs the test extra (aiohttp) and imports tests/fakeapi.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fakeapi import BotMessage, FakeBotApi, FloodControl, SimUser
from fakeapi.flood import SENDING, most_in_one_second
from sqlalchemy import Connection, func, insert, select

from bot.alerts.outbox import SENT, reply_to_json
from bot.chats.alerts import OUTBOX
from bot.chats.database import open_database
from bot.chats.models import Citizen
from bot.engine import alerts
from bot.settings import load_bot_settings
from bot.telegram.application import build_application, polling
from catalog.store.db import Database
from catalog.store.models import utcnow
from catalog.store.offers import load_offers
from catalog.store.transactions import run_transaction

FIRST_SUBSCRIBER = 7_000_000_000
FIRST_CITIZEN = 6_000_000_000
RATE = 30.0


async def _seed(database: Database, subscribers: int) -> None:
    """One citizen and one pending digest per subscriber, in one transaction."""
    async with database.sessions() as session:
        offers = (await load_offers(session=session))[:3]
    reply = reply_to_json(alerts.digest("fr", offers, more=True))
    now = utcnow()
    ids = range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + subscribers)

    def transaction(connection: Connection) -> None:
        connection.execute(insert(Citizen.__table__), [  # type: ignore[attr-defined]
            {"user_id": uid, "language": "fr", "active": True, "first_seen": now,
             "last_seen": now} for uid in ids])
        connection.execute(insert(OUTBOX), [
            {"user_id": uid, "chat_id": uid, "key": f"digest:bench-{uid}", "reply": reply,
             "status": "pending", "attempts": 0, "created_at": now} for uid in ids])

    await run_transaction(database, transaction)


def _has_button(label: str, message: BotMessage) -> bool:
    return message.has_button(label)


async def _converse(user: SimUser, pause: float, latencies: list[float],
                    stop: asyncio.Event) -> None:
    """/start, then the first questions by their buttons, again and again; each step timed
    from the citizen's message to the bot's answer."""
    steps: list[tuple[str | None, str]] = [
        (None, "Moi"), ("Moi", "26 à 44 ans"), ("26 à 44 ans", "En recherche d'emploi")]
    while not stop.is_set():
        for press, expected in steps:
            began = time.perf_counter()
            if press is None:
                await user.send_text("/start")
            else:
                await user.press(press)
            await user.wait_for(partial(_has_button, expected), timeout=30)
            latencies.append(time.perf_counter() - began)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
            if stop.is_set():
                return


async def _sent(database: Database) -> int:
    def count(connection: Connection) -> int:
        return int(connection.execute(
            select(func.count()).select_from(OUTBOX).where(OUTBOX.c.status == SENT)).scalar_one())
    return await run_transaction(database, count)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def serve_bot(token: str, api_url: str, database_url: str) -> None:
    """The bot, in its own process as in production (Telegram is not in our process), until
    its standard input closes."""
    settings = load_bot_settings(env_file=None, telegram_token=token, telegram_api_url=api_url,
                                 database_url=database_url, quiet_hours="0-0")
    database = await open_database(database_url)
    try:
        async with polling(build_application(settings, database=database), poll_timeout=1):
            print("ready", flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    finally:
        await database.close()


@contextlib.asynccontextmanager
async def _bot_process(server: FakeBotApi, url: str, *, in_process: bool,
                       database: Database) -> AsyncIterator[None]:
    if in_process:  # the bot and the fake Bot API share one event loop (and its stalls)
        settings = load_bot_settings(env_file=None, telegram_token=server.token,
                                     telegram_api_url=server.url, database_url=url,
                                     quiet_hours="0-0")
        async with polling(build_application(settings, database=database), poll_timeout=1):
            yield
        return
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.broadcast_bench", "--serve-bot",
        "--token", server.token, "--api-url", server.url, "--database-url", url,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert process.stdout is not None and process.stdin is not None
    await process.stdout.readline()  # "ready"
    try:
        yield
    finally:
        process.stdin.close()
        await process.wait()


async def bench(subscribers: int, conversations: int, pause: float,
                in_process: bool = False) -> dict[str, float]:
    flood = FloodControl(overall=int(RATE))
    server = FakeBotApi(flood=flood)
    await server.start()
    folder = tempfile.TemporaryDirectory()
    url = f"sqlite+aiosqlite:///{folder.name}/broadcast.db"
    database = await open_database(url)
    try:
        await _seed(database, subscribers)
        for uid in range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + subscribers):
            server.user(uid, "Abonné", language_code="fr")
        talkers = [server.user(FIRST_CITIZEN + n, "Citoyen", language_code="fr")
                   for n in range(conversations)]
        latencies: list[float] = []
        stop = asyncio.Event()
        async with _bot_process(server, url, in_process=in_process, database=database):
            began = time.perf_counter()  # the bot is up: its alerts job starts sending
            began_at = time.monotonic()
            drivers = [asyncio.create_task(_converse(user, pause, latencies, stop))
                       for user in talkers]
            # The outbox is polled: the bot's job gives no signal when it is done.
            while await _sent(database) < subscribers:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
            elapsed = time.perf_counter() - began
            stop.set()
            await asyncio.gather(*drivers)
        digests = [request for request in server.calls("sendMessage")
                   if request.ok and int(request.params["chat_id"]) >= FIRST_SUBSCRIBER]
        delivered = Counter(int(request.params["chat_id"]) for request in digests)
        # Where the time went: the job's start (before the first digest), the digests' own
        # rate, and the citizens' messages that shared Telegram's 30 a second with them.
        sends = sorted(request.at for request in server.requests
                       if request.ok and request.method in SENDING)
        first = min(request.at for request in digests) - began_at
        span = max(request.at for request in digests) - min(request.at for request in digests)
        citizens = sum(1 for request in server.calls("sendMessage")
                       if request.ok and int(request.params["chat_id"]) < FIRST_SUBSCRIBER)
        left = subscribers - await _sent(database)
    finally:
        await database.close()
        await server.stop()
        folder.cleanup()
    return {
        "subscribers": subscribers,
        "seconds": elapsed,
        "bar_seconds": subscribers / RATE * 1.1,
        "first_digest_after_s": first,
        "digests_span_s": span,
        "digests_per_s": (len(digests) - 1) / span if span else float("nan"),
        "citizens_messages": citizens,
        "most_sent_in_one_second": most_in_one_second(sends),
        "duplicates": sum(n - 1 for n in delivered.values() if n > 1),
        "never_delivered": subscribers - len(delivered),
        "answered_429": flood.refused,
        "left_unsent": left,
        "violations": len(server.violations),
        "steps": len(latencies),
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p95_ms": _percentile(latencies, 0.95) * 1000 if latencies else float("nan"),
        "max_ms": max(latencies) * 1000 if latencies else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--conversations", type=int, default=3)
    parser.add_argument("--pause", type=float, default=2.0,
                        help="seconds a citizen waits between two steps")
    parser.add_argument("--in-process", action="store_true",
                        help="run the bot in the benchmark's own process and event loop")
    parser.add_argument("--serve-bot", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bot:
        asyncio.run(serve_bot(args.token, args.api_url, args.database_url))
        return
    figures = asyncio.run(bench(args.subscribers, args.conversations, args.pause,
                                args.in_process))
    for name, value in figures.items():
        print(f"{name}: {value:.1f}" if isinstance(value, float) else f"{name}: {value}")
    ok = (figures["seconds"] <= figures["bar_seconds"] and figures["duplicates"] == 0
          and figures["left_unsent"] == 0 and figures["p95_ms"] < 500)
    print("bar met" if ok else "bar NOT met")


if __name__ == "__main__":
    main()
