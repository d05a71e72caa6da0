"""The understanding layer: the public set of typed answers through ``tremplin understand``, the
extra set, and the contract's shapes (eval/ANSWERS.md)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import UNDERSTOOD_QUESTIONS
from bot.understanding import QUESTIONS, Understander, closest, understand

DATA = Path(__file__).parent / "data"
PUBLIC = DATA / "eval" / "answers.jsonl"
EXTRA = DATA / "understanding_extra.jsonl"  # 576 items written for the prototype (issue 15)


def right(expect: dict[str, Any], got: dict[str, Any]) -> bool:
    """ANSWERS.md's scoring of one item."""
    if got.get("kind") != expect["kind"]:
        return False
    if expect["kind"] in ("need", "unclear"):
        return True
    value, wanted = got.get("value") or {}, expect.get("value") or {}
    for key, expected in wanted.items():
        if key not in value:
            return False
        actual = value[key]
        if key == "topics":
            if not set(expected) <= set(actual) or len(set(actual) - set(expected)) > 1:
                return False
        elif isinstance(expected, list) and key != "age_range":
            if set(expected) != set(actual) or (not expected and actual):
                return False
        elif actual != expected:
            return False
    return True


def _items(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _command(tmp_path: Path, stdin: str, *options: str) -> list[dict[str, Any]]:
    """One ``tremplin understand`` run on the sample catalogue: one JSON object per line."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'understand.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "--database-url", url, "understand", *options],
        input=stdin, capture_output=True, text=True, timeout=300, check=True, cwd=tmp_path,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def _accuracy(items: list[dict[str, Any]], answers: list[dict[str, Any]]) -> None:
    per_lang: dict[str, list[bool]] = defaultdict(list)
    for item, got in zip(items, answers, strict=True):
        per_lang[item["lang"]].append(right(item["expect"], got))
        # A typed answer is never taken as something else than the contract's kinds.
        assert got["kind"] in ("answer", "nav", "need", "unclear"), got
        if item["expect"]["kind"] == "answer":
            assert got["kind"] != "need", (item, got)  # an answer is never taken as a search
    everything = [ok for oks in per_lang.values() for ok in oks]
    assert sum(everything) / len(everything) >= 0.95
    for lang, oks in per_lang.items():
        assert sum(oks) / len(oks) >= 0.90, lang
    assert len(per_lang) == 7


def test_the_public_set_through_tremplin_understand(tmp_path: Path) -> None:
    items = _items(PUBLIC)
    assert len(items) == 112
    answers = _command(tmp_path, PUBLIC.read_text(encoding="utf-8"), "--items")
    assert len(answers) == len(items)
    _accuracy(items, answers)
    # The contract's own form (one question and language, one text per line) reads the same.
    spanish = [(i, item) for i, item in enumerate(items)
               if (item["question"], item["lang"]) == ("situation", "es")]
    assert spanish
    lines = "".join(item["text"] + "\n" for _, item in spanish)
    plain = _command(tmp_path, lines, "--question", "situation", "--lang", "es")
    assert plain == [answers[i] for i, _ in spanish]


def test_the_extra_set() -> None:
    items = _items(EXTRA)
    answers = [understand(i["question"], i["text"], i["lang"],
                          neighbourhoods=_sample_neighbourhoods()).to_json() for i in items]
    _accuracy(items, answers)


def _sample_neighbourhoods() -> tuple[str, ...]:
    """The neighbourhoods of the sample catalogue, the one ``tremplin understand`` loads."""
    path = Path(__file__).parent.parent / "catalog" / "data" / "sample_catalogue.csv"
    with path.open(encoding="utf-8-sig", newline="") as fp:
        return tuple(sorted({row["neighbourhood"] for row in csv.DictReader(fp)
                             if row.get("neighbourhood")}))


@pytest.mark.parametrize(("question", "text", "lang", "expected"), [
    ("age", "soixante-dix", "fr", {"kind": "answer", "value": {"age": 70}}),
    ("age", "otuz beş", "tr", {"kind": "answer", "value": {"age": 35}}),
    ("age", "setenta y dos", "es", {"kind": "answer", "value": {"age": 72}}),
    ("age", "сімдесят", "uk", {"kind": "answer", "value": {"age": 70}}),
    ("age", "٧٠", "ar", {"kind": "answer", "value": {"age": 70}}),
    ("child_ages", "2", "en", {"kind": "answer", "value": {"child_ages": [2]}}),
    ("child_ages", "1", "fr", {"kind": "answer", "value": {"child_ages": [1]}}),
    ("situation", "/back", "fr", {"kind": "nav", "value": {"nav": "back"}}),
    ("interests", "c'est tout", "fr", {"kind": "nav", "value": {"nav": "done"}}),
    ("situation", "jubilada", "es", {"kind": "answer", "value": {"situations": ["retired"]}}),
    ("situation", "студентка", "uk", {"kind": "answer", "value": {"situations": ["student"]}}),
    ("who", "para mi", "es", {"kind": "answer", "value": {"who": "me"}}),
    ("where", "en cualquier parte", "es", {"kind": "answer", "value": {"where": "anywhere"}}),
    ("age", "un cours de poterie", "fr", {"kind": "need",
                                          "value": {"words": "un cours de poterie"}}),
    ("confirm", "evet", "tr", {"kind": "answer", "value": {"confirm": True}}),
    ("confirm", "oui", "fr", {"kind": "answer", "value": {"confirm": True}}),
    ("who", "", "fr", {"kind": "unclear"}),
    ("who", "😀", "fr", {"kind": "unclear"}),
])
def test_examples(question: str, text: str, lang: str, expected: dict[str, Any]) -> None:
    assert understand(question, text, lang).to_json() == expected


def test_a_neighbourhood_typed_loosely_is_its_exact_name() -> None:
    found = understand("where", "monferand", "fr", neighbourhoods=["Montferrand", "Jaude"])
    assert found.to_json() == {"kind": "answer", "value": {"neighbourhood": "Montferrand"}}


def test_an_unknown_language_falls_back_to_french_and_english() -> None:
    assert understand("situation", "retraitée", "de").to_json() == \
        {"kind": "answer", "value": {"situations": ["retired"]}}


def test_a_language_with_labels_only_reads_its_labels(tmp_path: Path) -> None:
    """A new language needs no code: its catalogue's labels are read, with no data file."""
    po = tmp_path / "it" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Retired"\nmsgstr "In pensione"\n\nmsgid "Back"\nmsgstr "Indietro"\n',
                  encoding="utf-8")
    reader = Understander(locales=tmp_path, neighbourhoods=["Jaude"])
    assert reader.understand("situation", "in pensione", "it").to_json() == \
        {"kind": "answer", "value": {"situations": ["retired"]}}
    assert reader.understand("age", "indietro", "it").to_json() == \
        {"kind": "nav", "value": {"nav": "back"}}


def test_an_unknown_question_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown question 'colour'"):
        understand("colour", "blue", "en")


def test_the_command_line_knows_every_question() -> None:
    assert UNDERSTOOD_QUESTIONS == QUESTIONS


def test_closest_options_best_first_and_none_for_noise() -> None:
    labels = ["Me", "My child", "My family", "Skip"]
    assert closest("fmly", labels)[0] == 2
    assert closest("", labels) == [] and closest("zzzzqqq", labels) == []


@pytest.mark.parametrize("argv", [["--question", "colour"], ["--question", "age", "--lang", "xx"]])
def test_a_bad_question_or_language_exits_2(argv: list[str], tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bot.cli.main", "understand", *argv, "x"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2 and "invalid choice" in done.stderr
