"""The pending-updates queue behind ``getUpdates`` long polling.

Semantics reproduced from the Bot API:

* updates get increasing ``update_id``s and stay pending until confirmed by a later
  ``getUpdates`` whose ``offset`` is greater than their id (so a bot that crashes
  before confirming gets them again);
* a negative ``offset`` keeps only the last ``-offset`` updates;
* with ``timeout > 0`` the call is held until an update arrives or the timeout expires
  (the essence of long polling: a reply is delivered without waiting a poll interval);
* ``allowed_updates`` is remembered between calls; ``[]`` means the default set, i.e.
  everything except ``chat_member``, ``message_reaction`` and ``message_reaction_count``;
* a second ``getUpdates`` while one is pending terminates the first one with
  ``409 Conflict`` (two bot instances polling the same token).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from typing import Any

# Not delivered unless explicitly requested in allowed_updates.
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class PollSuperseded(Exception):
    """This long poll was terminated by a newer getUpdates call."""


class UpdateQueue:
    def __init__(self, update_types: Sequence[str], first_update_id: int = 100_000) -> None:
        self.update_types = tuple(update_types)
        self._ids = itertools.count(first_update_id)
        self._pending: list[dict[str, Any]] = []
        self._allowed: frozenset[str] = frozenset(self.update_types) - OPT_IN_UPDATE_TYPES
        self._changed = asyncio.Event()
        self._current_poll: object | None = None
        self._closed = False
        self.delivered: list[dict[str, Any]] = []  # every update handed to the bot
        self.held = 0  # long polls waiting right now for an update or their timeout
        self._held_changed = asyncio.Event()

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        if kind not in self.update_types:
            raise ValueError(f"unknown update type {kind!r}")
        update = {"update_id": next(self._ids), kind: payload}
        self._pending.append(update)
        self._notify()
        return update

    @property
    def pending(self) -> list[dict[str, Any]]:
        return list(self._pending)

    def drop_pending(self) -> None:
        self._pending.clear()

    def set_allowed(self, allowed: Sequence[str]) -> None:
        default = frozenset(self.update_types) - OPT_IN_UPDATE_TYPES
        self._allowed = frozenset(allowed) if allowed else default

    def close(self) -> None:
        """Release every held long poll (with no updates): used when the server stops."""
        self._closed = True
        self._notify()

    async def until_held(self) -> None:
        """Return once a long poll is held: waiting for an update or for its timeout."""
        while True:
            changed = self._held_changed
            if self.held:
                return
            await changed.wait()

    def _count_held(self, delta: int) -> None:
        self.held += delta
        self._held_changed.set()
        self._held_changed = asyncio.Event()

    def _notify(self) -> None:
        # Waking everybody and handing out a fresh Event avoids lost wake-ups: a waiter
        # always captures the event *before* re-checking the queue.
        self._changed.set()
        self._changed = asyncio.Event()

    def _confirm(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        else:
            self._pending = self._pending[offset:]

    def _deliverable(self, limit: int) -> list[dict[str, Any]]:
        # Updates of types the bot did not ask for are dropped, never delivered.
        self._pending = [u for u in self._pending if self._kind(u) in self._allowed]
        return self._pending[:limit]

    @staticmethod
    def _kind(update: dict[str, Any]) -> str:
        return next(key for key in update if key != "update_id")

    async def get(
        self,
        offset: int | None,
        limit: int | None,
        poll_timeout: int | None,
        allowed_updates: Sequence[str] | None,
    ) -> list[dict[str, Any]]:
        self._confirm(offset)
        if allowed_updates is not None:
            self.set_allowed(allowed_updates)
        # Telegram clamps limit to 1..100 rather than failing.
        limit = min(max(limit or 100, 1), 100)
        ticket = object()
        self._current_poll = ticket
        self._notify()  # terminates a poll still held for somebody else
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(poll_timeout or 0, 0)
        while True:
            changed = self._changed
            batch = self._deliverable(limit)
            if batch:
                self.delivered.extend(batch)
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closed:
                return []
            self._count_held(+1)
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                return []
            finally:
                self._count_held(-1)
            if self._current_poll is not ticket:
                raise PollSuperseded
