"""data·inclusion services in their CSV form, read as the JSON ones are.

data·inclusion publishes its services on data.gouv.fr as JSON and as CSV; the CSV is its table
written by pandas (``DataFrame.to_csv``): comma-separated, RFC 4180 quoting, one column per
field, an empty cell for null, and each list field (``thematiques``, ``publics``,
``modes_accueil``...) written as a Python list, ``['famille--soutien-a-la-parentalite',
'numerique--maitriser-les-fondamentaux-du-numerique']``; there is no nested ``structure``
(only ``structure_id``). Such a list, or bare codes separated by commas, is read; an extra
``tremplin`` column may hold the JSON object of catalogue columns an export writes. Each row
becomes the service the JSON reader reads (:func:`catalog.formats.data_inclusion.read_services`:
the same mapping, rules and limits), and its problems, inferences and services left out are
named by the row's line and the field's column.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date

from catalog.formats.columns import clean_text
from catalog.formats.data_inclusion import EXTENSION, read_services
from catalog.formats.lheo import Inference
from catalog.formats.open_data import OpenDataReading, Skipped
from catalog.formats.validation import (
    MAX_ROWS,
    TOO_MANY_ROWS,
    InvalidCatalogue,
    Problem,
    Problems,
    decode,
)

# The schema's array fields (service.json v1), and its number fields the reader uses.
LISTS = frozenset(
    {"thematiques", "publics", "modes_accueil", "modes_mobilisation", "mobilisable_par",
     "zone_eligibilite"}
)
NUMBERS = frozenset({"latitude", "longitude"})
REQUIRED = ("id", "source", "nom")
_ITEM = r"""\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*"""
_PY_LIST = re.compile(rf"\[(?:{_ITEM}(?:,{_ITEM})*)?\]")
_QUOTED = re.compile(_ITEM)
_SERVICE = re.compile(r"also service \[(\d+)\]")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


@dataclass(frozen=True, slots=True)
class RowSkipped(Skipped):
    """A row left out (``index`` is its line)."""

    def format(self, source: str) -> str:
        return f"{source}:{self.index}: {self.service_id}: left out, {self.reason}"


def _codes(cell: str) -> list[str] | None:
    """The codes of a list cell (``['a', 'b']`` or ``a, b``); None if it is neither."""
    text = cell.strip()
    if text.startswith("["):
        if not _PY_LIST.fullmatch(text):
            return None
        return [one or two for one, two in _QUOTED.findall(text[1:-1])]
    return [code.strip() for code in text.split(",") if code.strip()]


def _value(field: str, cell: str, line: int, problems: Problems) -> object:
    """The JSON value of a cell, as the service's field has it."""
    if not cell.strip():
        return None
    if field in LISTS:
        codes = _codes(cell)
        if codes is None:
            reason = "a list of codes, written ['a', 'b'] (or a, b)"
            problems.append(Problem(line, field, f"must be {reason}"))
        return codes
    if field in NUMBERS and _NUMBER.fullmatch(cell.strip()):
        return float(cell)
    if field == EXTENSION:
        try:
            return json.loads(cell)
        except (ValueError, RecursionError):
            problems.append(Problem(line, field, "must be a JSON object of catalogue columns"))
            return None
    return cell


def _rows(text: str, problems: Problems) -> tuple[list[object], list[int]]:
    """The services of the CSV text and the line of each."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    services: list[object] = []
    lines: list[int] = []
    line = 1
    try:
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [clean_text(cell) for cell in row]
                twice = sorted({name for name in header if header.count(name) > 1})
                missing = [name for name in REQUIRED if name not in header]
                if twice or missing:
                    reason = f"column {twice[0]!r} is there twice" if twice else (
                        f"no {missing[0]!r} column: is this data·inclusion's services CSV?"
                    )
                    raise InvalidCatalogue([Problem(start, "-", reason)])
                continue
            if len(services) >= MAX_ROWS:
                problems.append(Problem(start, "-", TOO_MANY_ROWS))
                break
            if len(row) != len(header):
                reason = f"this row has {len(row)} cells but the header has {len(header)}"
                problems.append(Problem(start, "-", reason))
                continue
            cells = zip(header, row, strict=True)  # as many: checked above
            services.append({name: _value(name, cell, start, problems) for name, cell in cells})
            lines.append(start)
    except csv.Error as error:
        problems.append(Problem(line, "-", f"not valid CSV: {error}"))
    if header is None:
        raise InvalidCatalogue([Problem(1, "-", "the file is empty")])
    return services, lines


def read_data_inclusion_csv_report(data: bytes, *, today: date | None = None) -> OpenDataReading:
    """The learning offers of data·inclusion services as CSV, the inferences, the rows left out;
    :class:`~catalog.formats.validation.InvalidCatalogue` naming every problem by line and
    column."""
    problems = Problems()
    services, lines = _rows(decode(data), problems)
    if len(problems):
        raise InvalidCatalogue(problems)

    def on_line(match: re.Match[str]) -> str:
        return f"also on line {lines[int(match.group(1))]}"

    try:
        reading = read_services(services, today=today)
    except InvalidCatalogue as error:
        found = [
            Problem(lines[problem.line], problem.column, _SERVICE.sub(on_line, problem.reason))
            for problem in error.problems
        ]
        raise InvalidCatalogue(found, error.more) from None
    inferences = [
        Inference(item.offer_id, lines[item.line], item.column, item.value, item.reason)
        for item in reading.inferences
    ]
    skipped: list[Skipped] = [
        RowSkipped(lines[item.index], item.service_id, item.reason) for item in reading.skipped
    ]
    return OpenDataReading(reading.offers, inferences, skipped, reading.scope)
