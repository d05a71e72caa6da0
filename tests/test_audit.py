"""The audit of imports: history, exact rollback, and files that import nothing at all."""

from __future__ import annotations

import csv as csvmodule
import hashlib
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA
from openpyxl import Workbook
from sqlalchemy import select
from sqlmodel import SQLModel

from bot.cli.main import main
from catalog.formats.csvio import read_csv, write_csv
from catalog.formats.validation import MAX_PROBLEMS, InvalidCatalogue
from catalog.maintenance.audit import NothingToRollBack, history, last_import, rollback_last
from catalog.maintenance.importer import import_file
from catalog.store.db import SessionMaker

VALID = (DATA / "catalog" / "valid.csv").read_bytes()
HEADER, NUM, FLE, LIRE = VALID.decode().splitlines()


async def rows(sessions: SessionMaker) -> list[dict[str, Any]]:
    """Every stored offer, every column (timestamps and retirement included)."""
    table = SQLModel.metadata.tables["offer"]
    async with sessions() as session:
        connection = await session.connection()
        result = await connection.execute(select(table).order_by(table.c.id))
        return [dict(row._mapping) for row in result]


async def run(sessions: SessionMaker, data: bytes, source: str = "f.csv", **options: bool) -> None:
    async with sessions() as session:
        await import_file(session=session, data=data, source=source, actor="t", **options)


def csv(*lines: str) -> bytes:
    return "\n".join([HEADER, *lines]).encode()


@pytest.mark.asyncio
async def test_history_lists_every_applied_import_newest_first(sessions: SessionMaker) -> None:
    await run(sessions, VALID, source="a.csv")
    await run(sessions, VALID, source="again.csv", dry_run=True)  # not applied: not audited
    await run(sessions, csv(NUM.replace("Atelier smartphone", "Atelier")), source="b.csv")
    async with sessions() as session:
        records = await history(session=session)
    assert [(r.source, r.added, r.updated, r.unchanged, r.actor) for r in records] == [
        ("b.csv", 0, 1, 0, "t"),
        ("a.csv", 3, 0, 0, "t"),
    ]
    assert records[1].checksum == hashlib.sha256(VALID).hexdigest()
    assert records[0].rolled_back_at is None


@pytest.mark.asyncio
async def test_rollback_restores_exactly_the_catalogue_before_each_import(
    sessions: SessionMaker,
) -> None:
    snapshots = [await rows(sessions)]
    await run(sessions, VALID)
    snapshots.append(await rows(sessions))
    # Updates one offer, adds one, retires the two absent ones.
    new = NUM.replace("num-01", "new-04").replace("Atelier smartphone", "Atelier tablette")
    await run(sessions, csv(NUM.replace('"Appels', '"Appels vidéo'), new), replace=True)
    snapshots.append(await rows(sessions))
    # Brings the two retired offers back and updates num-01 back.
    await run(sessions, VALID)
    assert await rows(sessions) != snapshots[-1]
    for expected in reversed(snapshots):
        async with sessions() as session:
            done = await rollback_last(session=session, actor="admin")
        assert await rows(sessions) == expected
        assert done.undone.rolled_back_by == "admin"
    async with sessions() as session:
        assert await last_import(session=session) is None
        with pytest.raises(NothingToRollBack):
            await rollback_last(session=session, actor="admin")
        assert all(record.rolled_back_at for record in await history(session=session))


@pytest.mark.asyncio
async def test_a_rollback_dry_run_changes_nothing(sessions: SessionMaker) -> None:
    await run(sessions, VALID)
    await run(sessions, csv(LIRE.replace("Heure du conte", "Contes")))
    before = await rows(sessions)
    async with sessions() as session:
        done = await rollback_last(session=session, actor="a", dry_run=True)
    assert (done.deleted, done.restored, done.undone.source) == (0, 1, "f.csv")
    assert await rows(sessions) == before
    async with sessions() as session:
        assert (await last_import(session=session)) is not None


