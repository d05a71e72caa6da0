"""Load benchmark: simulated users through the fake Bot API server, Tremplin beside an echo bot.

Both bots run the real python-telegram-bot Application with long polling over HTTP on loopback,
in the same harness and the same run, so the ratio between them is what matters. Telegram's
overall 30 messages/s limit is switched off for both (it would measure the limit, not the bot).

    python -m benchmarks.telegram_load [--users 50] [--rounds 5] [--database-url URL]
                                       [--replicas 1 2]

``TREMPLIN_BENCH_PROFILE=/tmp/prof`` writes a cProfile of each bot process (its event loop
thread) to ``/tmp/prof.<pid>``.

``--replicas N...`` then runs Tremplin again in webhook mode, once per count: N bot processes
on the one database behind a round-robin forwarder, the fake Bot API pushing the updates
(``benchmarks/replicas.py``).

Run from the repository root; it needs the test extra (aiohttp) and imports tests/fakeapi.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fakeapi import BotMessage, FakeBotApi, SimUser
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackContext,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from benchmarks.replicas import replicas, serve_replica
from bot.chats.database import open_database
from bot.settings import load_bot_settings
from bot.telegram.application import CONCURRENT_UPDATES, build_application, polling
from bot.telegram.transport import AiohttpRequest

Step = Callable[[SimUser], Awaitable[None]]


class Recorder:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.by_user: dict[int, list[float]] = {}  # each user's latencies, step after step
        self.updates = 0

    async def step(
        self, user: SimUser, action: Step, done: Callable[[BotMessage], bool], patience: float = 30
    ) -> None:
        started = time.perf_counter()
        await action(user)
        await user.wait_for(done, timeout=patience)
        latency = time.perf_counter() - started
        self.latencies.append(latency)
        self.by_user.setdefault(user.id, []).append(latency)
        self.updates += 1


def _has(label: str) -> Callable[[BotMessage], bool]:
    return lambda message: message.has_button(label)


async def tremplin_user(user: SimUser, recorder: Recorder) -> None:
    """One conversation in English, /start to results: 8 updates."""
    async def press(label: str) -> Step:
        async def act(u: SimUser) -> None:
            await u.press(label)
        return act

    async def text(value: str) -> Step:
        async def act(u: SimUser) -> None:
            await u.send_text(value)
        return act

    await recorder.step(user, await text("/start"), _has("Me"))
    await recorder.step(user, await press("Me"), _has("26 to 44"))
    await recorder.step(user, await press("26 to 44"), _has("Job seeker"))
    await recorder.step(user, await press("Job seeker"), _has("✓ Job seeker"))
    await recorder.step(user, await press("Done"), _has("Digital skills"))
    await recorder.step(user, await press("Digital skills"), _has("✓ Digital skills"))
    await recorder.step(user, await press("Done"), _has("Online only"))
    await recorder.step(user, await press("Online only"), _has("Start over"))


async def echo_user(user: SimUser, recorder: Recorder) -> None:
    """Eight messages, each echoed back: the same number of updates as a conversation."""
    for number in range(8):
        expected = f"message {number}"

        async def act(u: SimUser, value: str = expected) -> None:
            await u.send_text(value)

        def echoed(m: BotMessage, value: str = expected) -> bool:
            return m.text == value

        await recorder.step(user, act, echoed)


def echo_application_for(
    token: str, root: str, transport: str = "httpx"
) -> Application:
    async def echo(update: Update, context: CallbackContext) -> None:
        assert update.effective_message is not None and update.effective_chat is not None
        text = update.effective_message.text or ""
        await context.bot.send_message(update.effective_chat.id, text)

    async def answer(update: Update, _: CallbackContext) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()

    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .concurrent_updates(CONCURRENT_UPDATES)
    )
    if transport == "aiohttp":  # the reference of --echo-aiohttp: Tremplin's transport
        builder = builder.request(
            AiohttpRequest(connection_pool_size=CONCURRENT_UPDATES + 8)
        ).get_updates_request(AiohttpRequest(connection_pool_size=1))
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(answer))
    return application


async def serve_bot(kind: str, token: str, api_url: str, database_url: str) -> None:
    """The bot side, in its own process (as in production: Telegram is not in our process)."""
    root = api_url.rstrip("/")
    if kind.startswith("echo"):
        application = echo_application_for(
            token, root, "aiohttp" if kind == "echo-aiohttp" else "httpx")
        async with polling(application, poll_timeout=1):
            await _until_stdin_closes()
        return
    settings = load_bot_settings(
        env_file=None, telegram_token=token, telegram_api_url=root, database_url=database_url
    )
    database = await open_database(database_url)
    try:
        application = build_application(settings, database=database, overall_rate=0)
        async with polling(application, poll_timeout=1):
            await _until_stdin_closes()
    finally:
        await database.close()


async def _until_stdin_closes() -> None:
    print("ready", flush=True)
    profile = os.environ.get("TREMPLIN_BENCH_PROFILE")
    if not profile:
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    profiler.disable()
    profiler.dump_stats(f"{profile}.{os.getpid()}")


@asynccontextmanager
async def polling_bot(kind: str, server: FakeBotApi, database_url: str) -> AsyncIterator[list[int]]:
    """One bot process, long polling the fake server."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.telegram_load", "--serve-bot", kind,
        "--token", server.token, "--api-url", server.url, "--database-url", database_url,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None and process.stdin is not None
    await process.stdout.readline()  # "ready"
    try:
        yield [process.pid]
    finally:
        process.stdin.close()
        await process.wait()


