"""The ``tremplin`` command line: one parser, each command delegated to its module."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from typing import Any

from bot.cli import jobs as jobs_cli
from bot.settings import BotSettings, load_bot_settings
from catalog.i18n import LANGUAGES
from catalog.settings import SettingsError
from catalog.vocabulary import AUDIENCES, TOPICS

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
# bot.understanding.QUESTIONS, written out so that `tremplin --help` does not load the reader
# (a test checks that they are equal).
UNDERSTOOD_QUESTIONS = ("who", "age", "child_ages", "situation", "interests", "where", "confirm")
# catalog.maintenance.importer.NAMED_FORMATS, and those export writes, written out for the same
# reason (tests/test_data_inclusion.py checks them).
NAMED_FORMATS = ("csv", "json", "xlsx", "lheo", "data-inclusion", "hsds")
EXPORT_FORMATS = ("csv", "json", "xlsx", "data-inclusion")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tremplin",
        description="Tremplin guides the citizens of a learning city to learning opportunities.",
    )
    parser.add_argument(
        "--database-url",
        help="SQLAlchemy URL (default: TREMPLIN_DATABASE_URL, else ./tremplin.db)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("run", help="run the Telegram bot (long polling, or webhook)")

    chat = commands.add_parser("chat", help="the conversation in the terminal, no token needed")
    chat.add_argument("--lang", choices=LANGUAGES, default=None, help="interface language")

    catalog = commands.add_parser(
        "catalog", help="import, export, validate, check and roll back the catalogue"
    )
    catalog_commands = catalog.add_subparsers(dest="catalog_command", required=True)
    import_ = catalog_commands.add_parser(
        "import", help="import offers from a CSV, JSON, Excel (.xlsx) or LHEO (.xml) file"
    )
    import_.add_argument("file")
    import_.add_argument(
        "--format", choices=NAMED_FORMATS, default=None,
        help="the file's format (default: from its extension); data-inclusion and hsds are JSON",
    )
    import_.add_argument(
        "--dry-run", action="store_true", help="show what would change, apply nothing"
    )
    import_.add_argument(
        "--replace", action="store_true", help="retire offers absent from the file"
    )
    export = catalog_commands.add_parser(
        "export", help="export the catalogue (.csv, .json or .xlsx)"
    )
    export.add_argument("file")
    export.add_argument(
        "--format", choices=EXPORT_FORMATS, default=None,
        help="the file's format (default: from its extension)",
    )
    export.add_argument("--force", action="store_true", help="overwrite an existing file")
    validate = catalog_commands.add_parser("validate", help="check a file without importing it")
    validate.add_argument("file")
    validate.add_argument(
        "--format", choices=NAMED_FORMATS, default=None,
        help="the file's format (default: from its extension)",
    )
    template = catalog_commands.add_parser(
        "template", help="write an empty catalogue file (.csv or .xlsx) with one example row"
    )
    template.add_argument("file")
    template.add_argument("--force", action="store_true", help="overwrite an existing file")
    history = catalog_commands.add_parser("history", help="list the applied imports, newest first")
    history.add_argument("--limit", type=int, default=20, help="how many (default 20)")
    rollback = catalog_commands.add_parser(
        "rollback", help="restore the catalogue as it was before the last import"
    )
    rollback.add_argument(
        "--dry-run", action="store_true", help="show what would be undone, change nothing"
    )
    check = catalog_commands.add_parser(
        "check", help="stale, incomplete, ended and duplicate offers; missions and topics gaps"
    )
    check.add_argument("--today", metavar="YYYY-MM-DD", help="date of the check (default: today)")
    check.add_argument(
        "--links", action="store_true", help="also ask every offer's URL whether it still answers"
    )
    check.add_argument("--json", action="store_true", help='{"problems": [...]} on stdout')
    check.add_argument(
        "--timeout", type=float, default=10.0, metavar="SECONDS",
        help="--links: seconds each URL has to answer, redirects included (default 10)",
    )
    check.add_argument(
        "--concurrency", type=int, default=8, metavar="N",
        help="--links: URLs asked at once, and connections open at most (default 8)",
    )
    confirm = catalog_commands.add_parser(
        "confirm", help="confirm offers are still true today (audited; rollback undoes it)"
    )
    confirm.add_argument("ids", nargs="+", metavar="ID", help="ids of active offers")
    confirm.add_argument("--today", metavar="YYYY-MM-DD", help="the day (default: today)")

    proposals = catalog_commands.add_parser(
        "proposals", help="partners' proposals: list, approve ID, reject ID --reason TEXT"
    )
    proposals.add_argument("--json", action="store_true", help='{"proposals": [...]} on stdout')
    decisions = proposals.add_subparsers(dest="proposals_command")
    approve = decisions.add_parser("approve", help="import a pending proposal (audited)")
    approve.add_argument("id", type=int)
    approve.add_argument(
        "--approve-changes", action="store_true",
        help="also approve the changes it makes to offers already in the catalogue (shown)",
    )
    reject = decisions.add_parser("reject", help="reject a pending proposal; the partner is told")
    reject.add_argument("id", type=int)
    reject.add_argument("--reason", required=True, help="why (told to the partner)")
    reports = catalog_commands.add_parser("reports", help="citizens' problem reports on offers")
    reports.add_argument("--json", action="store_true", help='{"reports": [...]} on stdout')

    match = commands.add_parser("match", help="find the offers that fit a profile")
    match.add_argument("--age", type=int, help="the citizen's age")
    match.add_argument(
        "--situation", action="append", default=[], metavar="CODE",
        help=f"the citizen's situation, repeatable: {', '.join(AUDIENCES)}",
    )
    match.add_argument(
        "--topic", action="append", default=[], metavar="CODE",
        help=f"an interest, repeatable: {', '.join(TOPICS)}",
    )
    match.add_argument("--text", default="", help="what the citizen wants, in their own words")
    match.add_argument("--near", metavar="LAT,LON", help="the citizen's location")
    match.add_argument("--free-only", action="store_true", help="free offers only")
    match.add_argument(
        "--online-only", action="store_true", help="online offers only (format online or hybrid)"
    )
    match.add_argument("--lang", choices=LANGUAGES, default="fr", help="language of the results")
    match.add_argument("--limit", type=int, default=5, help="how many offers (default 5)")
    match.add_argument("--today", metavar="YYYY-MM-DD", help="date used for start/end dates")
    match.add_argument("--json", action="store_true", help="print one JSON object")

    understand = commands.add_parser(
        "understand", help="how the conversation takes a typed answer (JSON, one per line)")
    understand.add_argument("--question", choices=UNDERSTOOD_QUESTIONS,
                            help="the question being asked when the text arrives")
    understand.add_argument("--items", action="store_true",
                            help="read JSON objects with question, lang and text on stdin "
                                 "(an evaluation set such as eval/answers.jsonl)")
    understand.add_argument("--lang", choices=LANGUAGES, default="fr",
                            help="the citizen's interface language (default fr)")
    understand.add_argument("text", nargs="?", metavar="TEXT",
                            help="the typed text (default: one per line on standard input)")

    lexicon = commands.add_parser(
        "lexicon", help="the matcher's word lists: what to add (searches, catalogue)")
    lexicon_commands = lexicon.add_subparsers(dest="lexicon_command", required=True)
    suggest = lexicon_commands.add_parser(
        "suggest", help="unknown words of searches that found nothing, and catalogue words "
                        "no synonym group covers, with lines to paste into the lexicon")
    suggest.add_argument("--days", type=int, default=30, help="the last N days (default 30)")
    suggest.add_argument("--min-count", type=int, default=None, metavar="N",
                         help="people per search word (never fewer than "
                              "TREMPLIN_STATS_MIN_COUNT), offers per catalogue word (default 2)")
    suggest.add_argument("--json", action="store_true", help="print one JSON object")

    stats = commands.add_parser("stats", help="usage statistics (admins)")
    stats.add_argument("--days", type=int, default=30, help="the last N days (default 30)")
    stats.add_argument("--csv", metavar="FILE", help="also write every figure to a CSV file")

    jobs_cli.add_parser(commands)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="create or upgrade the schema")
    return parser


async def _dispatch(args: argparse.Namespace, settings: BotSettings) -> int:
    # Imports are local so that `tremplin --help` stays fast and a command loads only its part.
    if args.command == "catalog":
        from bot.cli import catalog as catalog_cli

        return await catalog_cli.run(args, settings)
    if args.command == "db":
        from bot.cli import catalog as catalog_cli

        return await catalog_cli.upgrade(settings)
    if args.command == "match":
        from bot.cli import match as match_cli

        return await match_cli.run(args, settings)
    if args.command == "chat":
        from bot.terminal import chat as terminal

        return await terminal.run(args, settings)
    if args.command == "run":
        from bot.telegram import application as telegram_app

        return await telegram_app.run(settings)
    if args.command == "understand":
        from bot.cli import understand as understand_cli

        return await understand_cli.run(args, settings)
    if args.command == "lexicon":
        from bot.cli import lexicon as lexicon_cli

        return await lexicon_cli.run(args, settings)
    if args.command == "stats":
        from bot.cli import stats as stats_cli

        return await stats_cli.run(args, settings)
    if args.command == "jobs":
        return await jobs_cli.run(args, settings)
    raise AssertionError(args.command)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tremplin`` console script."""
    try:
        try:
            return _main(argv)
        finally:
            sys.stdout.flush()  # here, not at exit, where a closed pipe would print a traceback
    except BrokenPipeError:
        # The reader left (`tremplin match | head -1`): stop quietly, as the Python docs advise;
        # the rest of the output goes nowhere instead of failing again when Python exits.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    overrides: dict[str, Any] = {}
    if args.database_url:
        overrides["database_url"] = args.database_url
    try:
        settings = load_bot_settings(**overrides)
    except SettingsError as error:
        print(f"tremplin: invalid setting {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return asyncio.run(_dispatch(args, settings))
    except KeyboardInterrupt:
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
