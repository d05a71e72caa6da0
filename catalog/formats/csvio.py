"""The catalogue as CSV (the contract's columns): reading untrusted files, writing safe ones.

Exports are opened in spreadsheets, so a text cell that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or CR) is written with a leading ``'``, and reading
removes exactly one such quote again: export then import changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any

from catalog.formats.columns import clean_text
from catalog.formats.validation import (
    MAX_ROWS,
    TOO_MANY_ROWS,
    InvalidCatalogue,
    Problem,
    Problems,
    Record,
    check_header,
    decode,
    validate_records,
)
from catalog.offer import Offer
from catalog.offer_fields import (
    COLUMNS,
    FIELDS,
    NUMERIC_COLUMNS,
    TRANSLATABLE,
    TRANSLATED_LANGUAGES,
    Kind,
)

# Any run of quotes before a formula character, so that a cell which already starts with
# "'=" survives the round trip too (it is written "''=" and read back "'=").
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_BOM = b"\xef\xbb\xbf"
_CSV_ERRORS = {
    "unexpected end of data": 'a quoted cell that starts here is never closed (missing ")',
    "',' expected after '\"'": 'a quote inside a quoted cell must be doubled ("")',
}


# French spreadsheets save "CSV" with semicolons (and in Windows-1252): one message for both.
SEMICOLONS = (
    'the columns are separated by ";" but the separator must be a comma: save the file as'
    ' "CSV UTF-8 (comma delimited)" (in French: "CSV UTF-8 (délimité par des virgules)"),'
    " or import the .xlsx file itself"
)


def _known(cells: list[str]) -> int:
    return sum(clean_text(cell) in COLUMNS for cell in cells)


def separated_by_semicolons(data: bytes) -> bool:
    """Whether the header row names more columns when split on ``;`` than on ``,``."""
    start = len(_BOM) if data.startswith(_BOM) else 0
    end = data.find(b"\n", start, start + 64 * 1024)
    text = data[start : end if end >= 0 else start + 64 * 1024].decode("utf-8", "replace")
    first = next(iter(text.splitlines()), "")
    if ";" not in first:
        return False
    try:
        by_comma = next(csv.reader([first]), [])
        by_semicolon = next(csv.reader([first], delimiter=";"), [])
    except csv.Error:  # a NUL byte...: read_csv names it
        return False
    return _known(by_semicolon) > max(_known(by_comma), 1)


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet shows it as text, never runs it as a formula."""
    return "'" + cell if _FORMULA.match(cell) else cell


def unneutralise(cell: str) -> str:
    """Undo :func:`neutralise` (also for files a spreadsheet exported the same way)."""
    return cell[1:] if _NEUTRALISED.match(cell) else cell


def read_csv(data: bytes, *, today: date | None = None) -> list[Offer]:
    """The offers of a CSV file, or :class:`InvalidCatalogue` naming every problem (``today``:
    see :func:`~catalog.formats.validation.validate_records`)."""
    if separated_by_semicolons(data):
        raise InvalidCatalogue([Problem(1, "-", SEMICOLONS)])
    text = decode(data)
    records: list[Record] = []
    problems = Problems()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    line = 1
    rows = 0
    try:
        for row in reader:
            # A quoted cell can hold line breaks: a row starts where the previous one ended.
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue  # blank lines, and the ",,,," rows spreadsheets leave at the end
            if header is None:
                header = [clean_text(unneutralise(cell)) for cell in row]
                problems.extend(check_header(header, line=start))
                continue
            rows += 1  # bad rows count too: a million of them is no catalogue either
            if rows > MAX_ROWS:
                problems.append(Problem(start, "-", TOO_MANY_ROWS))
                break
            if len(row) != len(header):
                reason = f"this row has {len(row)} cells but the header has {len(header)}"
                problems.append(Problem(start, "-", reason))
                continue
            values = {
                name: unneutralise(cell) for name, cell in zip(header, row, strict=True) if name
            }
            records.append(Record(start, values))
    except csv.Error as error:
        message = str(error)
        problems.append(Problem(line, "-", _CSV_ERRORS.get(message, f"malformed CSV: {message}")))
    if header is None and not problems:
        problems.append(Problem(1, "-", "the file is empty: expected a header row"))
    return validate_records(records, problems, today=today)


def _number(value: Decimal | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float; "f" avoids 1e-05.
        return format(Decimal(repr(value)), "f")
    return f"{value:.2f}"


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _optional(value: object) -> str:
    return "" if value is None else str(value)


def _flag(value: bool | None) -> str:
    return "" if value is None else str(value).lower()


def _joined(values: Iterable[str]) -> str:
    return ";".join(values)


_WRITERS: dict[Kind, Callable[[Any], str]] = {
    Kind.CODES: _joined, Kind.LANGUAGES: _joined, Kind.WORDS: _joined,
    Kind.AGE: _optional, Kind.PRICE: _number, Kind.LATITUDE: _number, Kind.LONGITUDE: _number,
    Kind.DATE: _date, Kind.FLAG: _flag, Kind.MONTHS: _optional,
}
# Each field's conversion to text (None: already text), precomputed: exports write every cell of
# 10,000 offers.
_FIELD_WRITERS = tuple((spec.name, _WRITERS.get(spec.kind)) for spec in FIELDS)
_FIELD_VALUES = attrgetter(*(spec.name for spec in FIELDS))
_TRANSLATION_COLUMNS = tuple(
    (lang, tuple((name, f"{name}_{lang}") for name in TRANSLATABLE))
    for lang in TRANSLATED_LANGUAGES
)


def offer_cells(offer: Offer) -> dict[str, str]:
    """The CSV cells of an offer, by column (not neutralised)."""
    cells = {
        name: value if write is None else write(value)
        for (name, write), value in zip(_FIELD_WRITERS, _FIELD_VALUES(offer), strict=True)
    }
    for lang, columns in _TRANSLATION_COLUMNS:
        local = offer.translations.get(lang)
        for name, column in columns:
            cells[column] = getattr(local, name) if local else ""
    return cells


def write_csv(offers: Iterable[Offer]) -> str:
    """The CSV text of ``offers``: every column of the contract, formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for offer in offers:
        cells = offer_cells(offer)
        writer.writerow(
            cells[name] if name in NUMERIC_COLUMNS else neutralise(cells[name]) for name in COLUMNS
        )
    return buffer.getvalue()
