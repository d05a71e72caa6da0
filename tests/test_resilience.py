"""The database going away under a running bot, and stopping the bot, lose no acknowledged update.

* PostgreSQL only: the connections killed in the middle of a step (``pg_terminate_backend``),
  and the server unreachable for a moment (a proxy taken down and brought back, which is what
  a restart looks like from the bot). Each time the step is retried (``bot.chats.retry``) and the
  citizen gets the answer.
* Both databases: polling mode stops gracefully (the webhook's equivalent is in
  ``test_webhook.py``): an update being processed when SIGTERM comes is finished, answered,
  and confirmed to Telegram.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from fakeapi import FakeBotApi
from replica_helpers import take_updates, webhook_replica, webhook_settings
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel.ext.asyncio.session import AsyncSession
from tcp_proxy import TcpProxy
from telegram import Update
from telegram.ext import TypeHandler
from telegram_helpers import bot_settings, has_button, running_bot

from bot.chats.database import Database
from bot.telegram.application import build_application, serve
from bot.telegram.services import TremplinContext
from catalog.i18n import translator
from catalog.matching.index import CatalogIndex
from catalog.store.db import create_engine, session_maker
from catalog.store.snapshot import CatalogSnapshot

CITY = "Clermont-Ferrand"
tr = translator("en").gettext




@pytest.fixture
def postgresql(database_url: str) -> str:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("kills PostgreSQL connections (TREMPLIN_TEST_DATABASE_URL=postgresql+...)")
    return database_url


async def _kill_connections(url: str) -> int:
    """Terminate every other connection to the database, as an operator or a failover does."""
    killer = create_engine(url)
    try:
        async with killer.connect() as connection:
            result = await connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return int(result.scalar_one())
    finally:
        await killer.dispose()


class _KillingSnapshot(CatalogSnapshot):
    """The catalogue index, whose next use kills every connection in the middle of the step:
    after the step's transaction has begun, before it writes anything."""

    def __init__(self, kill: Callable[[], Awaitable[int]]) -> None:
        super().__init__()
        self.kill = kill
        self.killed = 0

    async def index(self, *, session: AsyncSession) -> CatalogIndex:
        if not self.killed:
            await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
            self.killed = await self.kill()
        return await super().index(session=session)


# ---- PostgreSQL: connections killed, server unreachable


@pytest.mark.asyncio
async def test_connections_killed_mid_step_in_webhook_mode(
    server: FakeBotApi, database: Database, postgresql: str, caplog: pytest.LogCaptureFixture
) -> None:
    user = server.user(3001, "Ada", language_code="en")
    async with webhook_replica(webhook_settings(server, postgresql), database) as replica:
        sabotage = _KillingSnapshot(lambda: _kill_connections(postgresql))
        replica.application.bot_data.catalog = sabotage
        await user.send_text("/start")
        [update] = take_updates(server)
        response = await replica.post(update)
        # Acknowledged, and the answer is there: the step ran again on a new connection.
        assert response.status_code == 200
        assert sabotage.killed >= 1
        assert CITY in (user.messages[0].text or "")
        assert "event=database_lost" in caplog.text
        # The step was saved: the conversation goes on from there.
        await user.press(tr("Me"))
        [update] = take_updates(server)
        assert (await replica.post(update)).status_code == 200
        assert user.messages[-1].has_button(tr("26 to 44"))


@pytest.mark.asyncio
async def test_connections_killed_mid_step_in_polling_mode(
    server: FakeBotApi, database: Database, postgresql: str, caplog: pytest.LogCaptureFixture
) -> None:
    user = server.user(3002, "Ben", language_code="en")
    async with running_bot(bot_settings(server, postgresql), database) as application:
        sabotage = _KillingSnapshot(lambda: _kill_connections(postgresql))
        application.bot_data.catalog = sabotage
        await user.send_text("/start")
        await user.wait_for(has_button(tr("Me")), timeout=15)
        assert sabotage.killed >= 1
        # Idle connections killed between two steps: the next step fails on its dead pooled
        # connection, the pool is invalidated, and the step is retried on a fresh one.
        await _kill_connections(postgresql)
        await user.press(tr("Me"))
        await user.wait_for(has_button(tr("26 to 44")), timeout=15)
    assert "event=database_lost" in caplog.text


