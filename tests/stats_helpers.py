"""Factories for the statistics tests: a small catalogue, and citizens talking to the storage."""

from __future__ import annotations

from datetime import date
from typing import Any

import factories

from bot.chats.conversations import process
from bot.engine.inputs import Input, Press
from bot.engine.replies import Reply
from catalog.offer import Offer
from catalog.settings import Settings
from catalog.store.db import Database, SessionMaker
from catalog.store.models import OfferRecord
from catalog.store.offers import record_fields
from catalog.store.snapshot import CatalogSnapshot

# Long and random-looking, as TREMPLIN_PSEUDONYM_KEY must be.
KEY = "x7Qp2LwZ9vR4tY8uB3nM6cK1jH5gF0dS-test-only"

# Three offers, one per kind of need the scripted month has: digital skills (asked and found),
# French for newcomers (for newcomers only), reading with one's child (two missions).
OFFERS: tuple[Offer, ...] = (
    factories.offer("o-digital", title="Atelier informatique", missions=("digital",),
                    topics=("digital",)),
    factories.offer("o-french", title="Cours de français langue étrangère",
                    missions=("inclusive",), topics=("french",), audiences=("newcomer",)),
    factories.offer("o-family", title="Lire avec son enfant", missions=("family", "lifelong"),
                    topics=("parenting", "reading")),
)


def stats_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings for the statistics tests; any field can be set (pydantic checks its value)."""
    values: dict[str, Any] = {"database_url": database_url, "pseudonym_key": KEY}
    values.update(overrides)
    return Settings(_env_file=None, **values)


async def seed(sessions: SessionMaker, offers: tuple[Offer, ...] = OFFERS) -> None:
    async with sessions() as session:
        for offer in offers:
            fields: dict[str, Any] = record_fields(offer)  # each checked by its column
            session.add(OfferRecord(**fields))
        await session.commit()


class Citizen:
    """One Telegram user talking to the bot through the storage, on the day they are told."""

    def __init__(self, database: Database, settings: Settings, snapshot: CatalogSnapshot,
                 user_id: int, language: str = "en") -> None:
        self.database, self.settings, self.snapshot = database, settings, snapshot
        self.user_id, self.language = user_id, language
        self.replies: list[Reply] = []

    async def send(self, event: Input, day: date) -> list[Reply]:
        self.replies = await process(
            database=self.database, chat_id=self.user_id, user_id=self.user_id,
            language_code=self.language, event=event, catalog=self.snapshot,
            settings=self.settings, today=day,
        )
        return self.replies

    async def press(self, label: str, day: date) -> list[Reply]:
        """Press the button labelled ``label`` (ticks ignored) among the last replies."""
        for reply in reversed(self.replies):
            for button in reply.all_buttons():
                if button.label.removeprefix("✓ ") == label and button.action:
                    return await self.send(Press(button.action), day)
        raise AssertionError(f"no button {label!r}")
