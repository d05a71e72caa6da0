"""The offer: one learning opportunity of the catalogue, as an immutable domain object."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from catalog.i18n import DEFAULT_LANGUAGE


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 January + 1: 28 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    try:
        return day.replace(year=year, month=month)
    except ValueError:
        following = date(year + month // 12, month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)


@dataclass(frozen=True, slots=True)
class LocalText:
    """An offer's translatable fields in one language other than French ("" when not given)."""

    title: str
    description: str = ""
    schedule: str = ""


@dataclass(frozen=True, slots=True)
class Offer:
    """Every field of :data:`catalog.offer_fields.FIELDS`; multi-valued cells are tuples.

    Explicit for readers and type checkers; ``tests/test_offer_fields.py`` keeps it equal to the
    specification (names, defaults, and ``LocalText`` holding the translatable fields).
    """

    id: str
    title: str
    provider: str
    missions: tuple[str, ...]
    description: str = ""
    translations: Mapping[str, LocalText] = field(default_factory=dict)
    topics: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    age_min: int | None = None
    age_max: int | None = None
    price_eur: Decimal | None = None
    format: str = "in_person"
    languages: tuple[str, ...] = ("fr",)
    address: str = ""
    postcode: str = ""
    city: str = ""
    neighbourhood: str = ""
    latitude: float | None = None
    longitude: float | None = None
    schedule: str = ""
    start_date: date | None = None
    end_date: date | None = None
    # Local ISO 8601 intervals (catalog.schedule), and OpenStreetMap opening hours.
    sessions: str = ""
    opening_hours: str = ""
    url: str = ""
    phone: str = ""
    email: str = ""
    wheelchair_accessible: bool | None = None
    updated_on: date | None = None  # last confirmed; set to the day of import when not given
    review_months: int = 12

    @property
    def review_due(self) -> date | None:
        """The day from which the offer is stale: ``review_months`` after ``updated_on``."""
        return add_months(self.updated_on, self.review_months) if self.updated_on else None

    @property
    def hidden_from(self) -> date | None:
        """The day from which citizens no longer see it: stale for a second review period."""
        return add_months(self.updated_on, 2 * self.review_months) if self.updated_on else None

    @property
    def is_free(self) -> bool:
        return self.price_eur is not None and self.price_eur == 0

    @property
    def is_online(self) -> bool:
        """Reachable without travelling: ``online`` or ``hybrid``."""
        return self.format in ("online", "hybrid")

    @property
    def location(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    def is_translated(self, lang: str) -> bool:
        """Whether the offer is described in ``lang`` (a translated schedule alone is not)."""
        local = self.translations.get(lang)
        return lang == DEFAULT_LANGUAGE or bool(local and (local.title or local.description))

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` when the catalogue has it, in French otherwise."""
        local = self.translations.get(lang)
        return local.title if local and local.title else self.title

    def description_in(self, lang: str) -> str:
        local = self.translations.get(lang)
        return local.description if local and local.description else self.description

    def schedule_in(self, lang: str) -> str:
        local = self.translations.get(lang)
        return local.schedule if local and local.schedule else self.schedule
