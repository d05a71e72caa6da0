"""Tremplin replicas in webhook mode, for the load benchmark.

N bot processes (``tremplin run``'s webhook mode: uvicorn, the PTB application, one database),
a round-robin forwarder in front of them (the load balancer), and the fake Bot API pushing every
update to the forwarder as Telegram pushes to the one public URL (``fakeapi.webhooks``). Long
polling cannot do this: Telegram lets one poller at a time take a bot's updates.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fakeapi import FakeBotApi
from fakeapi.webhooks import WebhookDelivery

from benchmarks.forwarder import RoundRobin
from bot.chats.database import open_database
from bot.settings import load_bot_settings
from bot.telegram.application import build_application, serve_webhook

WEBHOOK_URL = "https://bench.invalid/telegram"
SECRET = "bench_Secret-0"


async def serve_replica(token: str, api_url: str, database_url: str, listen: str) -> None:
    """One replica, in its own process, until its standard input closes."""
    settings = load_bot_settings(
        env_file=None,
        telegram_token=token,
        telegram_api_url=api_url.rstrip("/"),
        database_url=database_url,
        webhook_url=WEBHOOK_URL,
        webhook_secret=SECRET,
        listen=listen,
    )
    # Replicas start together: the migrations' lock lets one upgrade, the others wait.
    database = await open_database(database_url)
    stop = asyncio.Event()
    reading = asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    reading.add_done_callback(lambda _: stop.set())
    try:
        application = build_application(settings, database=database, overall_rate=0)
        await serve_webhook(application, settings, stop)
    finally:
        await database.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _healthy(base: str, patience: float = 60) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        async with asyncio.timeout(patience):
            while True:
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)


@asynccontextmanager
async def replicas(server: FakeBotApi, database_url: str, count: int) -> AsyncIterator[list[int]]:
    """``count`` replicas behind a forwarder, the fake server delivering to it; their pids."""
    ports = [_free_port() for _ in range(count)]
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.telegram_load", "--serve-bot", "tremplin-webhook",
            "--token", server.token, "--api-url", server.url, "--database-url", database_url,
            "--listen", f"127.0.0.1:{port}",
            stdin=asyncio.subprocess.PIPE,
        )
        for port in ports
    ]
    backends = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        await asyncio.gather(*(_healthy(backend) for backend in backends))
        async with RoundRobin(backends) as forwarder, WebhookDelivery(
            server, target=f"{forwarder.url}/telegram"
        ):
            yield [process.pid for process in processes]
            share = ", ".join(str(forwarder.counts[backend]) for backend in backends)
            print(f"  updates per replica: {share}")
    finally:
        for process in processes:
            assert process.stdin is not None
            process.stdin.close()
        await asyncio.gather(*(process.wait() for process in processes))