def _malformed(count: int, seed: int) -> tuple[bytes, dict[int, str]]:
    """A CSV of ``count`` rows, each with one mistake in a random column: (file, line -> column)."""
    rng = random.Random(seed)
    mistakes = {
        "missions": lambda line: line.replace("digital;inclusive", "digitall"),
        "age_min": lambda line: line.replace(",16,,0,", ",seize,,0,"),
        "latitude": lambda line: line.replace("45.76585", "145.7"),
        "url": lambda line: line.replace("https://example.org/smartphone", "example.org"),
        "start_date": lambda line: line.replace("2026-09-08", "08/09/2026"),
        "wheelchair_accessible": lambda line: line[: -len("true")] + "peut-être",
    }
    lines, expected = [HEADER], {}
    for number in range(count):
        column = rng.choice(sorted(mistakes))
        lines.append(mistakes[column](NUM.replace("num-01", f"num-{number:04d}")))
        expected[number + 2] = column
    return "\n".join(lines).encode(), expected


@pytest.mark.asyncio
@pytest.mark.parametrize("format", ["csv", "xlsx", "json"])
async def test_a_thousand_malformed_rows_import_nothing_and_each_names_its_line(
    sessions: SessionMaker, format: str
) -> None:
    await run(sessions, VALID)
    before = await rows(sessions)
    data, expected = _malformed(1000, seed=7)
    if format != "csv":
        data = _other_format(format, data)
    with pytest.raises(InvalidCatalogue) as raised:
        await run(sessions, data, source=f"bad.{format}")
    # The report names the first 200 problems by line and counts the others.
    problems = raised.value.problems
    assert raised.value.count == 1000
    assert [(problem.line, problem.column) for problem in problems] == sorted(
        expected.items()
    )[:MAX_PROBLEMS]
    assert await rows(sessions) == before
    async with sessions() as session:
        assert len(await history(session=session)) == 1


def _other_format(format: str, data: bytes) -> bytes:
    """The same cells as the CSV ``data`` in a workbook or a JSON file, one row per line."""
    table = list(csvmodule.reader(io.StringIO(data.decode())))
    header, body = table[0], table[1:]
    if format == "xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in table:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    objects = [json.dumps(dict(zip(header, row, strict=True))) for row in body]
    return ("[\n" + ",\n".join(objects) + "\n]\n").encode()


def test_history_and_rollback_commands(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def tremplin(*args: str) -> int:
        return main(["--database-url", database_url, *args])

    first = tmp_path / "first.csv"
    first.write_bytes(VALID)
    second = tmp_path / "second.csv"
    second.write_text(write_csv(read_csv(csv(NUM))).replace("Atelier smartphone", "Atelier"))
    assert tremplin("catalog", "import", str(first)) == 0
    assert tremplin("catalog", "import", "--replace", str(second)) == 0
    capsys.readouterr()
    assert tremplin("catalog", "history") == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split("  ")[3] for line in out] == [
        "second.csv (csv, sha256 " + hashlib.sha256(second.read_bytes()).hexdigest()[:12] + ")",
        "first.csv (csv, sha256 " + hashlib.sha256(VALID).hexdigest()[:12] + ")",
    ]
    assert out[0].endswith("+0 ~1 =0 -2")
    assert tremplin("catalog", "rollback", "--dry-run") == 0
    assert capsys.readouterr().out.startswith("would roll back import #2 (second.csv, ")
    assert tremplin("catalog", "rollback") == 0
    assert "0 offers it added removed, 3 offers restored" in capsys.readouterr().out
    assert tremplin("catalog", "rollback") == 0
    assert tremplin("catalog", "rollback") == 1
    assert capsys.readouterr().err.endswith("nothing to roll back: no applied import is left\n")
    assert tremplin("catalog", "history", "--limit", "1") == 0
    assert "[rolled back " in capsys.readouterr().out
