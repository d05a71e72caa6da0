"""Tables of the catalogue: offers (with their translations) and the import audit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Numeric
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, timezone-aware (SQLModel's ``UTCDateTime`` columns refuse naive values)."""
    return datetime.now(UTC)


class OfferRecord(SQLModel, table=True):
    """One offer; lists and translations are JSON (they are read whole, never queried).

    A column per field of :data:`catalog.offer_fields.FIELDS` (``tests/test_offer_fields.py``
    checks names and types), plus the translations and bookkeeping columns.
    """

    __tablename__ = "offer"

    id: str = Field(primary_key=True, max_length=64)
    title: str
    description: str = ""
    # {"en": {"title": "...", "description": "...", "schedule": "..."}, ...}: the translatable
    # fields (a schedule translation is a key here, no column of its own).
    translations: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    provider: str
    missions: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    audiences: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    age_min: int | None = None
    age_max: int | None = None
    price_eur: Decimal | None = Field(default=None, sa_column=Column(Numeric(10, 2)))
    format: str = "in_person"
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    address: str = ""
    postcode: str = ""
    city: str = ""
    neighbourhood: str = ""
    latitude: float | None = None
    longitude: float | None = None
    schedule: str = ""
    start_date: date | None = None
    end_date: date | None = None
    sessions: str = ""  # local ISO 8601 intervals, ;-separated (catalog.schedule)
    opening_hours: str = ""  # OpenStreetMap syntax
    url: str = ""
    phone: str = ""
    email: str = ""
    wheelchair_accessible: bool | None = None
    updated_on: date | None = None  # the day the offer was last confirmed
    review_months: int = 12
    # Retired offers stay for history and rollback but are never matched.
    retired: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ImportRecord(SQLModel, table=True):
    """The audit of one applied import: who, when, which file, what changed."""

    __tablename__ = "import_record"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = ""
    source: str = ""
    checksum: str = ""
    format: str = ""
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    # Set when the import was undone (``tremplin catalog rollback``); its before-images are in
    # ``catalog.store.audit_models``.
    rolled_back_at: datetime | None = None
    rolled_back_by: str = ""
