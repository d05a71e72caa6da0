"""Tables about citizens: conversation state per chat, citizens, favourites.

Everything here is personal data: ``/forget`` deletes every row keyed by the user or the chat.
Telegram ids exceed 32 bits, hence ``BigInteger`` columns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column
from sqlmodel import Field, SQLModel

from catalog.store.models import utcnow


class ConversationRecord(SQLModel, table=True):
    """The state of one chat's conversation (``bot.engine.state.Conversation`` as JSON)."""

    __tablename__ = "conversation"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class Citizen(SQLModel, table=True):
    """A citizen who talked to the bot: language, and whether they still can be reached."""

    __tablename__ = "citizen"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    language: str = Field(default="fr", max_length=8)
    # False once the citizen blocked the bot; true again when they write.
    active: bool = True
    first_seen: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)


class Favourite(SQLModel, table=True):
    """An offer a citizen saved."""

    __tablename__ = "favourite"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    offer_id: str = Field(primary_key=True, max_length=64)
    saved_at: datetime = Field(default_factory=utcnow)
