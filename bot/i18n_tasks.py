"""The translation workflow in one command each (wrapping pybabel, run from the repository root).

    python -m bot.i18n_tasks extract    # code -> locales/messages.pot
    python -m bot.i18n_tasks update     # messages.pot -> locales/<lang>/LC_MESSAGES/messages.po
    python -m bot.i18n_tasks compile    # .po -> .mo (optional: catalog.i18n compiles in memory)
    python -m bot.i18n_tasks init LANG  # start a new language from messages.pot

After ``update``, translate the new entries (empty ``msgstr``) and clear any ``fuzzy`` flag:
``tests/test_translations.py`` fails until every language is complete.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
TEMPLATE = LOCALES / "messages.pot"
# gettext and ngettext are Babel's defaults (they match ``tr.gettext``/``tr.ngettext``); N_
# marks strings translated later (vocabulary labels, matcher reasons).
KEYWORDS = ("-k", "N_", "-k", "gettext", "-k", "ngettext:1,2")
EXTRACT_OPTIONS = (
    "-F", str(ROOT / "babel.cfg"), *KEYWORDS, "--sort-by-file", "--no-wrap",
    "--project", "Tremplin", "--copyright-holder", "Tremplin contributors",
    "--msgid-bugs-address", "https://github.com/tremplin/tremplin/issues",
)


def pybabel(*arguments: str) -> int:
    """Run one ``pybabel`` command from the repository root; its exit status."""
    # From the root, the references in the catalogues are relative paths (bot/engine/cards.py:9).
    with contextlib.chdir(ROOT):
        try:
            CommandLineInterface().run(["pybabel", "-q", *arguments])
        except SystemExit as exit_:
            return int(exit_.code or 0)
    return 0


def extract(output: Path = TEMPLATE) -> int:
    """Extract every translatable string of ``bot/`` and ``catalog/`` into ``output``."""
    return pybabel("extract", *EXTRACT_OPTIONS, "-o", str(output), ".")


def update() -> int:
    """Merge the template into every language's catalogue (new entries come untranslated)."""
    return pybabel("update", "-i", str(TEMPLATE), "-d", str(LOCALES), "--no-wrap",
                   "--ignore-obsolete", "--no-fuzzy-matching")


def compile_() -> int:
    """Compile every ``.po`` into a ``.mo`` (refusing fuzzy entries)."""
    return pybabel("compile", "-d", str(LOCALES), "--statistics")


def init(language: str) -> int:
    """Create ``locales/<language>/LC_MESSAGES/messages.po`` from the template."""
    return pybabel("init", "-i", str(TEMPLATE), "-d", str(LOCALES), "-l", language, "--no-wrap")


def main(argv: Sequence[str] | None = None) -> int:
    """``extract``, ``update``, ``compile`` or ``init LANG``."""
    args = list(sys.argv[1:] if argv is None else argv)
    tasks = {"extract": extract, "update": update, "compile": compile_}
    if len(args) == 1 and args[0] in tasks:
        return tasks[args[0]]()
    if len(args) == 2 and args[0] == "init":
        return init(args[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
