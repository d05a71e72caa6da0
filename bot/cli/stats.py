"""``tremplin stats [--days N] [--csv FILE]``: the admins' statistics on the command line.

The same report as ``/stats`` (every count protected), in English, and optionally as a CSV
file that a spreadsheet opens safely: a cell that would start a formula is written as text
(``catalog.formats.csvio.neutralise``; search words come from citizens). Exit codes: 0 success,
1 runtime failure (database, file), 2 bad usage.
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.chats.database import open_database
from catalog.formats.csvio import neutralise
from catalog.i18n import translator
from catalog.settings import Settings
from catalog.stats import report as stats_text
from catalog.stats.events import KEY_VARIABLE, stats_key
from catalog.stats.figures import Report, build_report
from catalog.store.offers import load_offers

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
MAX_DAYS = 3650
HEADER = ("section", "item", "measure", "value")


async def report_of(settings: Settings, days: int, today: date | None = None) -> Report:
    """The report of the last ``days`` days, read from the configured database."""
    database = await open_database(settings.database_url, load_sample=False)
    try:
        async with database.sessions() as session:
            return await build_report(
                session=session, offers=await load_offers(session=session),
                today=today or date.today(), days=days, threshold=settings.stats_min_count,
                retention_days=settings.stats_retention_days,
            )
    finally:
        await database.close()


def write_csv(path: Path, report: Report) -> None:
    """Every figure of ``report``, one per row, formula-safe."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        writer.writerows([neutralise(cell) for cell in row] for row in stats_text.rows(report))


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """``tremplin stats``: print the report, and write it as CSV with ``--csv``."""
    if not 1 <= args.days <= MAX_DAYS:
        print(f"tremplin stats: --days {args.days}: expected 1 to {MAX_DAYS}", file=sys.stderr)
        return EXIT_USAGE
    if stats_key(settings) is None:
        print(f"tremplin stats: statistics are not being recorded: {KEY_VARIABLE} is not set "
              "(or shorter than 32 characters)", file=sys.stderr)
    try:
        report = await report_of(settings, args.days)
    except (SQLAlchemyError, OSError) as error:
        print(f"tremplin stats: cannot read the statistics: {error}", file=sys.stderr)
        return EXIT_FAILURE
    if args.csv:  # the file first: it is what a script piping the text away may want
        try:
            write_csv(Path(args.csv), report)
        except OSError as error:
            print(f"tremplin stats: cannot write {args.csv}: {error}", file=sys.stderr)
            return EXIT_FAILURE
    print(stats_text.render(report, translator("en")))
    return EXIT_OK
