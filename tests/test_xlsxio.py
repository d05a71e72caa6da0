"""Excel workbooks: the CSV contract's rules on the first sheet, problems by row, safe parsing."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import DATA
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from bot.cli.main import main
from catalog.formats.csvio import read_csv
from catalog.formats.validation import InvalidCatalogue
from catalog.formats.xlsxio import EXAMPLE, MAX_UNCOMPRESSED, read_xlsx, write_xlsx
from catalog.maintenance.importer import file_format, import_file
from catalog.store.db import SessionMaker
from catalog.store.models import ImportRecord

VALID = read_csv((DATA / "catalog" / "valid.csv").read_bytes())
HEADER = ["id", "title", "provider", "missions"]


def workbook(*rows: Sequence[object], extra_sheet: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    if extra_sheet:
        book.create_sheet("other").append(["not", "read"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def problems(data: bytes) -> list[str]:
    with pytest.raises(InvalidCatalogue) as raised:
        read_xlsx(data)
    return [problem.format("f.xlsx") for problem in raised.value.problems]


def test_export_then_import_changes_nothing() -> None:
    tricky = replace(VALID[0], title='=HYPERLINK("http://evil")', description="a\nb")
    offers = [tricky, *VALID[1:]]
    assert read_xlsx(write_xlsx(offers)) == offers


def test_numbers_dates_and_booleans_are_typed_cells() -> None:
    sheet = load_workbook(io.BytesIO(write_xlsx(VALID))).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert row["start_date"].value == datetime(2026, 9, 8)
    assert row["latitude"].value == pytest.approx(45.76585)
    assert row["age_min"].value == 16
    assert row["title"].data_type == "s"


def test_spreadsheet_cells_are_read_like_csv_cells() -> None:
    data = workbook(
        [*HEADER, "start_date", "age_min", "price_eur", "wheelchair_accessible", "postcode"],
        ["a-1", "Atelier", "Asso", "family", date(2026, 9, 1), 12.0, 3.5, True, 63000],
        [],
        ["a-2", "Autre", "Asso", "family;lifelong", datetime(2026, 9, 1), None, "2,50", "non", ""],
        extra_sheet=True,
    )
    first, second = read_xlsx(data)
    assert (first.start_date, first.age_min, str(first.price_eur)) == (date(2026, 9, 1), 12, "3.50")
    assert (first.wheelchair_accessible, first.postcode) == (True, "63000")
    assert (second.missions, str(second.price_eur), second.wheelchair_accessible) == (
        ("family", "lifelong"),
        "2.50",
        False,
    )


def test_problems_name_the_sheet_row_and_the_column() -> None:
    data = workbook(
        [],
        [*HEADER, "tittle", None],
        ["a-1", "Atelier", "Asso", "familly"],
        ["a-2", "", "Asso", "family", None, "stray"],
        ["a-1", "Doublon", "Asso", "family"],
    )
    assert problems(data) == [
        "f.xlsx:2:tittle: unknown column 'tittle'; did you mean 'title'?",
        "f.xlsx:3:missions: unknown mission 'familly'; did you mean 'family'? "
        "valid: inclusive, family, workplace, digital, quality, lifelong",
        "f.xlsx:4:title: title is required",
        "f.xlsx:4:F: cell F4 is in a column with no name in the header row",
        "f.xlsx:5:id: duplicate id 'a-1': also on line 3",
    ]


def test_an_empty_sheet_and_a_non_workbook_are_refused() -> None:
    assert problems(workbook()) == ["f.xlsx:1:-: the first sheet is empty: expected a header row"]
    assert problems(b"id,title\n") == [
        "f.xlsx:1:-: not an Excel workbook (.xlsx); an old .xls or an .ods must be saved as"
        " .xlsx first"
    ]
    assert "larger than the 10 MB limit" in problems(b"PK" + b"\0" * (10 * 2**20))[0]


def test_a_zip_bomb_is_refused_before_parsing() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (MAX_UNCOMPRESSED + 1))
    assert problems(buffer.getvalue()) == ["f.xlsx:1:-: the workbook unpacks to more than 256 MB"]


def test_entities_inside_the_workbook_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    original = zipfile.ZipFile(io.BytesIO(workbook(HEADER, ["a", "b", "c", "family"])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<t>b</t>" in content
                doctype = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()
                content = doctype + content.replace(b"<t>b</t>", b"<t>&xxe;</t>")
            archive.writestr(item, content)
    assert problems(buffer.getvalue()) == [
        "f.xlsx:1:-: cannot read the workbook: its XML declares entities or a DTD, refused"
        " for safety (they can expand to gigabytes or read local files)"
    ]


@pytest.mark.asyncio
async def test_import_of_a_workbook_is_audited_as_xlsx(sessions: SessionMaker) -> None:
    assert file_format("Catalogue.XLSX") == "xlsx"
    async with sessions() as session:
        plan = await import_file(
            session=session, data=write_xlsx(VALID), source="catalogue.xlsx", actor="t"
        )
        assert len(plan.added) == 3
        audit = (await session.exec(select(ImportRecord))).one()
    assert audit.format == "xlsx"


def test_template_writes_a_header_and_one_example_row(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("template.xlsx", "template.csv"):
        path = tmp_path / name
        assert main(["--database-url", database_url, "catalog", "template", str(path)]) == 0
        assert capsys.readouterr().out.startswith(
            f"{path}: header row and one example row (exemple-1) written; replace the example"
        )
        # The example row is never imported by mistake: every other cell of it is valid.
        for command in ("validate", "import"):
            assert main(["--database-url", database_url, "catalog", command, str(path)]) == 2
            assert capsys.readouterr().err.splitlines() == [
                f"{path}:2:id: 'exemple-1' is the template's example row: delete the row, or make"
                " it one of your offers with an id of its own (ids starting with 'exemple-' or"
                " 'example-' are reserved)",
                f"{path}: 1 problem, nothing imported",
            ]
        assert main(["--database-url", database_url, "catalog", "template", str(path)]) == 2
        assert "already exists" in capsys.readouterr().err
    mine = replace(EXAMPLE, id="atelier-smartphone")
    assert read_xlsx(write_xlsx([mine])) == [mine]
