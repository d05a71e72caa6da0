"""Tables about citizens: conversation state per chat, citizens, favourites, alerts.

Everything here is personal data: ``/forget`` deletes every row keyed by the user or the chat.
Telegram ids exceed 32 bits, hence ``BigInteger`` columns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
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


class AlertSubscription(SQLModel, table=True):
    """A citizen who asked to be told about new offers (``/alerts on``).

    ``watch`` keeps what the alerts match on, and nothing else: the answers' codes (topics,
    situations, age, where as a neighbourhood's name, free/online), and the interest words of
    what they typed, stripped of personal data (never the typed text itself, nor a location).
    """

    __tablename__ = "alert_subscription"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    language: str = Field(default="fr", max_length=8)
    watch: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    subscribed_at: datetime = Field(default_factory=utcnow)
    # When the last digest was written for them (at most one a week); None: never yet.
    last_told_at: datetime | None = None


class AlertTold(SQLModel, table=True):
    """An offer a subscriber was told about in a digest: never told again."""

    __tablename__ = "alert_told"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    offer_id: str = Field(primary_key=True, max_length=64)
    told_at: datetime = Field(default_factory=utcnow)


class AlertOutbox(SQLModel, table=True):
    """One message to send, written once (unique per person and ``key``), then sent once.

    ``status``: ``pending`` (to send), ``sending`` (claimed by a sender at ``claimed_at``),
    ``sent``, ``dropped`` (the citizen blocked the bot) or ``failed`` (Telegram refused it).
    """

    __tablename__ = "alert_outbox"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_alert_outbox_user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    key: str = Field(max_length=64)
    reply: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    claimed_at: datetime | None = None
    sent_at: datetime | None = None


class FollowUp(SQLModel, table=True):
    """An offer a citizen opened, saved or asked the map of: asked about once, ten days later.

    Only the offer's id and three dates, plus the answer's code (never words): erased by
    ``/followups off`` and ``/forget``; the statistics keep the answers pseudonymously.
    """

    __tablename__ = "followup"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    offer_id: str = Field(primary_key=True, max_length=64)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    seen_at: datetime = Field(default_factory=utcnow)
    # When the question was written into the outbox; None: not yet asked.
    asked_at: datetime | None = None
    # ``useful``, ``not_for_me``, ``not_yet``, ``could_not``; and why for ``could_not``.
    answer: str | None = Field(default=None, max_length=16)
    reason: str | None = Field(default=None, max_length=16)


class FollowUpPerson(SQLModel, table=True):
    """A citizen's follow-ups switch (on unless ``/followups off``) and their last question
    (at most one a week)."""

    __tablename__ = "followup_person"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    enabled: bool = True
    last_asked_at: datetime | None = None


class OfferForm(SQLModel, table=True):
    """A partner's /propose form in progress (``bot.engine.offer_form.Form`` as JSON): the
    answers so far, kept until it is confirmed, cancelled, idle past the conversations'
    retention, or erased by /forget."""

    __tablename__ = "offer_form"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, index=True)
