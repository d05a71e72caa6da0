"""The catalogue as JSON: the fields of the CSV contract, with JSON types.

A file is a list of offer objects, or ``{"offers": [...]}``. Multi-valued fields are arrays
(a ``;``-separated string is accepted too), dates are ``YYYY-MM-DD`` strings, prices strings or
numbers. Problems name the line of the field in the file, as for CSV.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from catalog.formats.columns import quoted
from catalog.formats.csvio import offer_cells
from catalog.formats.validation import (
    MAX_COLUMNS,
    MAX_ROWS,
    TOO_MANY_ROWS,
    Problem,
    Problems,
    Record,
    decode,
    label,
    unknown_column_reason,
    validate_records,
)
from catalog.offer import Offer
from catalog.offer_fields import COLUMN_FIELDS, REQUIRED_COLUMNS, Kind

_SPACE = re.compile(r"[ \t\n\r]*")
_Pair = tuple[str, Any, int, int]  # key, value, position of the key, position of the value


class _Text:
    """Valid JSON text walked element by element, to know the line where each value is.

    The json module gives no positions for what it parses; decoding each key and value with
    ``raw_decode`` at a known offset does, at the cost of a second parse.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.decoder = json.JSONDecoder()
        self.newlines = [match.start() for match in re.finditer("\n", text)]

    def line(self, position: int) -> int:
        return bisect.bisect_left(self.newlines, position) + 1

    def skip(self, position: int) -> int:
        match = _SPACE.match(self.text, position)
        return match.end() if match else position

    def value(self, position: int) -> tuple[Any, int]:
        value, end = self.decoder.raw_decode(self.text, position)
        return value, self.skip(end)

    def pairs(self, position: int) -> list[_Pair]:
        """The members of the object that starts at ``position``, in file order."""
        pairs: list[_Pair] = []
        position = self.skip(position + 1)
        while self.text[position] != "}":
            key, key_end = self.value(position)
            start = self.skip(key_end + 1)  # after the colon
            value, end = self.value(start)
            pairs.append((key, value, position, start))
            position = self.skip(end + 1) if self.text[end] == "," else end
        return pairs

    def items(self, position: int) -> list[int]:
        """The positions of the elements of the array that starts at ``position``."""
        positions: list[int] = []
        position = self.skip(position + 1)
        while self.text[position] != "]":
            positions.append(position)
            _, end = self.value(position)
            position = self.skip(end + 1) if self.text[end] == "," else end
        return positions


def _offers_array(text: _Text, document: object) -> int | Problem:
    start = text.skip(0)
    if isinstance(document, list):
        return start
    if isinstance(document, dict) and isinstance(document.get("offers"), list):
        # The last "offers" wins, as in json.loads.
        return [value_at for key, _, _, value_at in text.pairs(start) if key == "offers"][-1]
    return Problem(1, "-", 'expected a list of offers, or an object with an "offers" list')


def _record(text: _Text, position: int, index: int) -> tuple[Record | None, list[Problem]]:
    line = text.line(position)
    if text.text[position] != "{":
        return None, [Problem(line, "-", f"offer {index} is not an object")]
    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    pairs = text.pairs(position)
    if len(pairs) > MAX_COLUMNS:  # naming each of 300,000 unknown fields takes half a minute
        too_many = f"offer {index} has more than {MAX_COLUMNS} fields: is this a catalogue?"
        return None, [Problem(line, "-", too_many)]
    for key, value, key_at, _ in pairs:
        key_line = text.line(key_at)
        reason = unknown_column_reason(key)
        if reason:
            problems.append(Problem(key_line, label(key) or "-", reason))
        elif key in values:
            reason = f"duplicate field {quoted(key)} (also on line {lines[key]})"
            problems.append(Problem(key_line, key, reason))
        else:
            values[key], lines[key] = value, key_line
    for name in REQUIRED_COLUMNS:
        values.setdefault(name, None)  # so that the rules report it missing
    return Record(line, values, lines), problems


def read_json(data: bytes, *, today: date | None = None) -> list[Offer]:
    """The offers of a JSON file, or :class:`InvalidCatalogue` naming every problem (``today``:
    see :func:`~catalog.formats.validation.validate_records`)."""
    source = decode(data)
    try:
        document = json.loads(source)
        text = _Text(source)
        where = _offers_array(text, document)
        if isinstance(where, Problem):
            return validate_records([], [where])
        records: list[Record] = []
        problems = Problems()
        for index, position in enumerate(text.items(where), start=1):
            if index > MAX_ROWS:
                problems.append(Problem(text.line(position), "-", TOO_MANY_ROWS))
                break
            record, found = _record(text, position, index)
            problems.extend(found)
            if record:
                records.append(record)
    except json.JSONDecodeError as error:
        reason = f"invalid JSON: {error.msg} (column {error.colno})"
        return validate_records([], [Problem(error.lineno, "-", reason)])
    except (ValueError, RecursionError) as error:
        # Integers of thousands of digits, or arrays nested thousands deep.
        return validate_records([], [Problem(1, "-", f"invalid JSON: {error}")])
    return validate_records(records, problems, today=today)


# How a field's JSON value is made from the offer's value and its CSV cell: lists, numbers,
# booleans and null where JSON has them; a price stays a string, so that a decimal stays exact.
def _as_list(value: Any, cell: str) -> object:
    return list(value)


def _as_is(value: Any, cell: str) -> object:
    return value


def _cell_or_null(value: Any, cell: str) -> object:
    return cell or None


_JSON: dict[Kind, Callable[[Any, str], object]] = {
    Kind.CODES: _as_list, Kind.LANGUAGES: _as_list, Kind.WORDS: _as_list,
    Kind.AGE: _as_is, Kind.LATITUDE: _as_is, Kind.LONGITUDE: _as_is, Kind.FLAG: _as_is,
    Kind.PRICE: _cell_or_null, Kind.DATE: _cell_or_null, Kind.MONTHS: _as_is,
}
# Per column: the field's name and conversion (None: the cell as it is, only if not empty).
_COLUMN_JSON = tuple(
    (name, spec.name, _JSON.get(spec.kind)) if name == spec.name else (name, None, None)
    for name, spec in COLUMN_FIELDS
)


def offer_json(offer: Offer) -> dict[str, object]:
    """The JSON object of an offer: every field, translations only where there are some."""
    cells = offer_cells(offer)
    fields: dict[str, object] = {}
    for name, field, convert in _COLUMN_JSON:
        cell = cells[name]
        if field is None:
            if cell:  # a translation
                fields[name] = cell
        else:
            fields[name] = cell if convert is None else convert(getattr(offer, field), cell)
    return fields


def write_json(offers: Iterable[Offer]) -> str:
    """The JSON text of ``offers``: ``{"offers": [...]}``, UTF-8 kept readable."""
    document = {"offers": [offer_json(offer) for offer in offers]}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
