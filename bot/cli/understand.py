"""``tremplin understand``: how the conversation takes a typed text, as JSON.

The same reader as the dialogue engine (``bot.understanding``), with the catalogue's
neighbourhoods and the city of the settings, so what it prints is what the conversation does.
One TEXT gives one JSON object; with no TEXT, each line of standard input gives one, in order.
Exit codes: 0 success, 1 runtime failure (database), 2 bad usage (argparse names the option).
"""

from __future__ import annotations

import argparse
import json
import sys

from sqlalchemy.exc import SQLAlchemyError

from bot.cli.match import EXIT_FAILURE, EXIT_OK, _catalogue
from bot.understanding import Understander
from catalog.settings import Settings


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the interpretation of TEXT, or of each line of standard input."""
    try:
        index = await _catalogue(settings)
    except (SQLAlchemyError, OSError) as error:
        print(f"tremplin understand: cannot read the catalogue: {error}", file=sys.stderr)
        return EXIT_FAILURE
    reader = Understander(neighbourhoods=index.neighbourhoods(), city=settings.city)
    texts = [args.text] if args.text is not None else (line.rstrip("\r\n") for line in sys.stdin)
    for text in texts:
        found = reader.understand(args.question, text, args.lang)
        print(json.dumps(found.to_json(), ensure_ascii=False), flush=args.text is None)
    return EXIT_OK
