"""Start-up: ``tremplin match`` and ``tremplin chat`` import only what they use (issue 12).

Each command runs in a fresh interpreter with ``-X importtime``, which lists every module
imported, on stderr. The other front ends' and formats' libraries (the Telegram bot, the webhook
server, Excel, charts) cost more at start than the command's own work; a module-level import
of one of them in a module these commands load fails here. Wall-clock time is
``benchmarks/startup.py``'s business, not a test's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Never for these commands: python-telegram-bot, its HTTP client, the webhook server, Excel
# (openpyxl, which brings numpy), charts (matplotlib, Pillow).
ELSEWHERE = frozenset(
    {"telegram", "aiohttp", "uvicorn", "starlette", "openpyxl", "numpy", "matplotlib", "PIL"}
)
# Not even for the database and the translations once they are ready: Alembic (schema already
# at the newest revision), Babel's catalogue reader (compiled catalogue in the cache).
WHEN_READY = frozenset({"alembic", "babel.messages"})


def _imported(tmp_path: Path, *command: str, stdin: str = "") -> set[str]:
    """Every module ``tremplin COMMAND`` imports, run on a SQLite database in ``tmp_path``."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot.cli.main",
         "--database-url", f"sqlite+aiosqlite:///{tmp_path / 'tremplin.db'}", *command],
        input=stdin, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {
        line.split("|")[2].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "| imported package" not in line
    }


def _unwanted(modules: set[str], packages: frozenset[str]) -> list[str]:
    """The ``packages`` imported; to see by whom: ``python -X importtime -m bot.cli.main ...``."""
    return sorted(
        package for package in packages
        if any(name == package or name.startswith(f"{package}.") for name in modules)
    )


MATCH = ("match", "--topic", "digital", "--json")
CHAT = ("chat",)


@pytest.mark.parametrize(("command", "stdin"), [(MATCH, ""), (CHAT, "1\n2\n")])
def test_a_command_imports_neither_the_bot_nor_the_file_formats(
    tmp_path: Path, command: tuple[str, ...], stdin: str
) -> None:
    # First use: the schema is created and the sample catalogue (CSV) imported.
    assert _unwanted(_imported(tmp_path, *command, stdin=stdin), ELSEWHERE) == []
    # Every later start, the usual case: not even the migrations' and translations' tools.
    again = _imported(tmp_path, *command, stdin=stdin)
    assert _unwanted(again, ELSEWHERE | WHEN_READY) == []

