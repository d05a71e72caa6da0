"""Place words of the catalogue that are not names, translated on cards like any message.

A neighbourhood or city cell is usually a name (Saint-Alyre, Montferrand, Aubière), shown as
written in every language. A few cells say where in words ("Toute la ville", "21 communes de la
métropole"): those are listed here as messages of the gettext catalogues, in French as the
catalogue writes them (the one place where a msgid is not English: it is the catalogue's own
text), so that a card in Ukrainian says "Усе місто". A city adds its own phrases to the list and
translates them in ``locales/`` like any message; ``tests/test_translations.py`` checks them.
"""

from __future__ import annotations

from catalog.i18n import N_, Translator

PLACE_WORDS: frozenset[str] = frozenset({
    N_("Toute la ville"),
    N_("Centre-ville"),
    N_("Lieux variés"),
    N_("21 communes de la métropole"),
})


def place_in(value: str, tr: Translator) -> str:
    """A neighbourhood or city cell in the reader's language: words translated, names as written."""
    return tr.gettext(value) if value in PLACE_WORDS else value
