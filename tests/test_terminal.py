"""``tremplin chat``: the conversation in a terminal, driven through the real command line."""

from __future__ import annotations

import asyncio
import io
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path
from select import select as wait_readable

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

import bot.chats.models  # noqa: F401  (the conversation tables, dropped with the others)
from bot.cli.main import main
from bot.engine.inputs import Command, Press, SharedLocation, Start, Text
from bot.engine.replies import Button, Reply
from bot.terminal.chat import read_input, render
from catalog.stats.events import StatsEvent
from catalog.store.db import create_engine

# The README's example: me, 34, new in France, done, French for newcomers, done, anywhere,
# then the details of the first result.
README_INPUT = "a\n34\nf\nDone\nc\nDone\nc\na\n"


async def _drop_all(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all)
    await engine.dispose()


@pytest.fixture
def database_url(database_url: str) -> str:
    """An empty database (PostgreSQL is shared between tests: the terminal's citizen is too)."""
    asyncio.run(_drop_all(database_url))
    return database_url


def chat(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    url: str,
    lines: str,
    *options: str,
) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    code = main(["--database-url", url, "chat", *options])
    return code, capsys.readouterr().out


def test_the_readme_example_walks_to_results(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    code, out = chat(monkeypatch, capsys, database_url, README_INPUT, "--lang", "en")
    assert code == 0
    assert "Hello! I am Tremplin" in out
    assert "How old are you?" in out and "> 34" in out
    assert "✓ New in France" in out
    assert "Here are the offers that fit you best:" in out
    assert "For newcomers to France" in out
    assert out.count("== ") >= 3  # result cards, then the details of the first one
    assert "Taught in:" in out  # the details


def test_french_by_default_and_end_of_input_exits_cleanly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    code, out = chat(monkeypatch, capsys, database_url, "")
    assert code == 0
    assert "Bonjour" in out and "Pour qui cherchez-vous" in out


def test_commands_labels_positions_and_free_text(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    lines = (
        "\n".join(
            [
                "/help",
                "Answer the questions",
                "Skip",
                "/profile",
                "/language",
                "Français",
                "cours de cuisine",
                "45.7772, 3.0870",
                "/favorites",
                "/frobnicate",
                "999",
                "",
                "x" * 10_000,
                "/forget",
                "a",
            ]
        )
        + "\n"
    )
    code, out = chat(monkeypatch, capsys, database_url, lines, "--lang", "en")
    assert code == 0
    assert "/cancel — Stop the questions" in out
    assert "Your answers:" in out
    assert "Désormais, je vous écris en Français." in out
    # Typed at the age question, a need is noted and the question asked again (no search).
    assert "cours de cuisine" in out and "noté" in out and out.count("Quel âge avez-vous") >= 2
    assert "j'ai noté votre position" in out  # a position before "where" is noted
    assert "entre 0 et 120" in out  # 999 is no age
    assert "Je ne connais pas la commande /frobnicate." in out
    assert "j'ai effacé tout ce que je savais sur vous" in out


def test_saved_offers_outlive_the_chat(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    chat(monkeypatch, capsys, database_url, "/search anglais\nSave\n", "--lang", "en")
    code, out = chat(monkeypatch, capsys, database_url, "/favorites\n", "--lang", "en")
    assert code == 0 and "You have saved 1 offer:" in out


def test_render_letters_buttons_across_replies_and_shows_links() -> None:
    replies = [
        Reply("One", buttons=((Button("A", "a"), Button("Site", url="https://x.org")),)),
        Reply(
            "Two", title="Card", buttons=((Button("B", "b"),),), ask_location="📍 Share my location"
        ),
    ]
    text, buttons = render(replies)
    assert [b.action for b in buttons] == ["a", "b"]
    assert "a. A" in text and "[Site: https://x.org]" in text and "b. B" in text
    assert "== Card ==" in text and "LATITUDE, LONGITUDE" in text  # French by default


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("a", Press("a")),
        ("B", Press("b")),
        ("c", Text("c")),
        ("1", Text("1")),  # a number is an answer (a child of 1), never a button
        ("2", Text("2")),
        ("✓ beta", Press("b")),
        ("BETA", Press("b")),
        ("/start topic-digital", Start("topic-digital")),
        ("/Search cours de cuisine", Command("search", "cours de cuisine")),
        ("45.7, 3.08", SharedLocation(45.7, 3.08)),
        ("  hello  ", Text("hello")),
        ("", None),
    ],
)
def test_read_input(line: str, expected: object) -> None:
    buttons = [Button("Alpha", "a"), Button("✓ Beta", "b")]
    assert read_input(line, buttons) == expected


async def _count_events(url: str) -> int:
    engine = create_engine(url)
    async with engine.connect() as connection:
        count = (await connection.execute(select(func.count()).select_from(StatsEvent))).one()
    await engine.dispose()
    return int(count[0])


def test_terminal_sessions_stay_out_of_the_statistics(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    monkeypatch.setenv("TREMPLIN_PSEUDONYM_KEY", "k" * 40)
    code, _ = chat(monkeypatch, capsys, database_url, README_INPUT, "--lang", "en")
    assert code == 0
    assert asyncio.run(_count_events(database_url)) == 0


def _wait_for_prompt(process: subprocess.Popen[bytes], seconds: float = 60) -> bytes:
    assert process.stdout is not None
    seen, deadline = b"", time.monotonic() + seconds
    while not seen.endswith(b"> ") and time.monotonic() < deadline:
        ready, _, _ = wait_readable([process.stdout], [], [], 1)
        if ready:
            chunk = os.read(process.stdout.fileno(), 4096)
            assert chunk, seen  # the chat ended before asking anything
            seen += chunk
    return seen


@pytest.mark.parametrize("stdin", ["terminal", "pipe"])
def test_ctrl_c_ends_the_chat_at_the_first_press(
    database_url: str, tmp_path: Path, stdin: str
) -> None:
    # The chat reads the terminal's end of a pty, or the reading end of a pipe left open.
    kept, read = pty.openpty() if stdin == "terminal" else os.pipe()[::-1]
    with subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "--database-url", database_url, "chat"],
        stdin=read, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
    ) as process:
        os.close(read)
        try:
            assert b"Bonjour" in _wait_for_prompt(process)
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=10)
        finally:
            process.kill()
            os.close(kept)
    assert process.returncode == 1
    assert b"Traceback" not in err and b"Error" not in err, err.decode()


def test_a_child_of_two_is_entered_by_typing_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    code, out = chat(monkeypatch, capsys, database_url, "b\n2\n/profile\n", "--lang", "en")
    assert code == 0
    assert "How old is your child?" in out
    assert "What is your situation?" in out  # 2 answered the question, it was no "Skip"
    assert "Children's ages: 2" in out