@pytest.mark.asyncio
async def test_a_database_unreachable_for_a_moment_delays_the_answer_only(
    server: FakeBotApi, database: Database, postgresql: str
) -> None:
    url = make_url(postgresql)
    async with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
        engine = create_engine(through)
        try:
            replica_database = Database(engine, session_maker(engine))
            async with webhook_replica(webhook_settings(server, through), replica_database) as (
                replica
            ):
                user = server.user(3003, "Cy", language_code="en")
                await user.send_text("/start")
                [update] = take_updates(server)
                assert (await replica.post(update)).status_code == 200

                await proxy.down()  # every connection reset, new ones refused
                await user.press(tr("Me"))
                [update] = take_updates(server)
                posting = asyncio.create_task(replica.post(update))
                await asyncio.sleep(1.2)
                assert not posting.done(), "answered while the database was unreachable"
                await proxy.up()
                response = await asyncio.wait_for(posting, 15)
                assert response.status_code == 200
                assert user.messages[-1].has_button(tr("26 to 44"))
        finally:
            await engine.dispose()


# ---- both databases: graceful shutdown in polling mode


def _hold_send_message(server: FakeBotApi) -> tuple[asyncio.Event, asyncio.Event]:
    """Make the fake server hold every sendMessage until released: an update in flight."""
    entered, release = asyncio.Event(), asyncio.Event()
    original = server.methods.handlers["sendMessage"]

    async def held(params: dict[str, Any]) -> Any:
        entered.set()
        await release.wait()
        return await original(params)

    server.set_handler("sendMessage", held)
    return entered, release


@pytest.mark.asyncio
async def test_polling_stops_after_the_update_in_flight(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    application = build_application(bot_settings(server, database_url), database=database)
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow(update: Update, context: TremplinContext) -> None:
        entered.set()
        await release.wait()

    application.add_handler(TypeHandler(Update, slow), group=-10)
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(application, stop))
    user = server.user(3004, "Dee", language_code="en")
    await user.send_text("/start")
    await asyncio.wait_for(entered.wait(), 15)
    stop.set()  # what SIGTERM does in `tremplin run`
    await asyncio.sleep(0.3)
    assert not serving.done(), "shutdown did not wait for the update in flight"
    release.set()
    await asyncio.wait_for(serving, 15)
    assert CITY in (user.messages[0].text or "")
    assert server.updates.pending == [], "the processed update was not confirmed to Telegram"


@pytest.mark.asyncio
async def test_tremplin_run_in_polling_mode_finishes_the_update_in_flight_on_sigterm(
    server: FakeBotApi, database: Database, database_url: str, tmp_path: Path
) -> None:
    entered, release = _hold_send_message(server)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TREMPLIN_")},
        "PTB_TIMEDELTA": "1",
        "TREMPLIN_TELEGRAM_TOKEN": server.token,
        "TREMPLIN_TELEGRAM_API_URL": server.url,
        "TREMPLIN_DATABASE_URL": database_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli.main", "run",
        cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE,
    )
    try:
        user = server.user(3005, "Eli", language_code="en")
        await user.send_text("/start")
        await asyncio.wait_for(entered.wait(), 60)  # the bot is replying
        process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
        assert process.returncode is None, "the bot exited with a reply half sent"
        release.set()
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "event=started mode=polling" in log and "event=stopped" in log
    assert CITY in (user.messages[0].text or "")
    assert server.updates.pending == [], "the processed update was not confirmed to Telegram"

