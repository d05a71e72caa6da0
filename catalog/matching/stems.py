"""Stems in the seven interface languages: Snowball (PyStemmer) where it exists, a small
suffix stripper for Ukrainian (Snowball has none). Words are folded before (no accents).

``stems(word)`` gives the word's stem in each language, tagged with it ("es:conferenci"), so
that an inflected form typed in any language meets the lexicon entry it comes from.
"""

from __future__ import annotations

from functools import lru_cache

import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no type stubs

SNOWBALL = {"fr": "french", "en": "english", "es": "spanish", "pt": "portuguese",
            "tr": "turkish", "ar": "arabic"}
_STEMMERS = {lang: Stemmer.Stemmer(name) for lang, name in SNOWBALL.items()}
# Ukrainian noun, adjective and verb endings, longest first (after folding: й -> и).
_UK_SUFFIXES = tuple(sorted((
    "ування", "ювання", "ання", "ення", "ання", "іння", "ами", "ями", "ові", "еві", "ого",
    "ому", "ими", "іми", "ому", "ої", "ою", "ею", "ах", "ях", "ів", "ам", "ям", "ий", "ии",
    "ій", "іи", "их", "их", "им", "ім", "ти", "ть", "і", "и", "а", "я", "у", "ю", "о", "е",
    "ь", "ї", "є",
), key=len, reverse=True))
MIN_STEM = 3


def ukrainian_stem(word: str) -> str:
    """The word without its longest Ukrainian ending, at least three letters kept."""
    for suffix in _UK_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=16384)
def stems(word: str) -> frozenset[str]:
    """``lang:stem`` of ``word`` in each language whose script it is written in."""
    if len(word) < 4:
        return frozenset()
    if any("\u0400" <= char <= "\u04ff" for char in word):
        return frozenset({"uk:" + ukrainian_stem(word)})
    if any("\u0600" <= char <= "\u06ff" for char in word):
        return frozenset({"ar:" + _STEMMERS["ar"].stemWord(word)})
    return frozenset(
        f"{lang}:{stemmer.stemWord(word)}" for lang, stemmer in _STEMMERS.items() if lang != "ar"
    )
