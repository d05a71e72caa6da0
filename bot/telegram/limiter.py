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


class RetryingRateLimiter(AIORateLimiter):
    """PTB's ``AIORateLimiter`` (30 messages/s overall, 1/s per chat, ``RetryAfter`` honoured),
    which also retries requests that failed on the network or with a 5xx from the server.

    ``BadRequest`` is a ``NetworkError`` in PTB but never transient: it is not retried. A timed
    out ``getUpdates`` is retried by the updater itself, so only other methods are retried here.
    """

    def __init__(self, *, network_retries: int = 3, backoff: float = 0.5, **kwargs: Any) -> None:
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
