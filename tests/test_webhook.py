"""Webhook mode: the Starlette app in process, then the real server (uvicorn, ``tremplin run``).

The bot's Bot API is the fake server of ``tests/fakeapi``; the tests play Telegram's part by
posting the updates the simulated users produce to the webhook, as Telegram would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fakeapi import FakeBotApi
from pydantic import SecretStr, ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.ext import TypeHandler

from bot.chats.database import Database
from bot.settings import BotSettings
from bot.telegram.application import TremplinApplication, build_application, running, serve_webhook
from bot.telegram.metrics import Metrics
from bot.telegram.services import TremplinContext
from bot.telegram.webhook import (
    SECRET_HEADER,
    CannotListen,
    bind,
    create_app,
    webhook_config,
)
from catalog.store.db import create_engine, session_maker

URL = "https://bot.example.org/telegram"
SECRET = "s3cret_Token-42"
ALICE = 1001
CITY = "Clermont-Ferrand"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _settings(server: FakeBotApi, database_url: str, **changes: object) -> BotSettings:
    values: dict[str, object] = {
        "telegram_token": SecretStr(server.token),
        "telegram_api_url": server.url,
        "database_url": database_url,
        "webhook_url": URL,
        "webhook_secret": SecretStr(SECRET),
        "listen": "127.0.0.1:8080",
        **changes,
    }
    return BotSettings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns on every RetryAfter it builds unless this is set (warnings are errors).
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
def settings(server: FakeBotApi, database_url: str) -> BotSettings:
    return _settings(server, database_url)


@pytest_asyncio.fixture
async def application(
    settings: BotSettings, engine: AsyncEngine
) -> AsyncIterator[TremplinApplication]:
    """The real application, initialized and started, on a fresh schema; no updater."""
    database = Database(engine=engine, sessions=session_maker(engine))
    app = build_application(settings, database=database)
    async with running(app):
        yield app


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest_asyncio.fixture
async def http(
    application: TremplinApplication, settings: BotSettings, metrics: Metrics
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the webhook app, in process (no socket)."""
    app = create_app(application, webhook_config(settings), metrics)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot.internal") as client:
        yield client


