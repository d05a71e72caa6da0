"""Sending the alerts' outbox through the Bot API: one digest, Telegram's answers as outcomes.

The bot's own ``Bot`` is used (its rate limiter, ``bot.telegram.limiter``, paces every new
message under 30 a second and honours ``retry_after``; a digest is one message to one chat, so
Telegram's one a second per chat is never reached); ``tremplin jobs run alerts`` opens one
alike. A 429 still left after the limiter's retries waits out its ``retry_after`` and puts the
message back; a 403 (the citizen blocked the bot) marks them inactive and drops their queue
(``bot.alerts.outbox``); a 400 is final.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot

from bot.alerts.outbox import Delivery, Sender
from bot.engine.replies import Reply
from bot.settings import BotSettings
from bot.telegram.limiter import RetryingRateLimiter
from bot.telegram.rendering import chunks
from bot.telegram.transport import AiohttpRequest

logger = logging.getLogger(__name__)


def _seconds(retry_after: int | float | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(
        retry_after)


def telegram_sender(bot: Bot) -> Sender:
    """A :data:`~bot.alerts.outbox.Sender` on ``bot``."""

    async def send(chat_id: int, reply: Reply) -> Delivery:
        try:
            for piece in chunks(reply):
                await bot.send_message(chat_id, piece.html, parse_mode=ParseMode.HTML,
                                       reply_markup=piece.markup)
        except RetryAfter as error:
            wait = _seconds(error.retry_after)
            logger.warning("event=alert_retry_after seconds=%.1f", wait)
            await asyncio.sleep(wait)
            return Delivery.RETRY
        except Forbidden:
            return Delivery.BLOCKED
        except BadRequest as error:
            logger.warning("event=alert_refused error=%s", error.message)
            return Delivery.FAILED
        except NetworkError as error:  # TimedOut included: sent again at the next run
            logger.warning("event=alert_network_error error=%s", type(error).__name__)
            return Delivery.RETRY
        return Delivery.SENT

    return send


@asynccontextmanager
async def standalone_sender(settings: BotSettings, *, overall_rate: float = 30
                            ) -> AsyncIterator[Sender]:
    """A sender with a Bot of its own, for ``tremplin jobs run alerts`` (no bot running)."""
    if settings.telegram_token is None or not settings.telegram_token.get_secret_value():
        raise ValueError("TREMPLIN_TELEGRAM_TOKEN is required to send alerts")
    root = settings.telegram_api_url.rstrip("/")
    bot: ExtBot[int] = ExtBot(
        settings.telegram_token.get_secret_value(),
        base_url=f"{root}/bot",
        base_file_url=f"{root}/file/bot",
        request=AiohttpRequest(connection_pool_size=8),
        rate_limiter=RetryingRateLimiter(max_retries=3, overall_max_rate=overall_rate),
    )
    async with bot:
        yield telegram_sender(bot)
