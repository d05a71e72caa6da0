"""The columns of the catalogue contract v1 and the rule of each cell.

:func:`parse_row` turns the raw cells of one row (strings from CSV; strings, numbers, booleans,
lists or null from JSON) into an :class:`Offer`, or into every ``(column, reason)`` wrong with it.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from catalog.i18n import DEFAULT_LANGUAGE, LANGUAGES
from catalog.offer import LocalText, Offer
from catalog.vocabulary import AUDIENCES, FORMATS, MISSIONS, TOPICS

TRANSLATED_LANGUAGES: tuple[str, ...] = tuple(
    lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE
)
# The canonical order, used by exports: the eval catalogue and the contract table follow it.
COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "description",
    *(f"{kind}_{lang}" for lang in TRANSLATED_LANGUAGES for kind in ("title", "description")),
    "provider",
    "missions",
    "topics",
    "keywords",
    "audiences",
    "age_min",
    "age_max",
    "price_eur",
    "format",
    "languages",
    "address",
    "postcode",
    "city",
    "neighbourhood",
    "latitude",
    "longitude",
    "schedule",
    "start_date",
    "end_date",
    "url",
    "phone",
    "email",
    "wheelchair_accessible",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("id", "title", "provider", "missions")
# Numbers are not text: a CSV export leaves them as they are (a longitude of -1.5 is no formula).
NUMERIC_COLUMNS: frozenset[str] = frozenset(
    {"age_min", "age_max", "price_eur", "latitude", "longitude"}
)
MULTIVALUED_COLUMNS: frozenset[str] = frozenset(
    {"missions", "topics", "keywords", "audiences", "languages"}
)
MAX_PRICE = Decimal("99999999.99")  # the Numeric(10, 2) column
# The ids of the example rows of `tremplin catalog template`: never imported by mistake.
EXAMPLE_ID_PREFIXES: tuple[str, ...] = ("exemple-", "example-")
_EXAMPLE_HINT = (
    "delete the row, or make it one of your offers with an id of its own"
    " (ids starting with 'exemple-' or 'example-' are reserved)"
)

ISO_639_1: frozenset[str] = frozenset(
    re.findall(
        r"[a-z]{2}",
        "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co"
        " cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl"
        " gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg"
        " ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk"
        " ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps"
        " pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta"
        " te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za"
        " zh zu",
    )
)
_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_INTEGER = re.compile(r"[+-]?\d{1,9}")
_DECIMAL = re.compile(r"[+-]?\d{1,20}(?:[.,]\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_TRUE = frozenset({"true", "oui", "yes", "1", "vrai"})
_FALSE = frozenset({"false", "non", "no", "0", "faux"})
# "Free" as maintainers write it in a price cell, in the interface languages (as _bare_words).
_FREE = frozenset({
    "gratuit", "gratuite", "gratuits", "gratuites", "libre", "entree libre", "acces libre",
    "free", "free of charge", "gratis", "gratuito", "gratuita", "ucretsiz", "bedava",
    "безкоштовно", "безплатно", "مجاني", "مجانا",
})
# Control characters (Unicode category Cc) and lone surrogates, which JSON's \ud800 escapes can
# produce and no database accepts. Line breaks and tabs are handled before.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_BREAKS = re.compile("[\t\n\r\x0b\x0c]+")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """NFC, no control characters, stripped; ``multiline`` keeps line breaks (as ``\\n``)."""
    if multiline:
        text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    else:
        text = _BREAKS.sub(" ", value)
    return unicodedata.normalize("NFC", _CONTROLS.sub("", text)).strip()


def _bare_words(text: str) -> str:
    """Lower case, no accents, words separated by one space: "Entrée libre !" -> "entree libre"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.findall(r"\w+", letters))


