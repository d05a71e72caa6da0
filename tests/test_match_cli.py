"""``tremplin match``: option checks, the JSON contract, and a run on the sample catalogue."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from catalog.i18n import LANGUAGES
from catalog.vocabulary import AUDIENCES, TOPICS


def run(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--database-url", f"sqlite+aiosqlite:///{tmp_path / 'match.db'}", "match",
                 *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_output_follows_the_contract(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    code, out, _ = run(capsys, tmp_path, "--text", "atelier informatique", "--json",
                       "--today", "2026-12-01", "--limit", "3")
    assert code == 0
    document = json.loads(out)
    assert list(document) == ["results"]
    results = document["results"]
    assert 1 <= len(results) <= 3
    for item in results:
        assert list(item) == ["id", "title", "score", "reasons", "why"]
        assert 0 <= item["score"] <= 1 and all(isinstance(r, str) for r in item["reasons"])
        assert all(isinstance(w, dict) and "kind" in w for w in item["why"])
    # "informatique" is said in the first offer's title, keywords or description.
    words = [w for w in results[0]["why"] if w["kind"] == "word"]
    assert words and words[0]["query"] == "informatique"
    assert words[0]["field"] in ("title", "keywords", "description")
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)


def test_text_output_in_the_chosen_language(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    code, out, _ = run(capsys, tmp_path, "--topic", "science", "--lang", "en",
                       "--today", "2026-12-01")
    assert code == 0
    assert out.startswith("1. ") and "Matches your interest: Science" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--topic", "sciense"), "unknown --topic code 'sciense'; valid codes: digital"),
        (("--situation", "chomeur"), "unknown --situation code 'chomeur'; valid codes: student"),
        (("--near", "45.7"), "--near '45.7': expected LAT,LON"),
        (("--near", "95,3"), "latitude must be in -90..90"),
        (("--today", "2026-13-01"), "--today '2026-13-01': expected a date as YYYY-MM-DD"),
        (("--age", "121"), "--age 121: expected an age from 0 to 120"),
        (("--limit", "0"), "--limit 0: expected 1 or more"),
    ],
)
def test_bad_options_exit_2_naming_the_problem(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path, args: tuple[str, ...],
                                               message: str) -> None:
    code, out, err = run(capsys, tmp_path, *args)
    assert code == 2 and out == ""
    assert message in err


def test_help_lists_the_valid_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["match", "--help"])
    assert exited.value.code == 0
    words = set(re.findall(r"[a-z_]+", capsys.readouterr().out))
    assert set(TOPICS) | set(AUDIENCES) | set(LANGUAGES) <= words


@pytest.mark.parametrize(
    "command",
    [
        ("match", "--topic", "digital", "--limit", "20"),
        ("match", "--json"),
        ("stats",),
        ("catalog", "history"),
    ],
    ids=" ".join,
)
def test_a_closed_pipe_stops_quietly(tmp_path: Path, database_url: str,
                                     command: tuple[str, ...]) -> None:
    """``tremplin match | head -1``: the reader left before anything was written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli.main", "--database-url", database_url, *command],
            stdout=write_end, stderr=subprocess.PIPE, text=True, cwd=tmp_path, timeout=120,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "Broken pipe" not in done.stderr, done.stderr
    assert "BrokenPipeError" not in done.stderr
