"""The rules of the catalogue contract v1: raw cells in, offers or every problem out.

The CSV and JSON readers both hand their rows here as :class:`Record` objects, so each rule is
written once and gives the same message whatever the file format. Files are untrusted: nothing
here raises anything but :class:`InvalidCatalogue`, whatever the bytes.
"""

from __future__ import annotations

import difflib
import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from catalog.formats.columns import clean_text, parse_row, quoted
from catalog.offer import Offer
from catalog.offer_fields import COLUMNS, REQUIRED_COLUMNS, TRANSLATABLE, TRANSLATED_LANGUAGES

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
TOO_MANY_ROWS = f"more than {MAX_ROWS} rows; split the file"
# A refused file names its first problems and counts the others: a report stays readable, and
# memory bounded, whatever the file (10 MB of bad one-cell rows would be millions of problems).
MAX_PROBLEMS = 200
# A header with more columns than this is not a catalogue's: it is refused without naming each.
MAX_COLUMNS = 1000
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


class Problems:
    """The problems found so far: the first :data:`MAX_PROBLEMS` of the file (by line, then
    column, whatever order they were found in) kept, the others only counted."""

    def __init__(self, found: Iterable[Problem] = ()) -> None:
        # A max-heap by position (negated): its top is the last problem kept, the one to drop.
        self._heap: list[tuple[int, int, int, Problem]] = []
        self._seen = 0
        self.more = 0
        self.extend(found)

    def append(self, problem: Problem) -> None:
        line, rank = _position(problem)
        self._seen += 1
        entry = (-line, -rank, -self._seen, problem)
        if len(self._heap) < MAX_PROBLEMS:
            heapq.heappush(self._heap, entry)
            return
        self.more += 1
        if entry > self._heap[0]:  # earlier in the file than the last one kept
            heapq.heapreplace(self._heap, entry)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)

    @property
    def kept(self) -> list[Problem]:
        """The problems kept, in the order they were found."""
        return [entry[3] for entry in sorted(self._heap, key=lambda entry: -entry[2])]

    def __len__(self) -> int:
        return len(self._heap) + self.more

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.kept)


class InvalidCatalogue(Exception):
    """A catalogue file that must not be imported, with its first problems and their count.

    ``problems`` are at most :data:`MAX_PROBLEMS`; ``more`` counts those left out and ``count``
    is the total.
    """

    def __init__(self, problems: Iterable[Problem], more: int = 0) -> None:
        if isinstance(problems, Problems):
            more += problems.more
        # By line, then in the order of the contract's columns; a stable sort keeps the order of
        # a header's unknown columns.
        ordered = sorted(problems, key=_position)
        self.problems = ordered[:MAX_PROBLEMS]
        self.more = more + len(ordered) - len(self.problems)
        self.count = len(self.problems) + self.more
        super().__init__(f"{self.count} problem(s) in the catalogue")

    def report(self, source: str) -> list[str]:
        """One line per problem kept, then how many more there are: a few hundred lines at most."""
        lines = [problem.format(source) for problem in self.problems]
        if self.more:
            lines.append(f"{source}: …and {self.more} more problem{'s' * (self.more != 1)}")
        return lines


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
    if len(names) > MAX_COLUMNS:
        # Naming each of 300,000 columns (with a suggestion for each) takes half a minute.
        too_many = (
            f"the header row has {len(names)} columns; the contract has {len(COLUMNS)}:"
            " is this a catalogue?"
        )
        return [Problem(line, "-", too_many)]
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


def validate_records(
    records: Iterable[Record], problems: Iterable[Problem] = (), *, today: date | None = None
) -> list[Offer]:
    """The offers of a whole file, or :class:`InvalidCatalogue` with every problem found.

    ``problems`` are those the reader already found (header, syntax); rows are checked anyway
    so that one run shows everything to fix. ``today`` is the day the file is read, in the
    city's time zone (default: the machine's date, as the importer's): an offer confirmed
    (``updated_on``) after it is refused.
    """
    day = today or date.today()
    found = problems if isinstance(problems, Problems) else Problems(problems)
    offers: list[Offer] = []
    first_line: dict[str, int] = {}
    for count, record in enumerate(records, start=1):
        if count > MAX_ROWS:
            found.append(Problem(record.line, "-", TOO_MANY_ROWS))
            break
        result = parse_row(record.values, today=day)
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
