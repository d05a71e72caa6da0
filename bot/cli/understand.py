"""``tremplin understand``: how the conversation takes a typed text, as JSON.

The same reader as the dialogue engine (``bot.understanding``), with the catalogue's
neighbourhoods and the city of the settings, so what it prints is what the conversation does.
One TEXT gives one JSON object; with no TEXT, each line of standard input gives one, in order.
With ``--items``, each line of standard input is a JSON object with ``question``, ``lang`` and
``text`` (the items of ``eval/answers.jsonl``): a whole evaluation set in one run.
Exit codes: 0 success, 1 runtime failure (database), 2 bad usage or input, named on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

from sqlalchemy.exc import SQLAlchemyError

from bot.cli.match import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, _catalogue
from bot.understanding import QUESTIONS, Understander
from catalog.i18n import LANGUAGES
from catalog.settings import Settings


class UsageError(Exception):
    """Bad options or a bad input line, with the sentence that explains it."""


def _item(line: str, number: int) -> tuple[str, str, str]:
    """``(question, lang, text)`` of one ``--items`` line, or :class:`UsageError`."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        raise UsageError(f"line {number}: not a JSON object ({error})") from None
    fields = (item.get(key) if isinstance(item, dict) else None
              for key in ("question", "lang", "text"))
    question, lang, text = fields
    if question not in QUESTIONS or lang not in LANGUAGES or not isinstance(text, str):
        raise UsageError(f"line {number}: expected question (one of {', '.join(QUESTIONS)}), "
                         f"lang (one of {', '.join(LANGUAGES)}) and text")
    return question, lang, text


def _inputs(args: argparse.Namespace) -> Iterator[tuple[str, str, str]]:
    if args.items:
        if args.text is not None or args.question is not None:
            raise UsageError("--items reads everything from standard input: no --question, "
                             "no TEXT")
        for number, line in enumerate(sys.stdin, start=1):
            if line.strip():
                yield _item(line, number)
        return
    if args.question is None:
        raise UsageError("--question is required (or --items)")
    texts = [args.text] if args.text is not None else (line.rstrip("\r\n") for line in sys.stdin)
    for text in texts:
        yield args.question, args.lang, text


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the interpretation of TEXT, or of each line of standard input."""
    if args.question is None and not args.items:
        print("tremplin understand: --question is required (or --items)", file=sys.stderr)
        return EXIT_USAGE
    try:
        index = await _catalogue(settings)
    except (SQLAlchemyError, OSError) as error:
        print(f"tremplin understand: cannot read the catalogue: {error}", file=sys.stderr)
        return EXIT_FAILURE
    reader = Understander(neighbourhoods=index.neighbourhoods(), city=settings.city)
    try:
        for question, lang, text in _inputs(args):
            found = reader.understand(question, text, lang)
            print(json.dumps(found.to_json(), ensure_ascii=False), flush=args.text is None)
    except UsageError as error:
        print(f"tremplin understand: {error}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