def _sample(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


async def deliver(
    http: httpx.AsyncClient, server: FakeBotApi, secret: str | None = SECRET
) -> list[httpx.Response]:
    """Play Telegram: post each pending update to the webhook, then forget it."""
    updates = server.updates.pending
    server.updates.drop_pending()
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return [await http.post("/telegram", json=update, headers=headers) for update in updates]


# ---- the webhook route


@pytest.mark.asyncio
async def test_an_update_is_processed_before_it_is_acknowledged(
    http: httpx.AsyncClient, server: FakeBotApi
) -> None:
    alice = server.user(user_id=ALICE, first_name="Alice", language_code="fr")
    await alice.send_text("/start")
    [response] = await deliver(http, server)
    assert response.status_code == 200
    # No waiting: by the time Telegram gets its 200, the greeting has been sent.
    assert alice.messages, "the bot answered 200 before sending anything"
    assert CITY in (alice.messages[0].text or "")
    assert server.violations == []


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "secret",
    [None, "", "wrong", SECRET.lower(), SECRET[:-1], SECRET + "x", "é" + SECRET],
    ids=["missing", "empty", "wrong", "case", "prefix", "longer", "non-ascii"],
)
async def test_a_bad_secret_is_forbidden_and_nothing_is_processed(
    http: httpx.AsyncClient, server: FakeBotApi, metrics: Metrics, secret: str | None
) -> None:
    alice = server.user(user_id=ALICE, first_name="Alice", language_code="fr")
    await alice.send_text("/start")
    if secret is not None and not secret.isascii():
        headers = {SECRET_HEADER.encode(): secret.encode()}  # raw UTF-8 bytes
        response = await http.post("/telegram", json=server.updates.pending[0], headers=headers)
    else:
        [response] = await deliver(http, server, secret=secret)
    assert response.status_code == 403
    await alice.expect_no_reply(within=0.2)
    assert server.calls("sendMessage") == []
    assert _sample(metrics, "tremplin_webhook_rejected_total", reason="secret") == 1


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'"update"',
        b'{"message": {"text": "/start"}}',
        b'{"update_id": "1"}',
        b'{"update_id": 1, "message": {"text": "/start"}}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"update_id": 1, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
    ids=[
        "empty", "text", "not-utf8", "list", "string", "no-id", "id-not-int", "no-chat",
        "deep", "deep-in-update",
    ],
)
async def test_a_body_that_is_not_an_update_is_a_bad_request(
    http: httpx.AsyncClient, server: FakeBotApi, metrics: Metrics, body: bytes
) -> None:
    response = await http.post("/telegram", content=body, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 400
    assert server.calls("sendMessage") == []
    assert _sample(metrics, "tremplin_webhook_rejected_total", reason="payload") == 1
    assert _sample(metrics, "tremplin_updates_total") == 0


@pytest.mark.asyncio
async def test_only_post_is_allowed_on_the_webhook_path(http: httpx.AsyncClient) -> None:
    assert (await http.get("/telegram")).status_code == 405
    assert (await http.post("/elsewhere", headers={SECRET_HEADER: SECRET})).status_code == 404


@pytest.mark.asyncio
async def test_a_handler_error_is_counted_and_the_update_acknowledged(
    http: httpx.AsyncClient,
    application: TremplinApplication,
    server: FakeBotApi,
    metrics: Metrics,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def explode(update: Update, context: TremplinContext) -> None:
        raise RuntimeError("boom")

    application.add_handler(TypeHandler(Update, explode), group=-10)
    alice = server.user(user_id=ALICE, first_name="Alice", language_code="fr")
    await alice.send_text("/start")
    [response] = await deliver(http, server)
    # Acknowledged all the same: answering 500 would make Telegram send it again and again.
    assert response.status_code == 200
    text = (await http.get("/metrics")).text
    assert 'tremplin_update_errors_total{error="RuntimeError"} 1.0' in text
    assert "event=update_failed" in caplog.text


# ---- health and metrics


@pytest.mark.asyncio
async def test_healthz_is_ok_when_the_database_answers(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def _join_sqlite_threads() -> None:
    # After a failed connect, aiosqlite stops its worker thread without awaiting it; if the
    # test's event loop closed first, the thread would fail to post its last result.
    for thread in threading.enumerate():
        if "_connection_worker_thread" in thread.name:
            thread.join(timeout=5)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite:////nonexistent-directory/tremplin.db",
        "postgresql+asyncpg://postgres@127.0.0.1:1/test",  # nothing listens on port 1
    ],
    ids=["sqlite", "postgresql"],
)
async def test_healthz_is_503_when_the_database_is_unreachable(
    server: FakeBotApi, database_url: str, url: str
) -> None:
    settings = _settings(server, database_url)
    engine = create_engine(url)
    app = build_application(settings, database=Database(engine, session_maker(engine)))
    async with running(app):
        web = create_app(app, webhook_config(settings), Metrics())
        transport = httpx.ASGITransport(app=web)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot.internal") as client:
            response = await client.get("/healthz")
    await engine.dispose()
    _join_sqlite_threads()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


@pytest.mark.asyncio
async def test_metrics_count_updates_rejections_and_latency(
    http: httpx.AsyncClient, server: FakeBotApi
) -> None:
    alice = server.user(user_id=ALICE, first_name="Alice", language_code="fr")
    await alice.send_text("/start")
    await deliver(http, server)
    await alice.send_text("/help")
    await deliver(http, server, secret="forged")
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "tremplin_updates_total 1.0" in text
    assert 'tremplin_webhook_rejected_total{reason="secret"} 1.0' in text
    assert 'tremplin_webhook_rejected_total{reason="payload"} 0.0' in text
    assert "tremplin_update_duration_seconds_count 1.0" in text
    assert "tremplin_update_errors_total" in text.replace("# HELP ", "").replace("# TYPE ", "")
    # Its own registry: nothing of the process-wide default one (python_gc_..., process_...).
    assert "python_gc" not in text


# ---- settings of webhook mode


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://x.org/telegram", "/telegram"),
        ("https://x.org", "/"),
        ("https://x.org:8443/a/b-c_d.e", "/a/b-c_d.e"),
        ("https://x.org/hook?ignored=1", "/hook"),
    ],
)
def test_the_route_is_the_path_of_the_public_url(url: str, path: str) -> None:
    settings = BotSettings(_env_file=None, webhook_url=url, webhook_secret=SecretStr(SECRET))
    assert webhook_config(settings).path == path


