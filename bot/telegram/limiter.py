"""Telegram's rate limits, plus retries with backoff on transient network errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]
# The share of Telegram's overall limit actually used (29.5 messages a second of 30).
PACE = 29.5 / 30


class RetryingRateLimiter(AIORateLimiter):
    """PTB's ``AIORateLimiter`` (30 messages/s overall, 1/s per chat, ``RetryAfter`` honoured),
    which also retries requests that failed on the network or with a 5xx from the server.

    ``BadRequest`` is a ``NetworkError`` in PTB but never transient: it is not retried. A timed
    out ``getUpdates`` is retried by the updater itself, so only other methods are retried here.
    """

    def __init__(self, *, network_retries: int = 3, backoff: float = 0.5, **kwargs: Any) -> None:
        # PTB's overall limiter is a bucket of ``overall_max_rate`` messages: after a pause it
        # lets 30 go at once, then 30 a second, so a second can see 59 messages and Telegram
        # answers 429 (and the limiter then holds every request, the citizens' replies too).
        # One message every 1/(rate * PACE) seconds instead, a little under the limit (jitter
        # brings two requests closer at the server): never more than 30 in any second.
        rate = kwargs.pop("overall_max_rate", 30)
        period = kwargs.pop("overall_time_period", 1)
        if rate:
            kwargs.update(overall_max_rate=1, overall_time_period=period / (rate * PACE))
        else:
            kwargs.update(overall_max_rate=0)
        super().__init__(**kwargs)
        self._network_retries = network_retries
        self._backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        for attempt in range(self._network_retries + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise
            except (NetworkError, TimedOut) as error:
                if endpoint == "getUpdates" or attempt == self._network_retries:
                    raise
                delay = self._backoff * 2**attempt
                logger.warning(
                    "event=retry method=%s attempt=%d delay=%.1f error=%s",
                    endpoint,
                    attempt + 1,
                    delay,
                    type(error).__name__,
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
