"""Telegram's rate limits, plus retries with backoff on transient network errors.

Telegram asks a bot to post at most about 30 messages a second overall and 20 a minute in one
group; beyond, it answers 429 with ``retry_after``. What it counts is *new messages*: edits of
a message already sent and answers to button taps are not broadcasts. So only the methods that
post a message into a chat take one of the evenly spaced slots; a citizen's tick (an edit) or a
callback answer never queues behind a broadcast of digests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]
# The share of Telegram's overall limit actually used (29.5 messages a second of 30): a little
# room for the jitter between the bot's clock and the server's.
PACE = 29.5 / 30
# Methods that post a new message into a chat: the ones Telegram's overall limit counts.
SENDING = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendLocation", "sendVenue", "sendAudio",
    "sendVideo", "sendAnimation", "sendVoice", "sendVideoNote", "sendMediaGroup",
    "sendContact", "sendPoll", "sendDice", "sendSticker", "sendInvoice", "sendPaidMedia",
    "copyMessage", "copyMessages", "forwardMessage", "forwardMessages",
})
GROUP_RATE = 20  # messages a minute in one group
WIDEN, MAX_WINDOW = 0.02, 1.2  # seconds added to the pacer's window per 429, and its bound
# A message still unanswered this long after its release no longer holds the next ones back
# (a hung connection must not stop every message until its timeout).
UNANSWERED = 2.0


@dataclass(slots=True)
class Release:
    """One message let go by the :class:`Pacer`: when, and when the server answered it."""

    at: float
    answer: float | None = None


class Pacer:
    """Slots ``1 / rate`` seconds apart, reserved in order of arrival.

    Slots are kept on the absolute clock: a waiter woken a few milliseconds late does not push
    the later slots back (PTB's leaky bucket did, and lost about 6% of the rate to the event
    loop's latency), while a window over the last ``limit`` messages makes sure that no second
    ever sees more than ``limit`` of them *at the server*. What the server counts is when a
    message reaches it, which a busy process can delay after its release (a CPU-bound step
    between the release and the socket): so the window starts, for each message, at the
    latest time it can have reached the server, its answer less the quickest round trip seen.
    """

    def __init__(self, rate: float, limit: int, *,
                 clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._interval = 1.0 / rate
        self._limit = limit
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._released: deque[Release] = deque(maxlen=limit)
        self._quickest = math.inf  # the quickest round trip seen, release to answer
        # The span in which at most ``limit`` go: one second, widened after each 429, since a
        # 429 means messages released on time reached the server closer together (a busy
        # machine delays some more than others), and each 429 costs a second of silence.
        self._window = 1.0
        self._held_until = 0.0

    def _now(self) -> float:
        return self._clock() if self._clock else asyncio.get_running_loop().time()

    def hold(self, seconds: float) -> None:
        """No slot before ``seconds`` from now (Telegram answered 429 with ``retry_after``), and
        a little more room between messages for the rest of the run (once per burst of 429s:
        the messages in flight together are refused together)."""
        now = self._now()
        if now >= self._held_until:
            self._window = min(MAX_WINDOW, self._window + WIDEN)
        self._held_until = max(self._held_until, now + seconds)

    def _reserve(self) -> float:
        slot = max(self._now(), self._next, self._held_until)
        self._next = slot + self._interval
        return slot

    async def wait(self) -> Release:
        """Wait for this message's slot; pass what it returns to :meth:`answered`."""
        slot = self._reserve()
        while True:
            now = self._now()
            if slot > now:
                await self._sleep(slot - now)
                continue
            if now < self._held_until:
                # A 429 came while this message waited: a fresh slot after the hold, so the
                # messages held together go one slot apart, not all at once when it ends.
                slot = self._reserve()
                continue
            if len(self._released) == self._limit:
                # The message ``limit`` back must have reached the server a window ago.
                first = self._released[0]
                if first.answer is None and now < first.at + UNANSWERED:
                    slot = now + self._interval / 4  # when it reached it is not known yet
                    continue
                reached = first.at if first.answer is None else max(
                    first.at, first.answer - self._quickest)
                if now < reached + self._window:
                    slot = reached + self._window
                    continue
            release = Release(now)
            self._released.append(release)
            return release

    def answered(self, release: Release) -> None:
        """The server answered the message of ``release`` (or the request failed)."""
        release.answer = self._now()
        self._quickest = min(self._quickest, release.answer - release.at)


class RetryingRateLimiter(BaseRateLimiter[int]):
    """Telegram's limits (messages evenly spaced under ``overall_max_rate`` a second, 20 a
    minute per group, ``RetryAfter`` waited out then retried up to ``max_retries`` times), and
    retries of requests that failed on the network or with a 5xx from the server.

    ``BadRequest`` is a ``NetworkError`` in PTB but never transient: it is not retried. A timed
    out ``getUpdates`` is retried by the updater itself, so only other methods are retried here.
    ``rate_limit_args``, when given to a Bot method, is the number of 429 retries for that call.
    """

    def __init__(self, *, max_retries: int = 0, overall_max_rate: float = 30,
                 network_retries: int = 3, backoff: float = 0.5) -> None:
        self._max_retries = max_retries
        self._pacer = (Pacer(overall_max_rate * PACE, int(overall_max_rate))
                       if overall_max_rate else None)
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._network_retries = network_retries
        self._backoff = backoff

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def _group(self, chat_id: int | str) -> AsyncLimiter:
        if len(self._groups) > 512:  # forget idle groups' limiters, as PTB does
            for key in [k for k, limiter in self._groups.items() if limiter.has_capacity(
                    GROUP_RATE)]:
                del self._groups[key]
        return self._groups.setdefault(chat_id, AsyncLimiter(GROUP_RATE, 60))

    @contextlib.asynccontextmanager
    async def _slot(self, endpoint: str, data: JSONDict) -> AsyncIterator[None]:
        if endpoint not in SENDING or self._pacer is None:
            yield
            return
        chat_id = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        # A negative id or a @name is a group or a channel: 20 messages a minute there.
        group = chat_id if (isinstance(chat_id, int) and chat_id < 0) or isinstance(
            chat_id, str) else None
        async with self._group(group) if group is not None else contextlib.nullcontext():
            release = await self._pacer.wait()
            try:
                yield
            finally:  # answered, refused or failed: the request is over either way
                self._pacer.answered(release)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        max_retries = rate_limit_args or self._max_retries
        floods = failures = 0
        while True:
            try:
                async with self._slot(endpoint, data):
                    return await callback(*args, **kwargs)
            except RetryAfter as error:
                if floods == max_retries:
                    raise
                floods += 1
                wait = error.retry_after
                seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
                logger.info("event=retry_after method=%s seconds=%.1f", endpoint, seconds)
                if self._pacer is not None:  # every message waits, not only this one
                    self._pacer.hold(seconds + 0.1)
                await asyncio.sleep(seconds + 0.1)
            except BadRequest:
                raise
            except (NetworkError, TimedOut) as error:
                if endpoint == "getUpdates" or failures == self._network_retries:
                    raise
                delay = self._backoff * 2**failures
                failures += 1
                logger.warning(
                    "event=retry method=%s attempt=%d delay=%.1f error=%s",
                    endpoint,
                    failures,
                    delay,
                    type(error).__name__,
                )
                await asyncio.sleep(delay)
