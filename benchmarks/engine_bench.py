"""One conversation step with the database: ``bot.chats.conversations.process`` timed, p50/p95.

Many citizens walk the whole conversation (greeting, five questions, results, more results, a
free-text search, details, save, /favorites, /profile) against the sample catalogue. Each call
is one transaction: lock and read the chat's state, run the engine (matching included), apply
the effects, write the state, commit. The pure engine step is timed alone for comparison.

    PYTHONPATH=. python benchmarks/engine_bench.py [--chats 50] [--database-url URL]

Target: p95 <= 20 ms per step on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from bot.chats.conversations import process
from bot.chats.database import open_database
from bot.engine.dialogue import Context, step
from bot.engine.inputs import Command, Input, Press, Start, Text
from bot.engine.replies import Reply
from bot.engine.state import Conversation
from catalog.settings import Settings
from catalog.store.snapshot import CatalogSnapshot

TODAY = date(2026, 12, 1)
# One citizen's walk; "@Label" presses the button of the previous replies labelled so.
WALK: list[Input | str] = [
    Start(), "@Me", Text("34"), "@Job seeker", "@Done", "@Digital skills", "@Done",
    "@Anywhere in Clermont-Ferrand", "@More results", Text("cours d'anglais pas cher"),
    "@Details", "@Save", Command("favorites"), Command("profile"), "@Age", Text("40"),
    Command("help"),
]


def _press(replies: list[Reply], label: str) -> Input:
    for reply in replies:
        for button in reply.all_buttons():
            if button.label.removeprefix("✓ ") == label and button.action:
                return Press(button.action)
    raise LookupError(label)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _kind(event: Input) -> str:
    return type(event).__name__ + (f" {event.action.split(':')[0]}" if isinstance(event, Press)
                                   else "")


async def bench(url: str, chats: int) -> dict[str, list[float]]:
    """Milliseconds per ``process()`` call, by kind of input (``all`` for every call)."""
    database = await open_database(url)
    settings = Settings(_env_file=None, database_url=url)
    snapshot = CatalogSnapshot()
    timings: dict[str, list[float]] = defaultdict(list)
    try:
        for chat_id in range(1, chats + 1):
            replies: list[Reply] = []
            for item in WALK:
                event = _press(replies, item[1:]) if isinstance(item, str) else item
                started = time.perf_counter()
                replies = await process(
                    database=database, chat_id=chat_id, user_id=chat_id,
                    language_code="en", event=event, catalog=snapshot, settings=settings,
                    today=TODAY,
                )
                elapsed = (time.perf_counter() - started) * 1000
                if chat_id > 2:  # the first walks warm caches up
                    timings["all"].append(elapsed)
                    timings[_kind(event)].append(elapsed)
        async with database.sessions() as session:
            index = await snapshot.index(session=session)
    finally:
        await database.close()
    pure: list[float] = []
    ctx = Context(index=index, today=TODAY, contact="contact")
    for _ in range(max(chats // 5, 3)):
        state, replies = Conversation(language="en"), []
        for item in WALK:
            event = _press(replies, item[1:]) if isinstance(item, str) else item
            started = time.perf_counter()
            outcome = step(state, event, ctx)
            pure.append((time.perf_counter() - started) * 1000)
            state, replies = outcome.state, list(outcome.replies)
    timings["pure engine (no database)"] = pure
    return timings


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {time.strftime('%Y-%m-%d')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=50, help="citizens walking (default 50)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        timings = asyncio.run(bench(url, args.chats))
    print(_machine())
    print(f"{'input':<28} {'calls':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, values in sorted(timings.items(), key=lambda item: item[0] != "all"):
        print(f"{kind:<28} {len(values):>6} {statistics.median(values):>8.2f} "
              f"{_percentile(values, 0.95):>8.2f} {max(values):>8.2f}")


if __name__ == "__main__":
    main()
