"""Telegram's flood control, emulated: 429 with ``retry_after`` beyond the message limits.

Telegram asks bots to send at most about 30 messages a second overall and one a second per chat
(short bursts in one chat are tolerated, then refused). :class:`FloodControl` counts the
message-sending calls accepted in the last second overall, and keeps a token bucket per chat
(``per_chat`` a second, ``chat_burst`` at once); a call beyond either gets 429 "Too Many
Requests: retry after N" with ``parameters.retry_after``, as the real server answers, and is
not delivered. Edits, callback answers and reads are not counted.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import ApiError

# Methods that post a new message into a chat.
SENDING = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendLocation", "sendVenue", "sendAudio",
    "sendVideo", "sendAnimation", "sendVoice", "sendMediaGroup", "sendContact", "sendPoll",
    "sendSticker", "copyMessage", "forwardMessage",
})


@dataclass
class FloodControl:
    """The limits, and what they refused (``refused``) and let through (``accepted``)."""

    overall: int = 30  # messages in any one second, all chats together
    per_chat: float = 1.0  # messages a second in one chat, on average
    chat_burst: int = 3  # messages one chat may get at once before the per-chat limit bites
    clock: Callable[[], float] = time.monotonic
    accepted: int = 0
    refused: int = 0
    _sent: deque[float] = field(default_factory=deque)
    _buckets: dict[int | str, tuple[float, float]] = field(default_factory=dict)

    def check(self, method: str, params: dict[str, object]) -> ApiError | None:
        """``None`` (and the message counted) or the 429 to answer."""
        if method not in SENDING:
            return None
        now = self.clock()
        while self._sent and self._sent[0] <= now - 1.0:
            self._sent.popleft()
        wait = 0.0
        if len(self._sent) >= self.overall:
            wait = self._sent[0] + 1.0 - now
        chat = params.get("chat_id")
        key = chat if isinstance(chat, int | str) else ""
        tokens, then = self._buckets.get(key, (float(self.chat_burst), now))
        tokens = min(float(self.chat_burst), tokens + (now - then) * self.per_chat)
        if tokens < 1.0:
            wait = max(wait, (1.0 - tokens) / self.per_chat)
        if wait > 0:
            self.refused += 1
            self._buckets[key] = (tokens, now)
            retry_after = max(1, math.ceil(wait))
            return ApiError(429, f"Too Many Requests: retry after {retry_after}",
                            retry_after=retry_after, injected=True)
        self._buckets[key] = (tokens - 1.0, now)
        self._sent.append(now)
        self.accepted += 1
        return None


def most_in_one_second(times: list[float]) -> int:
    """The most of ``times`` (sorted, in seconds) that fall within any one second."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most
