"""Hostile catalogue files (issue 14, items 1, 2, 4, 5 and 13): each made here, each refused
with exit 2 and problems naming the line and the column, in bounded time and memory."""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.cli.main import main
from catalog.formats import xlsxio
from catalog.formats.csvio import read_csv
from catalog.formats.jsonio import read_json
from catalog.formats.lheo import read_lheo
from catalog.formats.validation import MAX_PROBLEMS, MAX_ROWS, InvalidCatalogue, Problem
from catalog.formats.xlsxio import EXCEL_ROWS, read_xlsx

HEADER = ["id", "title", "provider", "missions"]


def validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """``tremplin catalog validate PATH``: its exit code and the lines of its stderr."""
    code = main(
        [
            "--database-url",
            f"sqlite+aiosqlite:///{path.parent}/db.sqlite",
            "catalog",
            "validate",
            str(path),
        ]
    )
    return code, capsys.readouterr().err.splitlines()


def refused(read: object, data: bytes) -> InvalidCatalogue:
    assert callable(read)
    with pytest.raises(InvalidCatalogue) as raised:
        read(data)
    return raised.value


def _saved(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewritten(data: bytes, part: str, change: dict[str, str]) -> bytes:
    """The workbook with ``part``'s XML edited by regular expressions (pattern -> replacement)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                text = content.decode()
                for pattern, replacement in change.items():
                    text = re.sub(pattern, replacement, text)
                content = text.encode()
            target.writestr(info.filename, content)
    return out.getvalue()


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package'
    '/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def handmade_workbook(rows: list[str], strings: list[str]) -> bytes:
    """A workbook as a hostile tool writes it: ``rows`` are the cells' XML of rows 1, 2...,
    ``strings`` the shared strings they refer to."""
    sheet = "".join(f'<row r="{n}">{cells}</row>' for n, cells in enumerate(rows, start=1))
    shared = "".join(f"<si><t>{text}</t></si>" for text in strings)
    package = _RELATIONSHIPS.replace("officeDocument", "package")
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": f'<Relationships xmlns="{package}">'
        f'<Relationship Id="r1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><sheets>'
        '<sheet name="offers" sheetId="1" r:id="r1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{package}">'
        f'<Relationship Id="r1" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="r2" Type="{_RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{_MAIN}"><sheetData>{sheet}</sheetData>'
        "</worksheet>",
        "xl/sharedStrings.xml": f'<sst xmlns="{_MAIN}" count="{len(strings)}">{shared}</sst>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def gap_workbook(row: int, *, dimension: str = "A1:D1") -> bytes:
    """A header, then one data row numbered ``row``: openpyxl yields every row before it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["a-1", "Atelier", "Centre", "digital"])
    return _rewritten(
        _saved(book),
        "xl/worksheets/sheet1.xml",
        {
            r'<dimension ref="[^"]*" ?/>': f'<dimension ref="{dimension}"/>',
            r'<row r="2"': f'<row r="{row}"',
            r'r="([A-D])2"': rf'r="\g<1>{row}"',
        },
    )


# 1. XLSX row gap.


def test_a_row_numbered_ten_to_the_twelfth_is_refused_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = gap_workbook(10**12)
    assert len(data) < 6000
    path = tmp_path / "gap.xlsx"
    path.write_bytes(data)
    code, err = validate(path, capsys)
    assert code == 2
    assert err == [
        f"{path}:1:-: the first sheet has rows after row {EXCEL_ROWS}, a spreadsheet's last",
        f"{path}: 1 problem, nothing imported",
    ]


def test_a_declared_dimension_beyond_a_spreadsheet_is_refused_before_reading() -> None:
    error = refused(read_xlsx, gap_workbook(3, dimension="A1:D99999999999"))
    assert [problem.reason for problem in error.problems] == [
        f"the first sheet declares 99999999999 rows; a spreadsheet has at most {EXCEL_ROWS}"
    ]


