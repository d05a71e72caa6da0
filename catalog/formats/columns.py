"""The rule of each cell of the catalogue contract, by the kind of its field.

The columns themselves come from :data:`catalog.offer_fields.FIELDS`.
:func:`parse_row` turns the raw cells of one row (strings from CSV; strings, numbers, booleans,
lists or null from JSON) into an :class:`Offer`, or into every ``(column, reason)`` wrong with it.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from catalog.offer import LocalText, Offer
from catalog.offer_fields import (
    COLUMNS,
    FIELDS,
    MAX_LENGTH,
    MULTIVALUED_COLUMNS,
    NUMERIC_COLUMNS,
    REQUIRED_COLUMNS,
    TRANSLATABLE,
    TRANSLATED_LANGUAGES,
    FieldSpec,
    Kind,
)
from catalog.schedule import check_opening_hours, parse_sessions, sessions_text

__all__ = [  # the columns, for the readers and writers that import them from here
    "COLUMNS", "MULTIVALUED_COLUMNS", "NUMERIC_COLUMNS", "REQUIRED_COLUMNS",
    "TRANSLATED_LANGUAGES", "clean_text", "parse_row", "quoted",
]

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


def means_free(text: str) -> bool:
    """Whether ``text`` is a word for "free" ("gratuit", "Entrée libre", "مجاني") in a price."""
    return _bare_words(text) in _FREE


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

    def text(
        self,
        column: str,
        *,
        required: bool = False,
        multiline: bool = False,
        limit: int = MAX_LENGTH,
    ) -> str:
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
        if len(value) > limit:
            self.too_long(column, value, limit)
        return value

    def too_long(self, column: str, value: str, limit: int) -> None:
        self.fail(column, f"is {len(value)} characters long; at most {limit}")

    def items(self, column: str, limit: int = MAX_LENGTH) -> tuple[str, ...]:
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
        cell = ";".join(items)  # as an export writes it
        if len(cell) > limit:
            self.too_long(column, cell, limit)
        return tuple(items)

    def codes(
        self,
        column: str,
        valid: Collection[str],
        noun: str,
        hint: str = "",
        limit: int = MAX_LENGTH,
    ) -> tuple[str, ...]:
        codes = tuple(dict.fromkeys(code.lower() for code in self.items(column, limit)))
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
            free = means_free(raw)
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


# Characters that reorder the text around them as it is shown: an address can then look like
# another one than it opens ("https://bank.example\u202e/moc.live" shows "...evil.com/").
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# The port after the host (IPv6 hosts are in brackets): None without one.
_HOST_PORT = re.compile(r"(?:\[[^\]]*\]|[^:]*)(?::(?P<port>.*))?", re.DOTALL)


def _url_problem(value: str) -> str | None:
    """What is wrong with an address, or None."""
    control = _BIDI_CONTROLS.search(value)
    if control:
        return (
            f"{quoted(value)} contains the bidirectional control character"
            f" U+{ord(control.group()):04X}, which can make an address look like another"
        )
    try:
        parts = urlsplit(value)
        valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        valid = False
    if not valid or any(char.isspace() for char in value):
        return f"{quoted(value)} is not an http(s) address with a host"
    found = _HOST_PORT.fullmatch(parts.netloc.rpartition("@")[2])
    port = found.group("port") if found else None
    if port and not (re.fullmatch("[0-9]{1,5}", port) and 1 <= int(port) <= 65535):
        return f"{quoted(value)} has port {quoted(port, 20)}; a port is a number from 1 to 65535"
    return None


def _url(row: _Row, spec: FieldSpec) -> str:
    value = row.text("url", limit=spec.max_length)
    problem = _url_problem(value) if value else None
    if problem:
        row.fail("url", problem)
    return value


def _email(row: _Row, spec: FieldSpec) -> str:
    value = row.text("email", limit=spec.max_length)
    if value and not _EMAIL.fullmatch(value):
        row.fail("email", f"{quoted(value)} is not an e-mail address")
    return value


_LANGUAGE_HINT = "use ISO 639-1 codes of two letters (fr, en, ar...)"


def _text(row: _Row, spec: FieldSpec) -> str:
    return row.text(spec.name, required=spec.required, limit=spec.max_length)


def _long_text(row: _Row, spec: FieldSpec) -> str:
    return row.text(spec.name, required=spec.required, multiline=True, limit=spec.max_length)


def _choice(row: _Row, spec: FieldSpec) -> str:
    value = row.text(spec.name, limit=spec.max_length).lower() or str(spec.default)
    if value not in spec.codes:
        valid = _choices(spec.codes)
        row.fail(spec.name, f"unknown {spec.noun} {quoted(value)}; valid: {valid}")
    return value


def _codes(row: _Row, spec: FieldSpec) -> tuple[str, ...]:
    name = spec.name
    codes = row.codes(name, spec.codes, spec.noun, limit=spec.max_length)
    if spec.required and not codes and name in row.values and not row.failed(name):
        row.fail(name, f"at least one {spec.noun} is required; valid: {_choices(spec.codes)}")
    return codes


def _languages(row: _Row, spec: FieldSpec) -> object:
    hint = "use ISO 639-1 codes of two letters (fr, en, ar...)"
    return row.codes(spec.name, ISO_639_1, "language", hint, spec.max_length) or spec.default


def _sessions(row: _Row, spec: FieldSpec) -> str:
    """The sessions in their canonical form, or the bad interval and the character it starts at."""
    value = row.text(spec.name, limit=spec.max_length)
    if not value or row.failed(spec.name):
        return value
    try:
        return sessions_text(parse_sessions(value))
    except ValueError as error:
        row.fail(spec.name, str(error))
        return value
    except OverflowError:  # a whole day's session ends the next midnight: none after 9999-12-30
        row.fail(spec.name, f"{quoted(value)} ends after the last day a date can hold")
        return value


def _opening_hours(row: _Row, spec: FieldSpec) -> str:
    value = row.text(spec.name, limit=spec.max_length)
    problem = check_opening_hours(value) if value and not row.failed(spec.name) else None
    if problem:
        row.fail(spec.name, problem)
    return value


# The rule of each kind of cell: the value of a field, its problems going to the row. A table
# rather than a match: parse_row runs it for every cell of files of 10,000 rows.
_RULES: dict[Kind, Callable[[_Row, FieldSpec], object]] = {
    Kind.ID: lambda row, spec: _identifier(row),
    Kind.TEXT: _text,
    Kind.LONG_TEXT: _long_text,
    Kind.CHOICE: _choice,
    Kind.CODES: _codes,
    Kind.LANGUAGES: _languages,
    Kind.WORDS: lambda row, spec: row.items(spec.name, spec.max_length),
    Kind.AGE: lambda row, spec: row.integer(spec.name, 0, 120),
    Kind.MONTHS: lambda row, spec: _or_default(row.integer(spec.name, 1, 120), spec),
    Kind.PRICE: lambda row, spec: row.price(spec.name),
    Kind.LATITUDE: lambda row, spec: row.coordinate(spec.name, 90),
    Kind.LONGITUDE: lambda row, spec: row.coordinate(spec.name, 180),
    Kind.DATE: lambda row, spec: row.day(spec.name),
    Kind.FLAG: lambda row, spec: row.flag(spec.name),
    Kind.URL: _url,
    Kind.EMAIL: _email,
    Kind.SESSIONS: _sessions,
    Kind.OPENING_HOURS: _opening_hours,
}
def _or_default(value: object, spec: FieldSpec) -> object:
    return spec.default if value is None else value


_FIELD_RULES = tuple((spec, _RULES[spec.kind]) for spec in FIELDS)
# (field, column, multiline, limit) of each translation column, by language.
_TRANSLATION_CELLS = tuple(
    (lang, tuple(
        (spec.name, f"{spec.name}_{lang}", spec.kind is Kind.LONG_TEXT, spec.max_length)
        for spec in FIELDS
        if spec.name in TRANSLATABLE
    ))
    for lang in TRANSLATED_LANGUAGES
)


def _translations(row: _Row) -> dict[str, LocalText]:
    translations: dict[str, LocalText] = {}
    values = row.values
    for lang, cells in _TRANSLATION_CELLS:
        if all(values.get(column) in (None, "") for _, column, _, _ in cells):
            continue  # most offers are translated into few languages, if any
        texts = {
            name: row.text(column, multiline=multiline, limit=limit)
            for name, column, multiline, limit in cells
        }
        if any(texts.values()):
            translations[lang] = LocalText(**texts)
    return translations


def _check_together(row: _Row, values: Mapping[str, Any], today: date | None) -> None:
    """The rules between fields: bounds in order, both coordinates or none, and an offer not
    confirmed after ``today``."""
    age_min, age_max = values["age_min"], values["age_max"]
    if age_min is not None and age_max is not None and age_min > age_max:
        row.fail("age_min", f"age_min {age_min} is above age_max {age_max}")
    for present, missing in (("latitude", "longitude"), ("longitude", "latitude")):
        if row.raw(present) is not None and row.raw(missing) is None:
            row.fail(missing, f"{present} is given, so {missing} is required too")
    start_date, end_date = values["start_date"], values["end_date"]
    if start_date and end_date and start_date > end_date:
        row.fail("end_date", f"end_date {end_date} is before start_date {start_date}")
    updated_on = values["updated_on"]
    if today is not None and updated_on is not None and updated_on > today:
        # A future date would keep the offer "fresh" for longer than its review period.
        row.fail("updated_on", f"updated_on {updated_on} is in the future (today is {today})")


def parse_row(
    values: Mapping[str, object], *, today: date | None = None
) -> Offer | list[tuple[str, str]]:
    """The offer of one row, or every ``(column, reason)`` wrong with it; with ``today``, an
    ``updated_on`` after it is wrong."""
    row = _Row(values)
    fields: dict[str, Any] = {spec.name: rule(row, spec) for spec, rule in _FIELD_RULES}
    _check_together(row, fields, today)
    translations = _translations(row)
    return row.problems or Offer(**fields, translations=translations)
