"""A per-user flood limit: a sliding window of updates, excess dropped with one warning."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum


class Verdict(Enum):
    ACCEPT = "accept"
    WARN = "warn"  # the first update over the limit: drop it, and say so once
    DROP = "drop"


@dataclass
class FloodGate:
    """At most ``limit`` updates per user in ``window`` seconds."""

    limit: int = 20
    window: float = 10.0
    clock: Callable[[], float] = time.monotonic
    _seen: dict[int, deque[float]] = field(default_factory=dict)
    _warned: dict[int, float] = field(default_factory=dict)
    _swept: float | None = None

    def __len__(self) -> int:
        """How many users the gate remembers (those heard from in the last two windows)."""
        return len(self._seen)

    def check(self, user_id: int) -> Verdict:
        now = self.clock()
        # Once per window, forget the users quiet for a whole window: memory stays bounded by
        # the users of the last two windows, not every user ever seen (200,000 took 166 MiB).
        if self._swept is None:
            self._swept = now
        elif now - self._swept >= self.window:
            self.forget_idle()
            self._swept = now
        seen = self._seen.setdefault(user_id, deque(maxlen=self.limit))
        while seen and now - seen[0] > self.window:
            seen.popleft()
        if len(seen) < self.limit:
            seen.append(now)
            self._warned.pop(user_id, None)
            return Verdict.ACCEPT
        if user_id in self._warned:
            return Verdict.DROP
        self._warned[user_id] = now
        return Verdict.WARN

    def forget_idle(self) -> None:
        """Drop the windows of users who have been quiet (keeps memory bounded)."""
        now = self.clock()
        idle = [uid for uid, seen in self._seen.items() if not seen or now - seen[-1] > self.window]
        for user_id in idle:
            self._seen.pop(user_id, None)
            self._warned.pop(user_id, None)
