"""The catalogue as an Excel workbook (.xlsx): the first sheet holds the CSV contract's columns.

Maintainers edit the catalogue in a spreadsheet; reading the workbook they save spares them an
export to CSV. Rows go through the same rules as CSV (:mod:`catalog.formats.validation`), and
problems name the sheet's row numbers, as the spreadsheet shows them. Workbooks are untrusted
zip files of XML: openpyxl parses their XML with defusedxml (installed with Tremplin), and the
uncompressed size is checked before anything is parsed (a zip bomb of a few kilobytes can hold
gigabytes).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from time import monotonic

from defusedxml import DefusedXmlException
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from catalog.formats.columns import clean_text
from catalog.formats.csvio import offer_cells
from catalog.formats.validation import (
    MAX_BYTES,
    MAX_ROWS,
    InvalidCatalogue,
    Problem,
    Problems,
    Record,
    check_header,
    validate_records,
)
from catalog.offer import LocalText, Offer
from catalog.offer_fields import COLUMNS, FIELDS, NUMERIC_KINDS, Kind

# 20,000 rows of every column hold well under this; anything above is not a catalogue.
MAX_UNCOMPRESSED = 256 * 2**20
# The last row of an Excel or LibreOffice sheet: a workbook's rows are numbered up to this.
EXCEL_ROWS = 1_048_576
# Seconds a sheet may take to read: a 20,000-row catalogue takes a few.
TIME_BUDGET = 20.0
_DATE_FORMAT = "yyyy-mm-dd"
_TEXT_WIDTH = {"id": 14, "title": 40, "description": 60, "provider": 28, "url": 36}
# The fields written with their own type rather than as text.
_TYPED = tuple(spec.name for spec in FIELDS if spec.kind in NUMERIC_KINDS | {Kind.DATE})
# What the writer puts in a cell.
Written = str | int | float | Decimal | date | None

# The example row of ``tremplin catalog template``: every kind of cell filled in, visibly fake.
EXAMPLE = Offer(
    id="exemple-1",
    title="Atelier numérique : premiers pas avec un smartphone",
    provider="Nom de l'organisme",
    missions=("digital", "inclusive"),
    description="Appels, messages, photos et applications utiles, à son rythme.",
    translations={
        "en": LocalText(
            "Digital workshop: first steps with a smartphone", schedule="Tuesdays 2-4 pm"
        )
    },
    topics=("digital",),
    keywords=("smartphone", "débutant"),
    audiences=("retired", "job_seeker"),
    age_min=16,
    price_eur=Decimal("0.00"),
    format="in_person",
    languages=("fr",),
    address="1 place de Jaude",
    postcode="63000",
    city="Clermont-Ferrand",
    neighbourhood="Centre-Jaude",
    latitude=45.7772,
    longitude=3.0822,
    schedule="mardis 14h-16h",
    start_date=date(2026, 9, 1),
    end_date=date(2027, 6, 30),
    url="https://example.org/atelier-smartphone",
    phone="04 73 00 00 00",
    email="contact@example.org",
    wheelchair_accessible=True,
)


def _refuse(reason: str, line: int = 1) -> InvalidCatalogue:
    return InvalidCatalogue([Problem(line, "-", reason)])


def _broken(what: str, error: Exception) -> str:
    causes: list[BaseException] = [error]
    while causes[-1].__context__ is not None and len(causes) < 10:
        causes.append(causes[-1].__context__)  # openpyxl wraps what went wrong in a ValueError
    if any(isinstance(cause, DefusedXmlException) for cause in causes):
        return (
            f"cannot read {what}: its XML declares entities or a DTD, refused for safety"
            " (they can expand to gigabytes or read local files)"
        )
    return clean_text(f"cannot read {what}: {type(error).__name__}: {error}")[:300]


def _check_archive(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise _refuse(f"the file is larger than the {MAX_BYTES // 2**20} MB limit")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(
            "not an Excel workbook (.xlsx); an old .xls or an .ods must be saved as .xlsx first"
        ) from None
    if total > MAX_UNCOMPRESSED:
        raise _refuse(f"the workbook unpacks to more than {MAX_UNCOMPRESSED // 2**20} MB")


def _value(cell: object) -> object:
    """A cell as the contract's rules read it: text, whole numbers, numbers, booleans, None."""
    if isinstance(cell, datetime):
        # Dates typed in a spreadsheet are datetimes at midnight.
        return cell.date().isoformat() if cell.time() == time() else cell.isoformat(" ")
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)  # "12" typed in a cell formatted as number
    if cell is None or isinstance(cell, str | int | float | bool | Decimal):
        return cell
    return str(cell)  # times, durations, rich text: text the rules can name


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _records(rows: Iterable[Sequence[object]]) -> tuple[list[Record], Problems]:
    records: list[Record] = []
    problems = Problems()
    header: list[str] | None = None
    budget = TIME_BUDGET
    deadline = monotonic() + budget
    for line, row in enumerate(rows, start=1):
        # openpyxl yields an empty row for each row number missing before a row, however many:
        # a row numbered 10^12 would keep it busy for days.
        if line > EXCEL_ROWS:
            raise _refuse(f"the first sheet has rows after row {EXCEL_ROWS}, a spreadsheet's last")
        if line % 1024 == 0 and monotonic() > deadline:
            raise _refuse(
                f"reading the first sheet took more than {budget:g} seconds (stopped at row"
                f" {line}): is this a catalogue?",
                line,
            )
        if all(_blank(cell) for cell in row):
            continue
        if header is None:
            names = [clean_text(str(cell)) if cell is not None else "" for cell in row]
            while names and not names[-1]:
                names.pop()  # formatted but empty columns after the last one
            header = names
            # Nameless columns are only a problem if a row fills them (checked below).
            problems.extend(check_header([name for name in names if name], line=line))
            continue
        values: dict[str, object] = {}
        for position, cell in enumerate(row):
            name = header[position] if position < len(header) else ""
            if name:
                values[name] = "" if cell is None else _value(cell)
            elif not _blank(cell):
                letter = get_column_letter(position + 1)
                reason = f"cell {letter}{line} is in a column with no name in the header row"
                problems.append(Problem(line, letter, reason))
        for name in header:
            values.setdefault(name, "")
        records.append(Record(line, values))
        if len(records) > MAX_ROWS:
            break  # validate_records names the limit
    if header is None and not problems:
        problems.append(Problem(1, "-", "the first sheet is empty: expected a header row"))
    return records, problems


