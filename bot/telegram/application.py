"""The Telegram bot: the composition root (:func:`build_application`) and ``tremplin run``."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.alerts.job import AlertsJob
from bot.chats.conversations import purge_idle
from bot.chats.database import Database, open_database
from bot.engine.commands import COMMANDS
from bot.settings import BotSettings
from bot.telegram import admin, freshness, handlers, logs, maintainers, offer_form, partners
from bot.telegram.alerts_sender import telegram_sender
from bot.telegram.limiter import RetryingRateLimiter
from bot.telegram.services import BotData, TremplinContext
from bot.telegram.stats_job import StatsPurge
from bot.telegram.transport import AiohttpRequest
from catalog.i18n import DEFAULT_LANGUAGE, LANGUAGES, translator
from catalog.store.snapshot import CatalogSnapshot

logger = logging.getLogger(__name__)

TremplinApplication = Application[Any, TremplinContext, Any, Any, BotData, Any]

# Updates handled at once (chats run concurrently; one chat's updates one at a time).
CONCURRENT_UPDATES = 64



def build_application(
    settings: BotSettings, *, database: Database | None = None, overall_rate: float = 30
) -> TremplinApplication:
    """The PTB application with every handler, in one readable block.

    ``overall_rate`` is Telegram's overall limit of messages per second; the load benchmark
    sets 0 (no limit) so that it measures Tremplin rather than the limit.
    """
    if settings.telegram_token is None:
        raise ValueError("TREMPLIN_TELEGRAM_TOKEN is required")
    root = settings.telegram_api_url.rstrip("/")
    # Statistics: finished days rolled up and old raw events purged, daily (bot.telegram.stats_job).
    async def erase_idle_conversations() -> None:
        erased = await purge_idle(database=application.bot_data.database,
                                  retention_days=settings.conversation_retention_days)
        logger.info("event=conversations_erased count=%d", erased)

    # ... citizens' problem reports of the day sent to the maintainers (bot.telegram.partners)
    async def send_reports_digest() -> None:
        await partners.send_reports_digest(application.bot, application.bot_data.database,
                                           settings)

    # ... the offers gone past their review today, to confirm (bot.telegram.freshness)
    async def send_newly_due() -> None:
        await freshness.send_newly_due(application.bot, application.bot_data.database, settings)

    # ... and the conversations idle past their retention erased (docs/privacy.md).
    stats_purge = StatsPurge(retention_days=settings.stats_retention_days,
                             chores=(send_reports_digest, send_newly_due,
                                     erase_idle_conversations))
    # Alerts on new offers: the day's digests and the outbox, hourly (bot.alerts.job).
    alerts_job: AlertsJob | None = None

    async def post_init(application: TremplinApplication) -> None:
        data = application.bot_data
        data.settings = settings
        data.database = database or await open_database(settings.database_url)
        data.catalog = CatalogSnapshot()
        await _register_commands(application)
        stats_purge.start(data.database.sessions)
        nonlocal alerts_job
        alerts_job = AlertsJob(settings=settings, send=telegram_sender(application.bot))
        alerts_job.start(data.database, data.catalog)

    async def post_shutdown(application: TremplinApplication) -> None:
        await stats_purge.stop()
        if alerts_job is not None:
            await alerts_job.stop()
        if database is None:  # we opened it, we close it
            await application.bot_data.database.close()

    application: TremplinApplication = (
        ApplicationBuilder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(ContextTypes(context=TremplinContext, bot_data=BotData))
        .rate_limiter(RetryingRateLimiter(max_retries=3, overall_max_rate=overall_rate))
        # aiohttp rather than PTB's default httpx: a third of the CPU per Bot API request
        # (bot.telegram.transport). One connection per update in flight, plus a few for the jobs.
        .request(AiohttpRequest(connection_pool_size=CONCURRENT_UPDATES + 8))
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        # Chats run concurrently; the updates of one chat are serialised by a per-chat lock.
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    private = filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED
    application.add_handlers(
        {
            -2: [TypeHandler(Update, handlers.guard_private)],
            -1: [TypeHandler(Update, handlers.limit_flood)],
            0: [
                # Maintainers' buttons, files and commands first; their handlers pass anyone
                # else's file or command on to the conversation.
                CallbackQueryHandler(maintainers.on_button, pattern=maintainers.BUTTON_PATTERN),
                CallbackQueryHandler(partners.on_button, pattern=partners.BUTTON_PATTERN),
                CallbackQueryHandler(freshness.on_button, pattern=freshness.BUTTON_PATTERN),
                CallbackQueryHandler(partners.on_report, pattern=partners.REPORT_PATTERN),
                CommandHandler("propose", partners.on_propose, filters=private),
                CallbackQueryHandler(offer_form.on_button, pattern=offer_form.BUTTON_PATTERN),
                # A /propose form open: typed texts answer it, /cancel and /start close it;
                # otherwise they go on to a report's words or the conversation.
                CommandHandler(offer_form.LEAVE, offer_form.on_leave, filters=private),
                MessageHandler(private & filters.TEXT & ~filters.COMMAND, offer_form.on_text),
                MessageHandler(private & filters.Document.ALL, maintainers.on_document),
                CommandHandler(maintainers.COMMANDS, maintainers.on_command, filters=private),
                # Admins' /stats; anyone else's goes on to the conversation (unknown command).
                CommandHandler("stats", admin.stats, filters=private),
                CallbackQueryHandler(handlers.converse),
                MessageHandler(private, handlers.converse),
            ],
        }
    )
    application.add_error_handler(handlers.on_error)
    return application


async def _register_commands(application: TremplinApplication) -> None:
    for lang in LANGUAGES:
        tr = translator(lang)
        commands = [BotCommand(name, tr.gettext(description)) for name, description in COMMANDS]
        await application.bot.set_my_commands(commands, language_code=lang)
        if lang == DEFAULT_LANGUAGE:  # users whose language has no list of its own
            await application.bot.set_my_commands(commands)


@asynccontextmanager
async def running(application: TremplinApplication) -> AsyncIterator[None]:
    """The application started, then stopped and shut down, with its ``post_*`` hooks.

    The order of PTB's ``run_polling`` / ``run_webhook``, whose own loops are not used here:
    ``initialize()`` and ``shutdown()`` alone (``async with application``) skip
    ``post_init``, ``post_stop`` and ``post_shutdown``, where Tremplin opens its services.
    """
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.start()
        try:
            yield
        finally:
            await application.stop()
            if application.post_stop:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


@asynccontextmanager
async def polling(
    application: TremplinApplication, *, poll_interval: float = 0.0, poll_timeout: int = 10
) -> AsyncIterator[None]:
    """The application running with long polling; leaving stops polling first, then the
    application, so that updates already fetched finish processing."""
    async with running(application):
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=poll_interval, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
        )
        try:
            yield
        finally:
            await application.updater.stop()


async def serve(application: TremplinApplication, stop: asyncio.Event) -> None:
    """Long polling until ``stop`` is set, then a graceful shutdown (in-flight updates finish)."""
    async with polling(application):
        logger.info("event=started mode=polling")
        await stop.wait()
    logger.info("event=stopped")


async def serve_webhook(
    application: TremplinApplication, settings: BotSettings, stop: asyncio.Event
) -> None:
    """Webhook mode until ``stop`` is set, then a graceful shutdown (in-flight updates finish)."""
    from bot.telegram import webhook  # the web stack loads in webhook mode only
    from bot.telegram.metrics import Metrics

    config = webhook.webhook_config(settings)
    # Listening first: a port in use stops the start before Telegram is told to call us.
    listener = webhook.bind(config)
    with listener:
        async with running(application):
            app = webhook.create_app(application, config, Metrics())
            # Every replica registers the same URL: idempotent. The webhook is never deleted
            # at shutdown, so that Telegram keeps the updates for the next start.
            await application.bot.set_webhook(
                config.url, secret_token=config.secret, allowed_updates=Update.ALL_TYPES
            )
            logger.info("event=started mode=webhook path=%s", config.path)
            # Returns once the HTTP server has stopped, so every answered update is processed
            # before the application stops.
            await webhook.serve_http(app, listener, stop, config)
    logger.info("event=stopped")


async def run(settings: BotSettings) -> int:
    """``tremplin run``: the bot, until SIGINT or SIGTERM; webhook mode when a URL is set."""
    # Empty counts as unset: `TREMPLIN_TELEGRAM_TOKEN=` is how .env.example leaves it.
    if settings.telegram_token is None or not settings.telegram_token.get_secret_value():
        print(
            "tremplin: TREMPLIN_TELEGRAM_TOKEN is not set (get one from @BotFather)",
            file=sys.stderr,
        )
        return 2
    # Every value (pseudonym key, webhook URL and secret, listen address...) was checked when
    # the settings were read (bot.settings.BotSettings).
    from catalog.stats.events import stats_key

    logs.configure()
    if stats_key(settings) is None:
        logger.warning("event=stats_off reason=TREMPLIN_PSEUDONYM_KEY is not set")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    application = build_application(settings)
    if not settings.webhook_url:
        await serve(application, stop)
        return 0
    from bot.telegram.webhook import CannotListen

    try:
        await serve_webhook(application, settings, stop)
    except CannotListen as error:
        print(f"tremplin: {error}", file=sys.stderr)
        return 1
    return 0