def quoted(value: object, limit: int = 60) -> str:
    """A value quoted for a message: repr escapes control characters, and a cut keeps it short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _choices(valid: Iterable[str]) -> str:
    return ", ".join(valid)


class _Row:
    """The cells of one row, read column by column; each rule appends what is wrong."""

    def __init__(self, values: Mapping[str, object]) -> None:
        self.values = values
        self.problems: list[tuple[str, str]] = []

    def fail(self, column: str, reason: str) -> None:
        self.problems.append((column, reason))

    def failed(self, column: str) -> bool:
        return any(name == column for name, _ in self.problems)

    def raw(self, column: str) -> object:
        """The cell as the file has it; None when absent, null or blank."""
        raw = self.values.get(column)
        return None if isinstance(raw, str) and not raw.strip() else raw

    def text(self, column: str, *, required: bool = False, multiline: bool = False) -> str:
        raw = self.raw(column)
        if isinstance(raw, str):
            value = clean_text(raw, multiline=multiline)
        elif isinstance(raw, int | float) and not isinstance(raw, bool):
            value = str(raw)  # a JSON postcode or phone written as a number
        elif raw is None:
            value = ""
        else:
            self.fail(column, "must be text")
            return ""
        # A required column missing from a CSV header was reported once, with the header.
        if required and not value and column in self.values:
            self.fail(column, f"{column} is required")
        return value

    def items(self, column: str) -> tuple[str, ...]:
        raw = self.raw(column)
        if isinstance(raw, str):
            parts: list[object] = list(raw.split(";"))
        elif isinstance(raw, list):
            parts = raw
        elif raw is None:
            parts = []
        else:
            self.fail(column, "must be a list (values separated by ';')")
            return ()
        items: list[str] = []
        for part in parts:
            if not isinstance(part, str):
                self.fail(column, f"{quoted(part)} is not text")
                continue
            item = clean_text(part)
            if item and item not in items:
                items.append(item)
        return tuple(items)

    def codes(
        self, column: str, valid: Collection[str], noun: str, hint: str = ""
    ) -> tuple[str, ...]:
        codes = tuple(dict.fromkeys(code.lower() for code in self.items(column)))
        for code in codes:
            if code in valid:
                continue
            close = difflib.get_close_matches(code, valid, n=1)
            guess = f"did you mean {close[0]!r}? " if close else ""
            hint = hint or f"valid: {_choices(valid)}"
            self.fail(column, f"unknown {noun} {quoted(code)}; {guess}{hint}")
        return codes

    def integer(self, column: str, low: int, high: int) -> int | None:
        raw = self.raw(column)
        if raw is None:
            return None
        if isinstance(raw, str) and _INTEGER.fullmatch(raw.strip()):
            value = int(raw.strip())
        elif isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        else:
            self.fail(column, f"{quoted(raw)} is not a whole number")
            return None
        if not low <= value <= high:
            self.fail(column, f"{value} is out of range {low}-{high}")
            return None
        return value

    def number(self, column: str) -> Decimal | None:
        raw = self.raw(column)
        if raw is None:
            return None
        if isinstance(raw, str) and _DECIMAL.fullmatch(raw.strip()):
            return Decimal(raw.strip().replace(",", "."))
        if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
            return Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        self.fail(column, f"{quoted(raw)} is not a number")
        return None

    def price(self, column: str) -> Decimal | None:
        raw = self.raw(column)
        if isinstance(raw, str) and not any(char.isdigit() for char in raw):  # a word
            free = _bare_words(raw) in _FREE
            hint = "0 means free: write 0" if free else "write the price in euros, 0 if free"
            self.fail(column, f"{quoted(raw)} is not a number; {hint}")
            return None
        value = self.number(column)
        if value is None:
            return None
        # Range first: quantizing a huge number would overflow the decimal context.
        if value < 0:
            self.fail(column, f"{value} is negative; 0 means free")
        elif value > MAX_PRICE:
            self.fail(column, f"{value} is too large (at most {MAX_PRICE})")
        elif value != value.quantize(Decimal("0.01")):
            self.fail(column, f"{value} has more than 2 decimals")
        else:
            return value.quantize(Decimal("0.01"))
        return None

    def coordinate(self, column: str, limit: int) -> float | None:
        value = self.number(column)
        if value is None:
            return None
        if not -limit <= value <= limit:
            self.fail(column, f"{value} is out of range -{limit}..{limit}")
            return None
        return float(value)

    def day(self, column: str) -> date | None:
        raw = self.raw(column)
        if raw is None:
            return None
        if isinstance(raw, str) and _DATE.fullmatch(raw.strip()):
            try:
                return date.fromisoformat(raw.strip())
            except ValueError:
                pass
        self.fail(column, f"{quoted(raw)} is not a date as YYYY-MM-DD")
        return None

    def flag(self, column: str) -> bool | None:
        raw = self.raw(column)
        if raw is None or isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower() if isinstance(raw, str | int) else None
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        self.fail(column, f"{quoted(raw)} is not true or false")
        return None


def _identifier(row: _Row) -> str:
    value = row.text("id", required=True)
    if value.lower().startswith(EXAMPLE_ID_PREFIXES):
        row.fail("id", f"{quoted(value)} is the template's example row: {_EXAMPLE_HINT}")
    if value and not _ID.fullmatch(value):
        bad = sorted({char for char in value if not re.fullmatch(r"[A-Za-z0-9._-]", char)})
        if len(value) > 64:
            row.fail("id", f"is {len(value)} characters long; at most 64")
        else:
            shown = " ".join(repr(char) for char in bad)
            row.fail("id", f"{quoted(value)} contains {shown}; use only A-Z a-z 0-9 . _ -")
    return value


def _url(row: _Row) -> str:
    value = row.text("url")
    try:
        parts = urlsplit(value)
        valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        valid = False
    if value and (not valid or any(char.isspace() for char in value)):
        row.fail("url", f"{quoted(value)} is not an http(s) address with a host")
    return value


def _email(row: _Row) -> str:
    value = row.text("email")
    if value and not _EMAIL.fullmatch(value):
        row.fail("email", f"{quoted(value)} is not an e-mail address")
    return value


def _translations(row: _Row) -> dict[str, LocalText]:
    translations: dict[str, LocalText] = {}
    for lang in TRANSLATED_LANGUAGES:
        title = row.text(f"title_{lang}")
        description = row.text(f"description_{lang}", multiline=True)
        if title or description:
            translations[lang] = LocalText(title=title, description=description)
    return translations


def parse_row(values: Mapping[str, object]) -> Offer | list[tuple[str, str]]:
    """The offer of one row, or every ``(column, reason)`` wrong with it."""
    row = _Row(values)
    identifier = _identifier(row)
    title = row.text("title", required=True)
    provider = row.text("provider", required=True)
    missions = row.codes("missions", MISSIONS, "mission")
    if not missions and "missions" in values and not row.failed("missions"):
        row.fail("missions", f"at least one mission is required; valid: {_choices(MISSIONS)}")
    age_min = row.integer("age_min", 0, 120)
    age_max = row.integer("age_max", 0, 120)
    if age_min is not None and age_max is not None and age_min > age_max:
        row.fail("age_min", f"age_min {age_min} is above age_max {age_max}")
    format_ = row.text("format").lower() or "in_person"
    if format_ not in FORMATS:
        row.fail("format", f"unknown format {quoted(format_)}; valid: {_choices(FORMATS)}")
    languages = row.codes(
        "languages", ISO_639_1, "language", "use ISO 639-1 codes of two letters (fr, en, ar...)"
    )
    latitude = row.coordinate("latitude", 90)
    longitude = row.coordinate("longitude", 180)
    for present, missing in (("latitude", "longitude"), ("longitude", "latitude")):
        if row.raw(present) is not None and row.raw(missing) is None:
            row.fail(missing, f"{present} is given, so {missing} is required too")
    start_date, end_date = row.day("start_date"), row.day("end_date")
    if start_date and end_date and start_date > end_date:
        row.fail("end_date", f"end_date {end_date} is before start_date {start_date}")
    offer = Offer(
        id=identifier,
        title=title,
        provider=provider,
        missions=missions,
        description=row.text("description", multiline=True),
        translations=_translations(row),
        topics=row.codes("topics", TOPICS, "topic"),
        keywords=row.items("keywords"),
        audiences=row.codes("audiences", AUDIENCES, "audience"),
        age_min=age_min,
        age_max=age_max,
        price_eur=row.price("price_eur"),
        format=format_,
        languages=languages or (DEFAULT_LANGUAGE,),
        address=row.text("address"),
        postcode=row.text("postcode"),
        city=row.text("city"),
        neighbourhood=row.text("neighbourhood"),
        latitude=latitude,
        longitude=longitude,
        schedule=row.text("schedule"),
        start_date=start_date,
        end_date=end_date,
        url=_url(row),
        phone=row.text("phone"),
        email=_email(row),
        wheelchair_accessible=row.flag("wheelchair_accessible"),
    )
    return row.problems or offer