def _cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) the processes used so far; 0 where /proc is not there."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


async def measure(
    kind: str, server: FakeBotApi, bots: AbstractAsyncContextManager[list[int]], users: int,
    offset: int, script: Callable[[SimUser, Recorder], Awaitable[None]], rounds: int = 1,
) -> dict[str, float]:
    recorder = Recorder()

    async def walks(seat: int) -> None:
        # A new citizen per round: one person walking the conversation again and again, with
        # no time to read, would (rightly) hit the per-user flood limit.
        for round_ in range(rounds):
            person = server.user(offset + round_ * users + seat, f"User{seat}",
                                 language_code="en")
            await script(person, recorder)

    async with bots as pids:
        # Warm-up (first catalogue load, command registration) is not measured.
        warm = server.user(offset + 9_999_999, "Warm", language_code="en")
        await script(warm, Recorder())
        cpu = _cpu_seconds(pids)
        started = time.perf_counter()
        await asyncio.gather(*(walks(seat) for seat in range(users)))
        elapsed = time.perf_counter() - started
        # The bots' own CPU per update: what the other jobs of a shared machine do not inflate.
        cpu = _cpu_seconds(pids) - cpu
    latencies = sorted(recorder.latencies)
    if "-v" in sys.argv:
        steps = list(zip(*recorder.by_user.values(), strict=False))
        for number, values in enumerate(steps):
            print(f"  step {number}: p50 {statistics.median(values) * 1000:.0f} ms "
                  f"max {max(values) * 1000:.0f} ms")
    result = {
        "updates_per_s": recorder.updates / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
        "updates": recorder.updates,
        "cpu_ms_per_update": cpu * 1000 / recorder.updates,
    }
    print(
        f"{kind:<20} {users:>5} users  {result['updates']:>6.0f} updates  "
        f"{result['updates_per_s']:>8.1f} updates/s  p50 {result['p50_ms']:>7.1f} ms  "
        f"p95 {result['p95_ms']:>7.1f} ms  bot CPU {result['cpu_ms_per_update']:>5.1f} ms/update"
    )
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5,
                        help="conversations per simulated seat, one after the other (default 5)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("-v", action="store_true", help="latency per step")
    parser.add_argument(
        "--echo-aiohttp", action="store_true",
        help="also the echo bot on Tremplin's aiohttp transport (bot.telegram.transport), "
             "for reference",
    )
    parser.add_argument(
        "--replicas", type=int, nargs="+", default=[], metavar="N",
        help="then Tremplin in webhook mode with N replicas, for each N given",
    )
    parser.add_argument(
        "--serve-bot", choices=["echo", "echo-aiohttp", "tremplin", "tremplin-webhook"],
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--listen", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bot == "tremplin-webhook":
        await serve_replica(args.token, args.api_url, args.database_url, args.listen)
        return
    if args.serve_bot:
        await serve_bot(args.serve_bot, args.token, args.api_url, args.database_url)
        return
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/load.db"
        async with FakeBotApi() as server:
            echo = await measure(
                "echo", server, polling_bot("echo", server, url), args.users, 10_000_000, echo_user,
                args.rounds,
            )
            tremplin = await measure(
                "tremplin", server, polling_bot("tremplin", server, url), args.users, 20_000_000,
                tremplin_user, args.rounds,
            )
            ratio = tremplin["updates_per_s"] / echo["updates_per_s"]
            print(f"ratio: Tremplin reaches {ratio:.0%} of the echo bot's throughput")
            if args.echo_aiohttp:
                reference = await measure(
                    "echo (aiohttp)", server, polling_bot("echo-aiohttp", server, url),
                    args.users, 90_000_000, echo_user, args.rounds,
                )
                ratio = tremplin["updates_per_s"] / reference["updates_per_s"]
                print(f"ratio: Tremplin reaches {ratio:.0%} of the echo bot on the same transport")
            # Webhook mode last: once a webhook is set, Telegram refuses long polling.
            for number, count in enumerate(args.replicas):
                await measure(
                    f"tremplin webhook x{count}", server, replicas(server, url, count),
                    args.users, 30_000_000 + number * 10_000_000, tremplin_user, args.rounds,
                )
            if server.violations:
                print(f"violations: {server.violations[:3]}", file=sys.stderr)
                raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())
