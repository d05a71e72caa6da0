"""``tremplin catalog import|export|validate`` and ``tremplin db upgrade``: output and exit codes.

``bot.cli.main.main`` runs its own event loop, so these tests are synchronous.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DATA
from sqlalchemy import inspect
from sqlmodel import SQLModel

from bot.cli.main import main
from catalog.formats.csvio import read_csv
from catalog.maintenance.sample import sample_catalogue_path
from catalog.store.db import create_engine

CATALOG = DATA / "catalog"
VALID = CATALOG / "valid.csv"


async def _drop_tables(url: str, *, inspect_after: bool = False) -> list[str]:
    import bot.chats.models  # noqa: F401  (every table, so that drop_all empties the database)

    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if inspect_after:
                return await connection.run_sync(lambda sync: inspect(sync).get_table_names())
            await connection.run_sync(SQLModel.metadata.drop_all)
            return []
    finally:
        await engine.dispose()


@pytest.fixture
def url(database_url: str) -> Iterator[str]:
    """An empty database (no tables: the commands create them)."""
    asyncio.run(_drop_tables(database_url))
    yield database_url
    asyncio.run(_drop_tables(database_url))


def tremplin(url: str, *args: str | Path) -> int:
    return main(["--database-url", url, *map(str, args)])


def test_validate_a_valid_file(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert tremplin(url, "catalog", "validate", VALID) == 0
    assert capsys.readouterr().out == f"{VALID}: 3 offers, no problem found\n"


def test_validate_reports_every_problem(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = CATALOG / "invalid.csv"
    assert tremplin(url, "catalog", "validate", path) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"{path}:3:id: 'bad id' contains ' '; use only A-Z a-z 0-9 . _ -"
    assert f"{path}:4:missions: unknown mission 'familly'; did you mean 'family'?" in lines[2]
    assert lines[-2] == f"{path}:5:id: duplicate id 'ok-1': also on line 2"
    assert lines[-1] == f"{path}: 9 problems, nothing imported"
    assert all(line.startswith(f"{path}:") for line in lines)


def test_import_export_round_trip(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert tremplin(url, "catalog", "import", VALID) == 0
    assert capsys.readouterr().out == f"{VALID}: 3 added, 0 updated, 0 unchanged, 0 retired\n"
    for name in ("export.csv", "export.json"):
        exported = tmp_path / name
        assert tremplin(url, "catalog", "export", exported) == 0
        assert capsys.readouterr().out == f"{exported}: 3 offers exported\n"
        assert tremplin(url, "catalog", "import", exported) == 0
        summary = f"{exported}: 0 added, 0 updated, 3 unchanged, 0 retired\n"
        assert capsys.readouterr().out == summary
    assert not list(tmp_path.glob(".*partial"))


def test_dry_run_shows_changes_and_changes_nothing(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert tremplin(url, "catalog", "import", VALID) == 0
    lines = VALID.read_text(encoding="utf-8").splitlines()
    edited = tmp_path / "edited.csv"
    new = "new-04,Nouveau,,,Asso,family,,,,,,,,,,,,,,,,,,,,,"
    edited.write_text("\n".join([lines[0], lines[1].replace("16,,0", "16,,5"), new]) + "\n")
    capsys.readouterr()
    assert tremplin(url, "catalog", "import", "--dry-run", "--replace", edited) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{edited}: 2 offers; dry run, nothing was changed",
        "  + new-04  (new)",
        "  ~ num-01  price_eur",
        "  - fle-02  (retired)",
        "  - lire-03  (retired)",
        f"{edited}: 1 would be added, 1 would be updated, 0 unchanged, 2 would be retired",
    ]
    assert tremplin(url, "catalog", "import", VALID) == 0
    assert "0 added, 0 updated, 3 unchanged, 0 retired" in capsys.readouterr().out


def test_replace_then_revive(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert tremplin(url, "catalog", "import", VALID) == 0
    first = tmp_path / "first.csv"
    first.write_text("\n".join(VALID.read_text(encoding="utf-8").splitlines()[:2]) + "\n")
    assert tremplin(url, "catalog", "import", "--replace", first) == 0
    assert "0 added, 0 updated, 1 unchanged, 2 retired" in capsys.readouterr().out
    assert tremplin(url, "catalog", "export", tmp_path / "active.json") == 0
    assert '"id": "fle-02"' not in (tmp_path / "active.json").read_text()
    assert tremplin(url, "catalog", "import", VALID) == 0
    assert "2 added (2 brought back), 0 updated, 1 unchanged" in capsys.readouterr().out


def test_invalid_import_exits_2_and_imports_nothing(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = CATALOG / "invalid.csv"
    assert tremplin(url, "catalog", "import", path) == 2
    err = capsys.readouterr().err
    assert f"{path}:4:url: 'ftp://example.org' is not an http(s) address" in err
    assert err.endswith("9 problems, nothing imported\n")
    assert tremplin(url, "catalog", "export", tmp_path / "out.json") == 0
    assert '"id": "ok-1"' not in (tmp_path / "out.json").read_text()


@pytest.mark.parametrize("command", ["import", "validate"])
def test_bad_files_exit_2(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    assert tremplin(url, "catalog", command, tmp_path / "missing.csv") == 2
    assert (
        capsys.readouterr().err == f"tremplin: {tmp_path}/missing.csv: No such file or directory\n"
    )
    assert tremplin(url, "catalog", command, VALID.with_suffix(".txt")) == 2
    assert "unknown file type '.txt': use .csv or .json" in capsys.readouterr().err
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("id,title,provider,missions\né,t,p,family\n".encode("latin-1"))
    assert tremplin(url, "catalog", command, latin1) == 2
    err = capsys.readouterr().err
    assert f"{latin1}:2:-: not valid UTF-8: byte 0xE9 at byte 1 of the line" in err
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (10 * 2**20 + 1))
    assert tremplin(url, "catalog", command, big) == 2
    assert f"{big}:1:-: the file is larger than the 10 MB limit" in capsys.readouterr().err


def test_export_of_a_fresh_database_is_the_sample_catalogue(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = read_csv(sample_catalogue_path().read_bytes())
    exported = tmp_path / "offers.csv"
    assert tremplin(url, "catalog", "export", exported) == 0
    assert capsys.readouterr().out == f"{exported}: {len(sample)} offers exported\n"
    assert {offer.id for offer in read_csv(exported.read_bytes())} == {o.id for o in sample}


def test_export_never_overwrites_without_force(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "offers.json"
    exported.write_text("mine", encoding="utf-8")
    assert tremplin(url, "catalog", "export", exported) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"tremplin: {exported}: already exists; choose another name, or --force to overwrite it\n"
    )
    assert exported.read_text(encoding="utf-8") == "mine"
    assert tremplin(url, "catalog", "export", "--force", exported) == 0
    assert "offers exported" in capsys.readouterr().out
    assert json.loads(exported.read_text(encoding="utf-8"))["offers"]


def test_a_semicolon_separated_file_is_one_problem(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "offres.csv"
    path.write_bytes("id;title;provider;missions\r\na;Thé;Mairie;family\r\n".encode("cp1252"))
    assert tremplin(url, "catalog", "validate", path) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and lines[1] == f"{path}: 1 problem, nothing imported"
    assert lines[0].startswith(f'{path}:1:-: the columns are separated by ";" but the separator')
    assert '"CSV UTF-8 (comma delimited)"' in lines[0]


def test_export_needs_a_known_extension(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert tremplin(url, "catalog", "export", tmp_path / "out.txt") == 2
    assert "unknown file type '.txt'" in capsys.readouterr().err
    assert tremplin(url, "catalog", "export", tmp_path / "no" / "out.csv") == 1
    assert "No such file or directory" in capsys.readouterr().err


def test_db_upgrade_creates_the_tables(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert tremplin(url, "db", "upgrade") == 0
    assert capsys.readouterr().out.startswith("database schema is up to date: ")
    tables = asyncio.run(_drop_tables(url, inspect_after=True))
    assert {"offer", "import_record"} <= set(tables)
    assert tremplin(url, "db", "upgrade") == 0  # idempotent


def test_database_failures_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = f"sqlite+aiosqlite:///{tmp_path}/no/t.db"
    assert tremplin(missing, "catalog", "import", VALID) == 1
    reason = f"the folder of the database, {tmp_path}/no, does not exist"
    assert capsys.readouterr().err == f"tremplin: database error: {reason}\n"
    assert tremplin(missing, "db", "upgrade") == 1
    assert capsys.readouterr().err == f"tremplin: cannot upgrade {missing}: {reason}\n"
    refused = "postgresql+asyncpg://postgres:secret@127.0.0.1:1/none"
    assert tremplin(refused, "catalog", "export", tmp_path / "out.csv") == 1
    assert capsys.readouterr().err.startswith("tremplin: ")
    assert tremplin(refused, "db", "upgrade") == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "tremplin: cannot upgrade postgresql+asyncpg://postgres:***@127.0.0.1:1/none"
    )
    assert "secret" not in err
