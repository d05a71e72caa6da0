"""The README is tested like code: its catalogue example imports, its settings exist, its shell
commands run, and every ``tremplin`` command is in it."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.main import _parser
from bot.settings import BotSettings
from catalog.formats.csvio import read_csv

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
SHELL_BLOCKS = re.findall(r"```sh\n(.*?)```", README, re.DOTALL)

# The README's shell commands that are not run here, by how they start, and why.
NOT_RUN = {
    "python3 -m venv": "installs packages (network)",
    "scripts/lock": "installs packages (network)",
    "pytest": "runs the tests themselves",
    "TREMPLIN_TEST_DATABASE_URL=": "runs the tests themselves, on PostgreSQL",
    "bash .ci/run": "runs CI: installs packages, then the tests",
    "ruff check . && mypy": "lints the repository (CI does)",
    "python -m bot.i18n_tasks": "rewrites the repository's translation files",
    "python -m catalog.store.migrations revision": "adds a revision file to the repository",
    "python -m benchmarks.": "a measurement of minutes",
    "TREMPLIN_BENCH_PROFILE=": "a measurement of minutes",
}


def _commands(block: str) -> list[str]:
    """The command lines of a shell block (comment-only lines left out)."""
    lines = (line.strip() for line in block.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _excluded(command: str) -> str | None:
    return next((why for start, why in NOT_RUN.items() if command.startswith(start)), None)


def _runnable() -> Iterator[list[str]]:
    for block in SHELL_BLOCKS:
        commands = [command for command in _commands(block) if _excluded(command) is None]
        if commands:
            yield commands


def test_every_exclusion_names_a_command_of_the_readme() -> None:
    commands = [command for block in SHELL_BLOCKS for command in _commands(block)]
    assert commands
    for start in NOT_RUN:
        assert any(command.startswith(start) for command in commands), start


@pytest.mark.parametrize("commands", list(_runnable()), ids=lambda lines: lines[0][:40].strip())
def test_the_shell_commands_run(commands: list[str], tmp_path: Path) -> None:
    # In a folder of their own, on a fresh SQLite database, with this environment's tremplin.
    bin_dir = str(Path(sys.executable).parent)
    assert shutil.which("tremplin", path=bin_dir), f"no tremplin in {bin_dir}"
    env = {name: value for name, value in os.environ.items() if not name.startswith("TREMPLIN_")}
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    env["TREMPLIN_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'tremplin.db'}"
    for command in commands:  # in order: a command may use what the one before it made
        done = subprocess.run(
            ["bash", "-c", f"set -o pipefail; {command}"], cwd=tmp_path, env=env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"


def _subcommands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield " ".join((*path, name))
                yield from _subcommands(sub, (*path, name))


def test_every_command_is_in_the_readme() -> None:
    commands = list(_subcommands(_parser()))
    assert "catalog import" in commands and "db upgrade" in commands
    missing = [command for command in commands if f"tremplin {command}" not in README]
    assert missing == []


def test_the_catalogue_example_is_valid() -> None:
    example = re.search(r"```csv\n(.*?)```", README, re.DOTALL)
    assert example is not None
    offers = read_csv(example.group(1).encode("utf-8"))
    assert [offer.id for offer in offers] == ["atelier-ordi", "fle-soir"]
    assert offers[0].is_free and offers[1].format == "hybrid"


def test_every_setting_is_in_the_configuration_table() -> None:
    table = README[README.index("## Configuration") :]
    for name in BotSettings.model_fields:
        assert f"`TREMPLIN_{name.upper()}`" in table, name
    documented = set(re.findall(r"`(TREMPLIN_[A-Z_]+)`", table))
    assert documented <= {f"TREMPLIN_{name.upper()}" for name in BotSettings.model_fields}
