"""Text as the understanding layer reads it: folded tokens, digits in ASCII, Arabic clitics.

Folding is the project's own (``catalog.matching.text.fold``: lower case, no accents, NFC), so
a label, a lexicon entry and a typed text meet on the same form. Arabic letters that users
write either way are unified (أ/إ/آ -> ا by the fold, ة -> ه, ى -> ي),
and digits of any script become ASCII.
"""

from __future__ import annotations

import re

from catalog.matching.text import fold as _fold

# Arabic-Indic and Extended Arabic-Indic (Persian, Urdu) digits, and the Arabic letters typed
# either way; the tatweel (elongation) goes.
_EXTRA = str.maketrans(
    {**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)},
     "ة": "ه", "ى": "ي", "ـ": "", "،": ",", "؛": ";", "؟": "?", "’": "'", "ʼ": "'", "`": "'"}
)
# Digits apart from letters ("18ans", "42yaşındayım"); an apostrophe inside a Cyrillic word is
# a letter (комп'ютер); elsewhere it separates (l'atelier, Fransa'ya).
_TOKEN = re.compile(r"\d+|[^\W\d_]+")
_CYRILLIC_APOSTROPHE = re.compile(r"(?<=[\u0400-\u04ff])'(?=[\u0400-\u04ff])")
ARABIC = re.compile(r"[\u0600-\u06ff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def fold(text: str) -> str:
    """``catalog.matching.text.fold`` plus ASCII digits and unified Arabic letters."""
    return _fold(text.translate(_EXTRA))


def tokens(text: str) -> list[str]:
    """The folded words and digit runs of ``text``, in order."""
    return _TOKEN.findall(_CYRILLIC_APOSTROPHE.sub("", fold(text)))


_BREAK = re.compile(r"[,;:.!?()\[\]/\n]")


def tokens_and_breaks(text: str) -> tuple[list[str], frozenset[int]]:
    """The tokens of ``text``, and the positions ``i`` where punctuation separates token ``i``
    from token ``i + 1`` ("kızım 4, oğlum 8": the 4 is no count of sons)."""
    folded = _CYRILLIC_APOSTROPHE.sub("", fold(text))
    found = list(_TOKEN.finditer(folded))
    breaks = frozenset(i for i in range(len(found) - 1)
                       if _BREAK.search(folded, found[i].end(), found[i + 1].start()))
    return [m.group() for m in found], breaks


# Arabic glues conjunctions, prepositions and the article to the word, and possessive
# pronouns and the feminine ending after it: والانجليزي, لنفسي, بالكمبيوتر, طالبة.
_AR_PREFIXES = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_AR_SUFFIXES = ("هما", "كما", "ها", "هم", "كم", "نا", "ني", "ه", "ي", "ك", "ات", "ون", "ين", "ان")


def arabic_variants(word: str) -> tuple[str, ...]:
    """``word`` and its forms without the clitics glued to it (at least 2 letters left)."""
    if not ARABIC.search(word):
        return (word,)
    found = [word]
    for prefix in ("", *_AR_PREFIXES):
        if prefix and not (word.startswith(prefix) and len(word) - len(prefix) >= 2):
            continue
        bare = word[len(prefix):]
        if bare not in found:
            found.append(bare)
        for suffix in _AR_SUFFIXES:
            if bare.endswith(suffix) and len(bare) - len(suffix) >= 2:
                stem = bare[: -len(suffix)]
                if stem not in found:
                    found.append(stem)
    return tuple(found)


def arabic_bare(word: str) -> str:
    """``word`` without the conjunction, preposition or article glued before it."""
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix):]
    return word


# --- Other scripts to Latin, for place names typed as heard (монферан, مونفيران). ---
_CYRILLIC_LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "j",
    "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "ou", "ф": "f", "х": "h", "ц": "ts",
    "ч": "tch", "ш": "ch", "щ": "ch", "ь": "", "ю": "iou", "я": "ia", "ы": "i", "э": "e",
    "ё": "io", "ъ": "",
})
_ARABIC_LATIN = str.maketrans({
    "ا": "a", "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "d",
    "ر": "r", "ز": "z", "س": "s", "ش": "ch", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "",
    "غ": "g", "ف": "f", "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "", "و": "o",
    "ي": "i", "ء": "", "پ": "p", "ڤ": "v", "گ": "g", "چ": "ch",
})


def to_latin(word: str) -> str:
    """A rough French-leaning Latin spelling of a Cyrillic or Arabic word (others unchanged)."""
    if CYRILLIC.search(word):
        return word.translate(_CYRILLIC_LATIN)
    if ARABIC.search(word):
        return word.translate(_ARABIC_LATIN)
    return word
