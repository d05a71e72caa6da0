"""Webhook mode: Telegram POSTs each update to a small Starlette app served by uvicorn.

Routes, on ``TREMPLIN_LISTEN``:

* ``POST <path of TREMPLIN_WEBHOOK_URL>``: one update. The secret header is checked in
  constant time (403), a body over 1 MiB is refused unread (413) and one sent too slowly too
  (408), the body must be a Telegram update (400, deep JSON included), and the answer (200) comes
  only once the update has been processed: an update Telegram sees acknowledged is never lost,
  and one that is not acknowledged (crash, shutdown timeout) is sent again by Telegram.
* ``GET /healthz``: 200 when the database answers ``SELECT 1``, 503 otherwise.
* ``GET /metrics``: Prometheus text (see :mod:`bot.telegram.metrics`).

uvicorn runs with the limits of ``TREMPLIN_WEBHOOK_*`` (connections, keep-alive, a deadline on
request headers: :mod:`bot.telegram.slow_clients`), so that slow or numerous clients cannot
keep Telegram and ``/healthz`` out.

:func:`bot.telegram.application.serve_webhook` puts the pieces together: the PTB application
running, ``setWebhook``, then :func:`serve_http` until SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import uvicorn
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Bot, Update

from bot.settings import HEALTH_PATH, METRICS_PATH, BotSettings
from bot.telegram.metrics import CONTENT_TYPE, Metrics
from bot.telegram.slow_clients import headers_within

if TYPE_CHECKING:
    from bot.telegram.application import TremplinApplication
    from bot.telegram.services import TremplinContext

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# A database that does not answer within this time is as good as down for a health check.
HEALTH_TIMEOUT_SECONDS = 5.0
# After SIGTERM, requests in flight get this long to finish; Compose's stop_grace_period (30 s)
# leaves room for the application's own shutdown after it.
GRACEFUL_SHUTDOWN_SECONDS = 20
# An update is a few kilobytes; Telegram's largest are far below this. A bigger body is refused
# (413) before it is read, so nobody can make the process hold hundreds of megabytes.
MAX_BODY_BYTES = 2**20


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    """The webhook settings, checked: public URL, local route, secret, address to listen on."""

    url: str
    path: str
    secret: str = field(repr=False)
    host: str
    port: int
    max_connections: int = 256
    keep_alive: int = 15
    header_timeout: float = 10.0


def webhook_config(settings: BotSettings) -> WebhookConfig:
    """The webhook settings of webhook mode (``BotSettings`` has checked every value)."""
    if not settings.webhook_url or settings.webhook_secret is None:
        raise ValueError("webhook mode needs TREMPLIN_WEBHOOK_URL and TREMPLIN_WEBHOOK_SECRET")
    host, _, port = settings.listen.rpartition(":")
    return WebhookConfig(
        url=settings.webhook_url,
        path=urlsplit(settings.webhook_url).path or "/",
        secret=settings.webhook_secret.get_secret_value(),
        host=host.strip("[]"),
        port=int(port),
        max_connections=settings.webhook_max_connections,
        keep_alive=settings.webhook_keep_alive,
        header_timeout=settings.webhook_header_timeout,
    )


def create_app(
    application: TremplinApplication, config: WebhookConfig, metrics: Metrics
) -> Starlette:
    """The ASGI app of webhook mode, for an initialized and started PTB ``application``."""
    secret = config.secret.encode("ascii")

    async def receive_update(request: Request) -> Response:
        """One update from Telegram, answered once processed."""
        # Starlette decodes headers as latin-1, so this gives back the bytes that were sent.
        given = request.headers.get(SECRET_HEADER, "").encode("latin-1")
        if not hmac.compare_digest(given, secret):
            metrics.rejected.labels(reason="secret").inc()
            logger.warning("event=webhook_forbidden client=%s", _client(request))
            return PlainTextResponse("Forbidden", status_code=403)
        try:
            async with asyncio.timeout(config.header_timeout):  # a body sent slowly, too
                body = await _body(request)
        except TimeoutError:
            logger.warning("event=webhook_slow_body client=%s", _client(request))
            return PlainTextResponse("Request Timeout", status_code=408)
        if body is None:
            metrics.rejected.labels(reason="size").inc()
            logger.warning("event=webhook_too_large client=%s", _client(request))
            return PlainTextResponse("Payload Too Large", status_code=413)
        update = _parse_update(body, application.bot)
        if update is None:
            metrics.rejected.labels(reason="payload").inc()
            logger.warning("event=webhook_bad_update client=%s", _client(request))
            return PlainTextResponse("Bad Request: not a Telegram update", status_code=400)
        try:
            with metrics.latency.time():
                # Through the update processor, as in polling mode: the same concurrency
                # limit. Handler errors go to the error handlers and do not raise here.
                await application.update_processor.process_update(
                    update, application.process_update(update)
                )
        except Exception as error:
            # Answered 500 by Starlette: Telegram delivers the update again later.
            metrics.count_error(error)
            raise
        metrics.updates.inc()
        return Response(status_code=200)

    async def health(request: Request) -> Response:
        """200 when the database answers, 503 otherwise (Docker, load balancers)."""
        if await database_ok(application.bot_data.database.engine):
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "unavailable"}, status_code=503)

    async def exposition(request: Request) -> Response:
        """The metrics, in Prometheus' text format."""
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    async def count_error(update: object, context: TremplinContext) -> None:
        # PTB hands every handler error to each error handler; this one only counts.
        metrics.count_error(context.error)

    application.add_error_handler(count_error)
    return Starlette(
        routes=[
            Route(config.path, receive_update, methods=["POST"]),
            Route(HEALTH_PATH, health, methods=["GET"]),
            Route(METRICS_PATH, exposition, methods=["GET"]),
        ]
    )


