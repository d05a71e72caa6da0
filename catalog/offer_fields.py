"""The fields of an offer, written once: every view of an offer is derived from :data:`FIELDS`.

The catalogue columns (CSV, JSON, XLSX), the rule that reads each cell, the conversions to and
from the database and the contract's length limits all read this table; :class:`~catalog.offer.
Offer` (the typed domain object) and ``OfferRecord`` (the table) are checked against it by
``tests/test_offer_fields.py``. Adding a field: a line here, the same field in those two classes,
and an Alembic revision.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from catalog.i18n import DEFAULT_LANGUAGE, LANGUAGES
from catalog.vocabulary import AUDIENCES, FORMATS, MISSIONS, TOPICS


class Kind(Enum):
    """What a cell holds, hence how it is read, checked, stored and written."""

    ID = "id"  # 1-64 characters of [A-Za-z0-9._-]
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"  # line breaks kept
    CHOICE = "choice"  # one code of ``codes``
    CODES = "codes"  # ;-separated codes of ``codes``
    LANGUAGES = "languages"  # ;-separated ISO 639-1 codes
    WORDS = "words"  # ;-separated free words or phrases
    AGE = "age"  # whole number 0-120
    MONTHS = "months"  # whole number of months, 1-120
    PRICE = "price"  # decimal euros, 2 decimals
    LATITUDE = "latitude"
    LONGITUDE = "longitude"
    DATE = "date"  # YYYY-MM-DD
    FLAG = "flag"  # true or false
    URL = "url"  # http(s)
    EMAIL = "email"
    SESSIONS = "sessions"  # ;-separated local ISO 8601 intervals (catalog.schedule)
    OPENING_HOURS = "opening_hours"  # OpenStreetMap syntax


MULTIVALUED_KINDS = frozenset({Kind.CODES, Kind.LANGUAGES, Kind.WORDS})
# Numbers are not text: a CSV export leaves them as they are (a longitude of -1.5 is no formula).
NUMERIC_KINDS = frozenset({Kind.AGE, Kind.MONTHS, Kind.PRICE, Kind.LATITUDE, Kind.LONGITUDE})
# Contract v2: "any other cell" is at most this long.
MAX_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of an offer: its column, what it holds, and its rules."""

    name: str
    kind: Kind
    required: bool = False
    # Has ``<name>_<lang>`` columns for the interface languages, kept in ``Offer.translations``.
    translatable: bool = False
    max_length: int = MAX_LENGTH
    default: object = None  # the value of an empty cell
    codes: tuple[str, ...] = ()  # the valid codes of CHOICE and CODES
    noun: str = ""  # what one code is called in messages ("unknown mission 'x'")

    @property
    def multivalued(self) -> bool:
        return self.kind in MULTIVALUED_KINDS


_EMPTY_IS_NONE = NUMERIC_KINDS | {Kind.DATE, Kind.FLAG}


def _field(name: str, kind: Kind = Kind.TEXT, **rules: object) -> FieldSpec:
    """A field whose empty value is (), None or "" by its kind, unless ``default`` says."""
    default = () if kind in MULTIVALUED_KINDS else None if kind in _EMPTY_IS_NONE else ""
    return FieldSpec(name, kind, **{"default": default, **rules})  # type: ignore[arg-type]


# In the canonical order of the columns: exports, the eval catalogue and the README table follow it.
FIELDS: tuple[FieldSpec, ...] = (
    _field("id", Kind.ID, required=True, max_length=64),
    _field("title", required=True, translatable=True, max_length=200),
    _field("description", Kind.LONG_TEXT, translatable=True, max_length=2000),
    _field("provider", required=True, max_length=200),
    _field("missions", Kind.CODES, required=True, codes=tuple(MISSIONS), noun="mission"),
    _field("topics", Kind.CODES, codes=tuple(TOPICS), noun="topic"),
    _field("keywords", Kind.WORDS, max_length=500),
    _field("audiences", Kind.CODES, codes=tuple(AUDIENCES), noun="audience"),
    _field("age_min", Kind.AGE),
    _field("age_max", Kind.AGE),
    _field("price_eur", Kind.PRICE),
    _field("format", Kind.CHOICE, codes=FORMATS, noun="format", default="in_person"),
    _field("languages", Kind.LANGUAGES, default=(DEFAULT_LANGUAGE,)),
    _field("address", max_length=300),
    _field("postcode"),
    _field("city"),
    _field("neighbourhood"),
    _field("latitude", Kind.LATITUDE),
    _field("longitude", Kind.LONGITUDE),
    _field("schedule", translatable=True, max_length=300),
    _field("start_date", Kind.DATE),
    _field("end_date", Kind.DATE),
    _field("sessions", Kind.SESSIONS),
    _field("opening_hours", Kind.OPENING_HOURS, max_length=500),
    _field("url", Kind.URL),
    _field("phone"),
    _field("email", Kind.EMAIL),
    _field("wheelchair_accessible", Kind.FLAG),
    _field("updated_on", Kind.DATE),  # empty: the day of import (an unchanged offer keeps its own)
    _field("review_months", Kind.MONTHS, default=12),
)
FIELD: dict[str, FieldSpec] = {spec.name: spec for spec in FIELDS}
TRANSLATABLE: tuple[str, ...] = tuple(spec.name for spec in FIELDS if spec.translatable)
TRANSLATED_LANGUAGES: tuple[str, ...] = tuple(
    lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE
)


def _columns() -> tuple[tuple[str, FieldSpec], ...]:
    """Every column with the field it belongs to.

    The translations of adjacent translatable fields follow them, language by language:
    ``title, description, title_en, description_en, title_ar, ...``; ``schedule, schedule_en...``.
    """
    columns: list[tuple[str, FieldSpec]] = []
    group: list[FieldSpec] = []
    for position, spec in enumerate(FIELDS):
        columns.append((spec.name, spec))
        if not spec.translatable:
            continue
        group.append(spec)
        following = FIELDS[position + 1] if position + 1 < len(FIELDS) else None
        if following is None or not following.translatable:
            columns.extend(
                (f"{member.name}_{lang}", member)
                for lang in TRANSLATED_LANGUAGES
                for member in group
            )
            group = []
    return tuple(columns)


COLUMN_FIELDS: tuple[tuple[str, FieldSpec], ...] = _columns()
COLUMNS: tuple[str, ...] = tuple(name for name, _ in COLUMN_FIELDS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(spec.name for spec in FIELDS if spec.required)
NUMERIC_COLUMNS: frozenset[str] = frozenset(s.name for s in FIELDS if s.kind in NUMERIC_KINDS)
MULTIVALUED_COLUMNS: frozenset[str] = frozenset(s.name for s in FIELDS if s.multivalued)
