"""The rules of the catalogue contract v1: raw cells in, offers or every problem out.

The CSV and JSON readers both hand their rows here as :class:`Record` objects, so each rule is
written once and gives the same message whatever the file format. Files are untrusted: nothing
here raises anything but :class:`InvalidCatalogue`, whatever the bytes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from catalog.formats.columns import clean_text, parse_row, quoted
from catalog.offer import Offer
from catalog.offer_fields import COLUMNS, REQUIRED_COLUMNS, TRANSLATABLE, TRANSLATED_LANGUAGES

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a file: where (line, column name or ``-``) and why."""

    line: int
    column: str
    reason: str

    def format(self, source: str) -> str:
        """``FILE:LINE:COLUMN: reason``, the shape editors and CI logs understand."""
        return f"{source}:{self.line}:{self.column}: {self.reason}"


_RANK = {name: rank for rank, name in enumerate(COLUMNS)}


def _position(problem: Problem) -> tuple[int, int]:
    return problem.line, _RANK.get(problem.column, len(_RANK))


class InvalidCatalogue(Exception):
    """A catalogue file that must not be imported, with every problem found in it."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        # By line, then in the order of the contract's columns; a stable sort keeps the order of
        # a header's unknown columns.
        self.problems = sorted(problems, key=_position)
        super().__init__(f"{len(self.problems)} problem(s) in the catalogue")


@dataclass(frozen=True, slots=True)
class Record:
    """One row of a file: its cells by column name, and where it is.

    A column absent from ``values`` was absent from the file's header, which is reported once
    there; a present but empty cell is ``""`` (CSV) or ``None`` (JSON).
    """

    line: int
    values: Mapping[str, object]
    # The line of each value when it differs from the row's (pretty-printed JSON).
    lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, column: str) -> int:
        return self.lines.get(column, self.line)


def decode(data: bytes) -> str:
    """The text of a file: at most 10 MB of UTF-8 (a BOM is dropped)."""
    if len(data) > MAX_BYTES:
        raise InvalidCatalogue(
            [Problem(1, "-", f"the file is larger than the {MAX_BYTES // 2**20} MB limit")]
        )
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - data.rfind(b"\n", 0, error.start)
        reason = (
            f"not valid UTF-8: byte 0x{data[error.start]:02X} at byte {column} of the line"
            f" ({error.start + 1} of the file); save the file as UTF-8"
        )
        raise InvalidCatalogue([Problem(line, "-", reason)]) from None


def label(name: str) -> str:
    """A column name as a problem's column: one line, no control characters, short."""
    text = clean_text(name)
    return text if len(text) <= 40 else text[:39] + "…"


def unknown_column_reason(name: str) -> str | None:
    """Why ``name`` is not a column of the contract, with the likely intended one; or None."""
    if name in COLUMNS:
        return None
    if not name:
        return "a column has no name; name it or delete it"
    reason = f"unknown column {quoted(name)}"
    lowered = name.lower()
    if lowered in COLUMNS:
        return f"{reason}; column names are lower case: did you mean {lowered!r}?"
    base, _, lang = lowered.rpartition("_")  # schedule_en, and fields with "_" in their name
    if base in TRANSLATABLE and lang == "fr":
        return f"{reason}; French is the main language: use {base!r}"
    if base in TRANSLATABLE and len(lang) == 2:
        languages = ", ".join(TRANSLATED_LANGUAGES)
        return f"{reason}; translations are only for the interface languages: {languages}"
    close = difflib.get_close_matches(lowered, COLUMNS, n=1, cutoff=0.6)
    if close:
        return f"{reason}; did you mean {close[0]!r}?"
    return f"{reason}; valid columns: {', '.join(COLUMNS)}"


def check_header(names: Sequence[str], *, line: int = 1) -> list[Problem]:
    """Unknown, nameless, duplicate and missing columns of a CSV header."""
    problems: list[Problem] = []
    positions: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        reason = unknown_column_reason(name)
        if reason:
            problems.append(Problem(line, label(name) or str(position), reason))
        elif name in positions:
            reason = f"duplicate column {quoted(name)} (columns {positions[name]} and {position})"
            problems.append(Problem(line, name, reason))
        else:
            positions[name] = position
    for name in REQUIRED_COLUMNS:
        if name not in positions:
            problems.append(Problem(line, name, f"missing required column {name!r}"))
    return problems


def validate_records(records: Iterable[Record], problems: Iterable[Problem] = ()) -> list[Offer]:
    """The offers of a whole file, or :class:`InvalidCatalogue` with every problem found.

    ``problems`` are those the reader already found (header, syntax); rows are checked anyway
    so that one run shows everything to fix.
    """
    found = list(problems)
    offers: list[Offer] = []
    first_line: dict[str, int] = {}
    for count, record in enumerate(records, start=1):
        if count > MAX_ROWS:
            found.append(Problem(record.line, "-", f"more than {MAX_ROWS} rows; split the file"))
            break
        result = parse_row(record.values)
        if isinstance(result, Offer):
            offers.append(result)
            identifier = result.id
        else:
            found.extend(Problem(record.line_of(column), column, why) for column, why in result)
            raw = record.values.get("id")
            identifier = clean_text(raw) if isinstance(raw, str) else ""
        if not identifier:
            continue
        if identifier in first_line:
            reason = f"duplicate id {quoted(identifier)}: also on line {first_line[identifier]}"
            found.append(Problem(record.line_of("id"), "id", reason))
        else:
            first_line[identifier] = record.line_of("id")
    if found:
        raise InvalidCatalogue(found)
    return offers