async def _body(request: Request) -> bytes | None:
    """The request's body, or ``None`` when it is over :data:`MAX_BODY_BYTES`.

    A declared length over the limit is refused before a byte is read; a chunked body is read
    only up to the limit. (Starlette's ``request.body()`` reads everything into memory.)
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    return bytes(body)


def _parse_update(body: bytes, bot: Bot) -> Update | None:
    """The update in ``body``, or ``None`` when it is not JSON or not an update."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep
        return None
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return None
    try:
        return Update.de_json(data, bot)
    except (KeyError, TypeError, ValueError, RecursionError):  # a field missing or wrong
        return None


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


async def database_ok(engine: AsyncEngine) -> bool:
    """Whether the database answers ``SELECT 1`` within :data:`HEALTH_TIMEOUT_SECONDS`."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError) as error:
        # OSError: asyncpg lets "connection refused" through unwrapped.
        logger.warning("event=database_unreachable error=%s", type(error).__name__)
        return False
    return True


class CannotListen(Exception):
    """``TREMPLIN_LISTEN`` names an address this process cannot listen on."""

    def __init__(self, config: WebhookConfig, reason: str) -> None:
        super().__init__(
            f"cannot listen on {config.host}:{config.port} (TREMPLIN_LISTEN): {reason}"
        )


def bind(config: WebhookConfig) -> socket.socket:
    """A listening socket on ``TREMPLIN_LISTEN``, opened before anything else starts.

    Binding first turns "address already in use" into a clear error at start, before the
    webhook is registered with Telegram (uvicorn would log it and call ``sys.exit``).
    """
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    try:
        return socket.create_server((config.host, config.port), family=family, backlog=2048)
    except OSError as error:  # in use, not an address of this machine, a privileged port...
        raise CannotListen(config, error.strerror or str(error)) from error


class _Server(uvicorn.Server):
    """uvicorn without its signal handling: ``tremplin run`` owns SIGINT and SIGTERM.

    uvicorn's own handlers would re-raise the signal once it has stopped, which ends the
    process before the PTB application is shut down.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_http(
    app: Starlette, listener: socket.socket, stop: asyncio.Event, webhook: WebhookConfig
) -> None:
    """Serve ``app`` on ``listener`` until ``stop`` is set; requests in flight then finish."""
    config = uvicorn.Config(
        app,
        # Slow clients (issue 14): a bounded number of connections and requests at once,
        # idle connections closed, and headers that take too long end the connection.
        http=headers_within(webhook.header_timeout),
        limit_concurrency=webhook.max_connections,
        timeout_keep_alive=webhook.keep_alive,
        lifespan="off",  # the PTB application's life cycle is the caller's
        log_config=None,  # keep Tremplin's log format (bot.telegram.logs)
        access_log=False,  # one line per update is noise, and a client address is personal
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    server = _Server(config)
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        # uvicorn stops accepting, lets every request in flight finish, then returns.
        server.should_exit = True
        stopping.cancel()
        await serving
