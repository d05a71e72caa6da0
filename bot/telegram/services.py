"""What every Telegram handler needs, typed: settings, database, catalogue, limits.

PTB builds ``bot_data`` with no arguments, so the services are filled in ``post_init``;
handlers read them through :class:`TremplinContext` properties rather than dict lookups.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.telegram.flood import FloodGate

if TYPE_CHECKING:
    from bot.chats.database import Database
    from bot.settings import BotSettings
    from catalog.store.snapshot import CatalogSnapshot


class ChatLocks:
    """One lock per chat, so that updates of a chat run in order while chats run in parallel."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    @asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[None]:
        self._waiting[chat_id] = self._waiting.get(chat_id, 0) + 1
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        try:
            async with lock:
                yield
        finally:
            self._waiting[chat_id] -= 1
            if not self._waiting[chat_id]:  # nobody else waits: free the memory
                del self._waiting[chat_id]
                self._locks.pop(chat_id, None)


class BotData:
    """The application's services (``application.bot_data``)."""

    settings: BotSettings
    database: Database
    catalog: CatalogSnapshot

    def __init__(self) -> None:
        self.flood = FloodGate()
        self.locks = ChatLocks()


class TremplinContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The handlers' context, with the services as typed properties."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def settings(self) -> BotSettings:
        return self.bot_data.settings

    @property
    def database(self) -> Database:
        return self.bot_data.database

    @property
    def catalog(self) -> CatalogSnapshot:
        return self.bot_data.catalog
