"""Start-up benchmark: ``tremplin match`` and ``tremplin chat`` against importing their libraries.

Run from the repository root (results go in benchmarks/README.md, section "Start-up"):

    python benchmarks/startup.py [--runs 15] [--root CHECKOUT]

Each command runs in a fresh interpreter (``python -m bot.cli.main``, as the ``tremplin`` script
does), from an empty folder so that no ``.env`` is read:

- the baseline, ``python -c "import sqlalchemy.ext.asyncio, pydantic_settings, rapidfuzz,
  babel.core"``: the libraries any command needs, imported and nothing done;
- ``tremplin match --topic digital --json`` on a SQLite database already holding the sample
  catalogue (warm), and on a new database each time (fresh: migrations and the sample's import);
- ``tremplin chat`` with one answer piped on its standard input (warm database).

The commands take turns, round after round, so that the load of a shared machine weighs on each
alike; the first round warms the caches and is not counted. Wall time and CPU time (user +
system, which other jobs do not inflate) are medians. The goal of issue 12 is ``match`` (warm)
in at most twice the baseline's wall time. ``--root`` measures another checkout of Tremplin
(e.g. an older commit from ``git archive``) with this environment's libraries.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "import sqlalchemy.ext.asyncio, pydantic_settings, rapidfuzz, babel.core"
GOAL = 2.0  # match (warm) at most twice the baseline's wall time


@dataclass
class Command:
    """One command line, how to prepare each run, and the times measured."""

    name: str
    argv: list[str]
    stdin: bytes = b""
    before: Callable[[], None] = lambda: None
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def run(self, *, cwd: Path, env: dict[str, str]) -> tuple[float, float]:
        self.before()
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(self.argv, input=self.stdin, cwd=cwd, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, (after.ru_utime - used.ru_utime) + (after.ru_stime - used.ru_stime)


def _machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


def _commands(folder: Path) -> list[Command]:
    python = sys.executable
    warm = f"sqlite+aiosqlite:///{folder / 'warm.db'}"
    fresh = folder / "fresh.db"

    def remove_fresh() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{fresh}{suffix}").unlink(missing_ok=True)

    tremplin = [python, "-m", "bot.cli.main", "--database-url"]
    match = ["match", "--topic", "digital", "--json"]
    return [
        Command("baseline: import the libraries", [python, "-c", BASELINE]),
        Command("tremplin match (warm database)", [*tremplin, warm, *match]),
        Command("tremplin match (fresh database)", [*tremplin, f"sqlite+aiosqlite:///{fresh}",
                                                    *match], before=remove_fresh),
        Command("tremplin chat (one answer piped)", [*tremplin, warm, "chat"], stdin=b"1\n"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="measured rounds (default 15)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the Tremplin checkout to run")
    args = parser.parse_args()
    root = args.root.resolve()
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("TREMPLIN_DATABASE_URL", None)
    print(f"{_machine()}; {root}; {args.runs} rounds")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        commands = _commands(folder)
        for round_ in range(args.runs + 1):
            for command in commands:
                wall, cpu = command.run(cwd=folder, env=env)
                if round_:  # the first round warms the caches
                    command.wall.append(wall)
                    command.cpu.append(cpu)
    baseline = commands[0]
    print(f"{'command':<36} {'wall':>8} {'CPU':>8} {'x wall':>7} {'x CPU':>7}")
    for command in commands:
        wall, cpu = statistics.median(command.wall), statistics.median(command.cpu)
        print(f"{command.name:<36} {wall:7.3f}s {cpu:7.3f}s "
              f"{wall / statistics.median(baseline.wall):7.2f} "
              f"{cpu / statistics.median(baseline.cpu):7.2f}")
    ratio = statistics.median(commands[1].wall) / statistics.median(baseline.wall)
    verdict = "met" if ratio <= GOAL else "not met"
    print(f"match (warm) / baseline, wall time: {ratio:.2f} (goal <= {GOAL:.0f}: {verdict})")


if __name__ == "__main__":
    main()