def test_rows_after_a_wrong_dimension_are_still_read() -> None:
    """Some tools never update the dimension: rows after it, up to a sheet's last, count."""
    (offer,) = read_xlsx(gap_workbook(5000))
    assert offer.id == "a-1"


def test_a_sheet_slower_than_the_budget_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsxio, "TIME_BUDGET", -1.0)  # already over budget at the first check
    error = refused(read_xlsx, gap_workbook(5000))
    (problem,) = error.problems
    assert problem.line == 1024
    assert problem.reason.startswith("reading the first sheet took more than -1 seconds")


# 2. Shared-string amplification.


def test_one_huge_shared_string_in_200_rows_is_refused_by_line_and_column() -> None:
    strings = [*HEADER, "Centre", "digital", "x" * 2**20]  # openpyxl writes none so long
    rows = ["".join(f'<c r="{c}1" t="s"><v>{n}</v></c>' for n, c in enumerate("ABCD"))]
    rows += [
        f'<c r="A{line}" t="inlineStr"><is><t>o-{line}</t></is></c><c r="B{line}" t="s"><v>6</v>'
        f'</c><c r="C{line}" t="s"><v>4</v></c><c r="D{line}" t="s"><v>5</v></c>'
        for line in range(2, 202)
    ]
    data = handmade_workbook(rows, strings)
    assert len(data) < 8000  # one shared string, 200 references
    tracemalloc.start()
    try:
        error = refused(read_xlsx, data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20  # the 210 MB catalogue is never built
    assert error.count == 200
    assert error.problems[0] == Problem(2, "title", f"is {2**20} characters long; at most 200")
    assert error.problems[-1].line == 201


# 4. Unbounded error lists.


def test_10_mb_of_one_cell_rows_gives_a_bounded_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rows.csv"
    body = b"x\n" * ((10 * 2**20 - 40) // 2)
    path.write_bytes(b",".join(name.encode() for name in HEADER) + b"\n" + body)
    code, err = validate(path, capsys)
    assert code == 2
    assert len(err) == MAX_PROBLEMS + 2
    assert err[0] == f"{path}:2:-: this row has 1 cells but the header has 4"
    assert (
        err[MAX_PROBLEMS - 1]
        == f"{path}:{MAX_PROBLEMS + 1}:-: this row has 1 cells but the header has 4"
    )
    # The row limit counts refused rows too: reading stops at row 20,001.
    assert err[-2] == f"{path}: …and {MAX_ROWS + 1 - MAX_PROBLEMS} more problems"
    assert err[-1] == f"{path}: {MAX_ROWS + 1} problems, nothing imported"


def test_the_first_problems_by_line_are_kept_whatever_order_they_were_found_in() -> None:
    # Row-length problems are found while reading, each row's cells after: the report still
    # starts at the first line.
    rows = ["id,title,provider,missions"]
    rows += [f"bad id {n},t,p,digital" for n in range(MAX_PROBLEMS)]
    rows += ["short"] * MAX_PROBLEMS
    error = refused(read_csv, "\n".join(rows).encode())
    assert error.count == 2 * MAX_PROBLEMS
    assert len(error.problems) == MAX_PROBLEMS
    assert [problem.line for problem in error.problems] == list(range(2, MAX_PROBLEMS + 2))
    assert all(problem.column == "id" for problem in error.problems)


def test_300000_column_names_are_one_problem() -> None:
    header = ",".join(f"c{n}" for n in range(300_000))
    error = refused(read_csv, f"{header}\n".encode())
    assert [problem.reason for problem in error.problems] == [
        "the header row has 300000 columns; the contract has"
        f" {len(read_csv.__globals__['COLUMNS'])}: is this a catalogue?"
    ]


def test_an_offer_with_300000_fields_is_one_problem() -> None:
    fields = ",".join(f'"c{n}": 1' for n in range(300_000))
    error = refused(read_json, f"[{{{fields}}}]".encode())
    assert [problem.reason for problem in error.problems] == [
        "offer 1 has more than 1000 fields: is this a catalogue?"
    ]


def test_a_json_list_of_a_million_non_offers_stops_at_the_row_limit() -> None:
    error = refused(read_json, b"[" + b",".join([b"1"] * 1_000_000) + b"]")
    assert error.count == MAX_ROWS + 1
    assert error.more == MAX_ROWS + 1 - MAX_PROBLEMS
    assert error.report("f.json")[-1] == f"f.json: …and {error.more} more problems"


# 5. LHEO overflows.


def _lheo(periode: str = "", action_extra: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<lheo xmlns="http://lheo.gouv.fr/2.3"><offres>
<formation numero="F1">
<intitule-formation>Atelier</intitule-formation>
<action numero="A1">
{action_extra}
<session numero="S1"><periode>{periode}</periode></session>
</action>
<organisme-formation-responsable><nom-organisme>GRETA</nom-organisme>
</organisme-formation-responsable>
</formation>
</offres></lheo>
""".encode()


def test_an_lheo_end_in_december_9999_is_a_problem_of_its_line() -> None:
    # The last day of December 9999 is a date (it was an OverflowError); but a session of whole
    # days ends at the next midnight, which no date can hold.
    error = refused(read_lheo, _lheo("<debut>20260901</debut><fin>99991200</fin>"))
    assert [problem.format("f.xml") for problem in error.problems] == [
        "f.xml:7:sessions: '2026-09-01/9999-12-31' ends after the last day a date can hold"
    ]


@pytest.mark.parametrize(
    ("periode", "extra", "expected"),
    [
        (
            "<debut>99991300</debut>",
            "",
            "7:start_date: '99991300' is not an LHEO date (AAAAMMJJ, AAAAMM00 or AAAA0000)",
        ),
        (
            "",
            "<prix-total-TTC>12345678901234567890</prix-total-TTC>",
            "6:price_eur: 12345678901234567890 is too large (at most 99999999.99)",
        ),
        (
            "",
            "<prix-horaire-TTC>12345678901234567890</prix-horaire-TTC>"
            "<nombre-heures-total>100000000</nombre-heures-total>",
            "6:price_eur: 12345678901234567890 € an hour × 100000000 hours is too large"
            " (at most 99999999.99)",
        ),
    ],
)
def test_lheo_overflows_are_problems_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], periode: str, extra: str, expected: str
) -> None:
    path = tmp_path / "offres.xml"
    path.write_bytes(_lheo(periode, extra))
    code, err = validate(path, capsys)
    assert code == 2
    assert f"{path}:{expected}" in err


# 13. URLs.


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://example.org:0/", "has port '0'; a port is a number from 1 to 65535"),
        ("https://example.org:65536/", "has port '65536'; a port is a number from 1 to 65535"),
        ("http://example.org:99999999999", "has port '99999999999'; a port is a number from"),
        ("http://[::1]:70000/", "has port '70000'; a port is a number from 1 to 65535"),
        ("http://example.org:8o/", "has port '8o'; a port is a number from 1 to 65535"),
        *(
            (f"https://bank.example{chr(code)}/moc.live", f"control character U+{code:04X}")
            for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
        ),
    ],
)
def test_urls_with_a_bad_port_or_a_bidirectional_control_are_refused(url: str, reason: str) -> None:
    data = (
        "id,title,provider,missions,url\nok-1,t,p,digital,https://example.org:8080/a\n"
        f"bad-1,t,p,digital,{url}\n"
    )
    (problem,) = refused(read_csv, data.encode()).problems
    assert (problem.line, problem.column) == (3, "url")
    assert reason in problem.reason


def test_an_lheo_url_with_a_bidirectional_control_is_refused() -> None:
    contact = "<contact-formation><coordonnees><web><urlweb>https://a.example\u202e/gro</urlweb>"
    contact += "</web></coordonnees></contact-formation>"
    error = refused(read_lheo, _lheo(action_extra=contact))
    assert [(problem.line, problem.column) for problem in error.problems] == [(6, "url")]
    assert "U+202E" in error.problems[0].reason