def read_xlsx(data: bytes, *, today: date | None = None) -> list[Offer]:
    """The offers of the first sheet of a workbook, or :class:`InvalidCatalogue` (``today``:
    see :func:`~catalog.formats.validation.validate_records`)."""
    _check_archive(data)
    try:
        # read_only streams the sheet; data_only reads the values formulas last computed.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        # openpyxl raises many kinds of errors on a broken file; each is a problem of the file.
        raise _refuse(_broken("the workbook", error)) from None
    try:
        if not workbook.worksheets:
            raise _refuse("the workbook has no sheet")
        sheet = workbook.worksheets[0]
        declared = sheet.max_row  # from <dimension ref="A1:D20">, when the sheet has one
        if isinstance(declared, int) and declared > EXCEL_ROWS:
            raise _refuse(
                f"the first sheet declares {declared} rows; a spreadsheet has at most {EXCEL_ROWS}"
            )
        # The stored dimensions can be wrong (some tools never update them): read every row,
        # up to a spreadsheet's last row (see _records).
        sheet.reset_dimensions()
        records, problems = _records(sheet.iter_rows(values_only=True))
    except InvalidCatalogue:
        raise
    except Exception as error:  # a broken sheet surfaces while its rows are read
        raise _refuse(_broken("the first sheet", error)) from None
    finally:
        workbook.close()
    return validate_records(records, problems, today=today)


def _typed(offer: Offer) -> dict[str, Written]:
    """The cells of an offer with spreadsheet types: numbers as numbers, dates as dates."""
    cells: dict[str, Written] = dict(offer_cells(offer))
    cells.update((name, getattr(offer, name)) for name in _TYPED)
    return cells


def write_xlsx(offers: Iterable[Offer]) -> bytes:
    """A workbook of ``offers``: one sheet, every column of the contract, header in bold."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "offers"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    for row, offer in enumerate(offers, start=2):
        cells = _typed(offer)
        for column, name in enumerate(COLUMNS, start=1):
            value = cells[name]
            if value is None or value == "":
                continue
            cell = sheet.cell(row=row, column=column, value=value)
            if isinstance(value, str):
                # A string type is never a formula, even one starting with "=": no
                # neutralising quote needed, unlike CSV.
                cell.data_type = "s"
            elif isinstance(value, date):
                cell.number_format = _DATE_FORMAT
            elif name == "price_eur":
                cell.number_format = "0.00"
    for column, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = _TEXT_WIDTH.get(name, 12)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
