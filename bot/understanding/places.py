"""Neighbourhood names typed loosely: "st jacques", "montferand", "монферан", "la gauthiere".

Names and typed words are compared on a rough sound key (``catalog.matching.text.sound``: silent
letters, doubled letters and ``ph``/``qu`` spellings removed), after Cyrillic and Arabic are
written in Latin letters; Arabic, which writes no short vowels, is compared on consonants.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rapidfuzz.distance import Levenshtein

from bot.understanding.matcher import Entry, Lexicon, phrase_tokens
from bot.understanding.normalise import ARABIC, CYRILLIC, to_latin, tokens
from catalog.matching.text import sound

_LINKS = frozenset({"la", "le", "les", "l", "de", "des", "du", "d", "sur", "en", "aux", "au"})
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "stjacques": "saintjacques"}
_VOWELS = re.compile(r"[aeiouy]")


def _skeleton(key: str) -> str:
    return _VOWELS.sub("", key)


class Places:
    """The neighbourhoods of the city, found in a typed text."""

    def __init__(self, names: Iterable[str], ignore: Iterable[str] = (),
                 aliases: dict[str, list[str]] | None = None) -> None:
        self.names: list[tuple[str, str]] = []  # (sound key, name)
        self.parts: dict[str, set[str]] = {}  # a distinctive word of a name -> names
        common: dict[str, int] = {}
        folded_names = []
        for name in dict.fromkeys(names):
            words = [_ABBREVIATIONS.get(w, w) for w in tokens(name) if w not in _LINKS]
            if not words or any(w.isdigit() for w in words):
                continue
            folded_names.append((name, words))
            for word in set(words):
                common[word] = common.get(word, 0) + 1
        for name, words in folded_names:
            self.names.append((sound("".join(words)), name))
            self.names.append(("".join(words), name))  # as written, too: a typo in "au"
            # with its article glued (l'Oradou typed "loradou")
            whole = "".join(w for w in tokens(name) if w not in ("de", "des", "du", "d"))
            if whole != "".join(words):
                self.names.append((sound(whole), name))
            for word in words:
                if len(word) >= 5 and common[word] == 1:
                    self.parts.setdefault(sound(word), set()).add(name)
                    self.parts.setdefault(word, set()).add(name)
        known = {name for name, _ in folded_names}
        # other names, found like any lexicon phrase (inflected, mistyped: "в центрі")
        self.aliases = Lexicon(Entry(phrase_tokens(other), name, "xx", 2, other)
                               for name, others in (aliases or {}).items() if name in known
                               for other in others)
        self.ignore = frozenset(tokens(" ".join(ignore)))
        self.single_parts = [(part, name) for part, names in self.parts.items()
                             if len(names) == 1 for name in names]

    def find(self, words: Sequence[str]) -> tuple[str, float] | None:
        """The neighbourhood that ``words`` name, and how many words said it (less when
        guessed from a spelling far from the name), or ``None``."""
        found = self.aliases.find(words)
        if found:
            best_alias = max(found, key=lambda m: (len(m.positions), m.quality))
            return best_alias.code, len(best_alias.positions)
        kept = [_ABBREVIATIONS.get(w, w) for w in words if w not in _LINKS and w not in self.ignore]
        best: tuple[float, str, float] | None = None
        for size in range(1, min(4, len(kept)) + 1):
            for start in range(len(kept) - size + 1):
                window = kept[start:start + size]
                arabic = any(ARABIC.search(w) for w in window)
                approximate = arabic or any(CYRILLIC.search(w) for w in window)
                latin = "".join(to_latin(w) for w in window)
                candidates = self.names if size > 1 else self.names + self.single_parts
                for key in {sound(latin), latin}:
                    if len(key) < 3:
                        continue
                    for listed, name in candidates:
                        distance = _distance(key, listed, approximate, arabic)
                        if distance is not None:
                            score = distance / max(len(listed), 1)
                            if best is None or score < best[0]:
                                guessed = 0.5 if distance else 0
                                best = (score, name, size * (1 - score) - guessed)
        return (best[1], best[2]) if best else None


def _distance(key: str, listed: str, approximate: bool, arabic: bool) -> int | None:
    """Edits between a typed key and a listed one, when few enough to be the same name."""
    if approximate:
        # Arabic writes no short vowels, and Cyrillic spellings only approximate the French
        # ones: compare consonants (or the whole key, written in Cyrillic)
        if not arabic and Levenshtein.distance(key, listed) <= (
                0 if len(listed) <= 3 else 1 if len(listed) <= 8 else 2):
            return Levenshtein.distance(key, listed)
        key, listed = _skeleton(key), _skeleton(listed)
        if len(key) < 3 or len(listed) < 3:
            return None
        limit = 0 if len(listed) <= 3 else 1 if len(listed) <= 6 else 2
    else:
        limit = 0 if len(listed) <= 4 else 1 if len(listed) <= 8 else 2
    if abs(len(key) - len(listed)) > limit:
        return None
    distance = Levenshtein.distance(key, listed, score_cutoff=limit)
    return distance if distance <= limit else None