def test_listen_accepts_ipv6_addresses() -> None:
    settings = BotSettings(
        _env_file=None, webhook_url=URL, webhook_secret=SecretStr(SECRET), listen="[::]:8443"
    )
    config = webhook_config(settings)
    assert (config.host, config.port) == ("::", 8443)
    assert SECRET not in repr(config)


def test_a_port_in_use_names_tremplin_listen() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        settings = BotSettings(
            _env_file=None,
            webhook_url=URL,
            webhook_secret=SecretStr(SECRET),
            listen=f"127.0.0.1:{port}",
        )
        with pytest.raises(CannotListen, match="TREMPLIN_LISTEN"):
            bind(webhook_config(settings))


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """A clean ``TREMPLIN_*`` environment in a directory with no ``.env``."""
    for name in list(os.environ):
        if name.startswith("TREMPLIN_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TREMPLIN_TELEGRAM_TOKEN", "123456789:AAFakeTokenNeverUsedByThisTest000000")
    monkeypatch.setenv("TREMPLIN_WEBHOOK_URL", URL)
    yield


@pytest.mark.usefixtures("cli_env")
def test_tremplin_run_refuses_webhook_mode_without_a_secret(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli.main import main

    assert main(["run"]) == 2
    assert "TREMPLIN_WEBHOOK_SECRET" in capsys.readouterr().err


# ---- the real server: uvicorn on a loopback port


async def _wait_healthy(base: str, patience: float = 20.0) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        deadline = asyncio.get_running_loop().time() + patience
        while True:
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{base}/healthz never answered 200")
            await asyncio.sleep(0.05)


@contextlib.contextmanager
def _graceful_wait() -> Iterator[asyncio.Event]:
    """An event set when uvicorn's graceful shutdown starts waiting for open connections."""
    waiting = asyncio.Event()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith("Waiting for connections to close"):
                waiting.set()

    logger, watch = logging.getLogger("uvicorn.error"), Watch()
    level = logger.level
    logger.setLevel(logging.INFO)  # uvicorn says so at INFO
    logger.addHandler(watch)
    try:
        yield waiting
    finally:
        logger.removeHandler(watch)
        logger.setLevel(level)


@pytest.mark.asyncio
async def test_serve_webhook_registers_the_webhook_and_stops_gracefully(
    server: FakeBotApi, database_url: str, engine: AsyncEngine
) -> None:
    port = _free_port()
    settings = _settings(server, database_url, listen=f"127.0.0.1:{port}")
    app = build_application(settings, database=Database(engine, session_maker(engine)))
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow(update: Update, context: TremplinContext) -> None:
        entered.set()
        await release.wait()

    app.add_handler(TypeHandler(Update, slow), group=-10)
    stop = asyncio.Event()
    serving = asyncio.create_task(serve_webhook(app, settings, stop))
    base = f"http://127.0.0.1:{port}"
    await _wait_healthy(base)

    [call] = server.calls("setWebhook")
    assert call.params["url"] == URL
    assert call.params["secret_token"] == SECRET
    assert set(json.loads(call.params["allowed_updates"])) == set(Update.ALL_TYPES)

    alice = server.user(user_id=ALICE, first_name="Alice", language_code="fr")
    await alice.send_text("/start")
    [update] = server.updates.pending
    async with httpx.AsyncClient(base_url=base) as client:
        posting = asyncio.create_task(
            client.post("/telegram", json=update, headers={SECRET_HEADER: SECRET})
        )
        await asyncio.wait_for(entered.wait(), 10)
        with _graceful_wait() as waiting:
            stop.set()  # what SIGTERM does in `tremplin run`
            # uvicorn has stopped accepting and now waits for the request in flight.
            await asyncio.wait_for(waiting.wait(), 10)
        assert not posting.done() and not serving.done(), "shutdown did not wait"
        release.set()
        response = await asyncio.wait_for(posting, 10)
    await asyncio.wait_for(serving, 10)
    assert response.status_code == 200
    assert CITY in (alice.messages[0].text or "")
    assert not app.running
    assert server.violations == []


@pytest.mark.asyncio
async def test_tremplin_run_in_webhook_mode_ends_cleanly_on_sigterm(
    server: FakeBotApi, database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TREMPLIN_")},
        "PTB_TIMEDELTA": "1",
        "TREMPLIN_TELEGRAM_TOKEN": server.token,
        "TREMPLIN_TELEGRAM_API_URL": server.url,
        "TREMPLIN_DATABASE_URL": database_url,
        "TREMPLIN_WEBHOOK_URL": URL,
        "TREMPLIN_WEBHOOK_SECRET": SECRET,
        "TREMPLIN_LISTEN": f"127.0.0.1:{port}",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli.main", "run",
        cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await _wait_healthy(f"http://127.0.0.1:{port}", patience=60)
        alice = server.user(user_id=ALICE, first_name="Alice", language_code="fr")
        await alice.send_text("/start")
        [update] = server.updates.pending
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            response = await client.post(
                "/telegram", json=update, headers={SECRET_HEADER: SECRET}, timeout=30
            )
        assert response.status_code == 200
        assert CITY in (alice.messages[0].text or "")
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "event=started mode=webhook" in log
    assert "event=stopped" in log
    assert server.token not in log
    assert SECRET not in log


# ---- the real server against hostile clients (issue 14): slow headers, big bodies


@contextlib.asynccontextmanager
async def _serving(
    server: FakeBotApi, database_url: str, engine: AsyncEngine, **changes: object
) -> AsyncIterator[int]:
    """``serve_webhook`` on a free loopback port with ``changes`` to the settings; the port."""
    port = _free_port()
    settings = _settings(server, database_url, listen=f"127.0.0.1:{port}", **changes)
    app = build_application(settings, database=Database(engine, session_maker(engine)))
    stop = asyncio.Event()
    serving = asyncio.create_task(serve_webhook(app, settings, stop))
    try:
        await _wait_healthy(f"http://127.0.0.1:{port}")
        yield port
    finally:
        stop.set()
        await asyncio.wait_for(serving, 30)


async def _closed_by_server(reader: asyncio.StreamReader, patience: float = 20.0) -> bytes:
    """Everything the server sends until it closes the connection (the test fails after
    ``patience`` seconds: a server without a header deadline never closes it)."""
    return await asyncio.wait_for(reader.read(), patience)


@pytest.mark.asyncio
async def test_unfinished_headers_end_the_connection_and_healthz_still_answers(
    server: FakeBotApi, database_url: str, engine: AsyncEngine
) -> None:
    async with _serving(server, database_url, engine, webhook_header_timeout=0.5) as port:
        slow = [await asyncio.open_connection("127.0.0.1", port) for _ in range(220)]
        for _, writer in slow:
            writer.write(b"POST /telegram HTTP/1.1\r\nHost: bot\r\nX-Slow: ")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get("/healthz", timeout=10)).status_code == 200
        answers = await asyncio.gather(*(_closed_by_server(reader) for reader, _ in slow))
        assert answers == [b""] * 220  # closed, not answered
        # A kept-alive connection gets the same deadline for its next request's headers.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\nGET /healthz HTTP/1.1\r\nHo")
        assert (await _closed_by_server(reader)).count(b"HTTP/1.1 200") == 1
        writer.close()
        for _, slow_writer in slow:
            slow_writer.close()


@pytest.mark.asyncio
async def test_connections_over_the_limit_are_answered_503(
    server: FakeBotApi, database_url: str, engine: AsyncEngine
) -> None:
    async with _serving(
        server, database_url, engine, webhook_max_connections=3, webhook_header_timeout=30
    ) as port:
        held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(3)]
        for _, writer in held:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: bot\r\n")  # headers never finished
        await asyncio.sleep(0.2)  # let the server see them
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get("/healthz", timeout=10)).status_code == 503
            for _, writer in held:
                writer.close()
            await _wait_healthy(f"http://127.0.0.1:{port}")


