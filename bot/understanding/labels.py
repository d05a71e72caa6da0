"""The button labels of every question, read from the gettext catalogues (``messages.po``).

A citizen often types the label of a button ("Retour", "En recherche d'emploi", "تخطي"): every
label of every language found under ``locales/`` is a lexicon entry, so a new language needs
its translations only. Codes come from the project's vocabulary; msgids are the English labels.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from catalog.i18n import compiled
from catalog.vocabulary import AUDIENCES, TOPICS

# question group -> code -> msgids whose translations say that code (bot.questions, bot.commands)
MSGIDS: dict[str, dict[str, tuple[str, ...]]] = {
    "who": {"me": ("Me",), "child": ("My child",), "family": ("My family",)},
    "age": {"u18": ("Under 18",), "18-25": ("18 to 25",), "26-44": ("26 to 44",),
            "45-59": ("45 to 59",), "60+": ("60 or over",)},
    "situation": {**{code: (label,) for code, label in AUDIENCES.items()},
                  "none": ("Prefer not to say",)},
    "topics": {code: (label,) for code, label in TOPICS.items()},
    "where": {"online": ("Online only", "Online"), "anywhere": ("Anywhere in {city}",)},
    "nav": {"back": ("Back",), "skip": ("Skip",), "done": ("Done",),
            "restart": ("Start again", "Start over", "Start again from the first question")},
    "confirm": {"yes": ("Yes, erase everything", "yes"), "no": ("No, keep it", "Cancel")},
}


def languages(locales: Path) -> tuple[str, ...]:
    """The languages that have a catalogue under ``locales``."""
    return tuple(sorted(p.parent.parent.name for p in locales.glob("*/LC_MESSAGES/messages.po")))


def load_labels(locales: Path) -> dict[str, dict[str, dict[str, list[str]]]]:
    """``{lang: {group: {code: [label, ...]}}}`` for every catalogue (English msgids as ``en``)."""
    wanted = {msgid for codes in MSGIDS.values() for ids in codes.values() for msgid in ids}
    found: dict[str, dict[str, dict[str, list[str]]]] = {}
    for lang in languages(locales) or ("en",):
        path = locales / lang / "LC_MESSAGES" / "messages.po"
        strings: dict[str, str] = {}  # msgid -> its translation
        if path.is_file():
            # The compiled catalogue the bot uses (kept in the cache): no .po parsing at each
            # start, and fuzzy entries left out as in the conversation.
            catalogue = gettext.GNUTranslations(io.BytesIO(compiled(path, lang)))
            for msgid in wanted:
                translated = catalogue.gettext(msgid)
                if translated != msgid or lang == "en":
                    strings[msgid] = translated
        groups = found.setdefault(lang, {})
        for group, codes in MSGIDS.items():
            for code, msgids in codes.items():
                texts = [strings.get(m) or (m if lang == "en" else "") for m in msgids]
                groups.setdefault(group, {})[code] = [t for t in texts if t]
    found.setdefault("en", {g: {c: list(ids) for c, ids in codes.items()}
                            for g, codes in MSGIDS.items()})
    return found