async def _raw_post(port: int, head: bytes, body: bytes = b"") -> bytes:
    """Send a request's head (and maybe part of its body); the status line of the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head + body)
    try:
        return await asyncio.wait_for(reader.readline(), 20)
    finally:
        writer.close()


@pytest.mark.asyncio
async def test_bodies_over_a_mebibyte_are_refused_unread(
    server: FakeBotApi, database_url: str, engine: AsyncEngine
) -> None:
    async with _serving(server, database_url, engine) as port:
        # 4 MiB announced, nothing sent: the answer comes at once, without reading the body.
        head = (
            f"POST /telegram HTTP/1.1\r\nHost: bot\r\n{SECRET_HEADER}: {SECRET}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {4 * 2**20}\r\n\r\n"
        ).encode()
        assert (await _raw_post(port, head)).startswith(b"HTTP/1.1 413")
        # Chunked, so no length announced: reading stops past 1 MiB.
        chunked = (
            f"POST /telegram HTTP/1.1\r\nHost: bot\r\n{SECRET_HEADER}: {SECRET}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        ).encode()
        chunk = b"%x\r\n%s\r\n" % (2**16, b" " * 2**16)
        assert (await _raw_post(port, chunked, chunk * 17)).startswith(b"HTTP/1.1 413")
        # Without the secret, nothing about the body matters: 403.
        assert (await _raw_post(port, head.replace(SECRET.encode(), b"x"))).startswith(
            b"HTTP/1.1 403"
        )
    assert server.calls("sendMessage") == []


@pytest.mark.asyncio
async def test_a_body_sent_too_slowly_is_refused(
    server: FakeBotApi, database_url: str, engine: AsyncEngine
) -> None:
    head = (
        f"POST /telegram HTTP/1.1\r\nHost: bot\r\n{SECRET_HEADER}: {SECRET}\r\n"
        "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    ).encode()
    async with _serving(server, database_url, engine, webhook_header_timeout=0.5) as port:
        assert (await _raw_post(port, head, b"{")).startswith(b"HTTP/1.1 408")
    assert server.calls("sendMessage") == []


def test_the_guards_have_safe_defaults_and_refuse_bad_values(
    server: FakeBotApi, database_url: str
) -> None:
    config = webhook_config(_settings(server, database_url))
    assert 0 < config.header_timeout <= 40  # unfinished headers closed within 40 s
    assert config.max_connections == 256 and config.keep_alive == 15
    for name, value in (
        ("webhook_header_timeout", 0),
        ("webhook_header_timeout", 41),
        ("webhook_max_connections", 0),
        ("webhook_keep_alive", 0),
    ):
        with pytest.raises(ValidationError, match=name):
            _settings(server, database_url, **{name: value})
