"""Find lexicon phrases in a typed text, tolerant of inflections, clitics and typos.

A :class:`Lexicon` holds phrases (each a few folded tokens) that stand for codes. A token of a
phrase meets a typed token when they are equal, or when one is an inflection of the other, or
when they are one typo apart:

- ``word*`` in the data: any typed word starting with ``word`` (Ukrainian cases, Turkish
  suffixes: ``студент*``, ``öğrenci*``);
- a typed word that starts with a listed word of 4+ letters, a few letters more (``retraitée``
  for ``retraité``, ``işsizim`` for ``işsiz``), or that shares all but its last two letters with
  a listed word of 7+ letters (``jubilada``/``jubilado``, ``безробітна``/``безробітний``);
- the same Snowball stem in the phrase's language (``families``/``family``);
- Arabic: the same word once its clitics are removed (``والانجليزي`` -> ``انجليزي``);
- a typo: one edit for words of 5+ letters, two for 9+ (Damerau: a swap is one edit).

Phrases match in order, with up to two other words between their tokens ("cherche du travail"
for "cherche travail"); the longest phrases are taken first, and each typed word serves once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no type hints
from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from bot.understanding.normalise import ARABIC, arabic_bare, arabic_variants, tokens

GAP = 2  # other words allowed between two tokens of a phrase
SNOWBALL = {"fr": "french", "en": "english", "es": "spanish", "pt": "portuguese",
            "tr": "turkish", "ar": "arabic"}
# How many letters an inflection may add to a listed word, by language: agglutinative and
# case-rich languages add more (öğrenci-siyim, пенсіонер-ка).
SUFFIX_ROOM = {"tr": 6, "uk": 4, "ar": 3}
DEFAULT_SUFFIX_ROOM = 3

EXACT, INFLECTED, TYPO = 3, 2, 1


class UkrainianEndings:
    """A light Ukrainian stemmer (Snowball has none): the case and gender ending removed,
    three letters kept. Enough to meet "мамою" and "мама", "безробітна" and "безробітний";
    pymorphy3's dictionary (26 MB) lemmatises better but costs 16 µs a word."""

    ENDINGS = ("ями", "ами", "ові", "еві", "ого", "ому", "ими", "іми", "ою", "ею", "ям", "ам",
               "ях", "ах", "ом", "ем", "ий", "ій", "ої", "их", "ім", "ів", "їв", "ти", "ся",
               "а", "я", "у", "ю", "і", "и", "е", "о", "ь", "є")

    def stemWord(self, word: str) -> str:
        for ending in self.ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                return word[: -len(ending)]
        return word


@cache
def _stemmer(lang: str) -> Stemmer.Stemmer | UkrainianEndings | None:
    if lang == "uk":
        return UkrainianEndings()
    algorithm = SNOWBALL.get(lang)
    return Stemmer.Stemmer(algorithm) if algorithm else None


@dataclass(frozen=True, slots=True)
class Entry:
    """One phrase of the lexicon: its tokens (``word*`` for a prefix), code and weight."""

    tokens: tuple[str, ...]
    code: str
    lang: str
    weight: int = 2  # 2: says the code; 1: weak hint; 0: blocks its words (an idiom)
    text: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    entry: Entry
    positions: tuple[int, ...]
    quality: int

    @property
    def code(self) -> str:
        return self.entry.code

    @property
    def span(self) -> tuple[int, int]:
        return self.positions[0], self.positions[-1] + 1


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    """The tokens of a lexicon phrase; a trailing ``*`` on a word makes its last token a prefix."""
    found: list[str] = []
    for part in phrase.split():
        star = part.endswith("*")
        parts = tokens(part.rstrip("*"))
        if star and parts:
            parts[-1] += "*"
        found.extend(parts)
    return tuple(found)


class Lexicon:
    """Phrases standing for codes, found tolerantly in token sequences."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: list[Entry] = []
        seen: set[tuple[tuple[str, ...], str]] = set()
        for entry in entries:
            key = (entry.tokens, entry.code)
            if entry.tokens and key not in seen:
                seen.add(key)
                self.entries.append(entry)
        self.by_first: dict[str, list[Entry]] = {}
        self.exact: dict[str, set[str]] = {}  # typed form (or Arabic bare form) -> listed words
        self.room: dict[str, int] = {}  # listed word -> letters an inflection may add
        self.prefixes: set[str] = set()  # "word" of each "word*"
        self.heads: dict[str, list[str]] = {}
        self.stems: dict[tuple[str, str], set[str]] = {}
        langs: set[str] = set()
        for entry in self.entries:
            self.by_first.setdefault(entry.tokens[0], []).append(entry)
            langs.add(entry.lang)
            for token in entry.tokens:
                self._index(token, entry.lang)
        self.langs = tuple(sorted(langs))
        self.words = sorted(w for w in self.room if len(w) >= 5 and not w.isdigit())
        # (Arabic words are short: from 4 letters)
        self.words += sorted(w for w in self.room if len(w) == 4 and ARABIC.search(w))
        self.prefix_lists: dict[int, list[str]] = {}
        for prefix in sorted(self.prefixes):
            if len(prefix) >= 5:
                self.prefix_lists.setdefault(len(prefix), []).append(prefix)
        self._cache: dict[str, dict[str, int]] = {}

    def _index(self, token: str, lang: str) -> None:
        if token.endswith("*"):
            self.prefixes.add(token[:-1])
            return
        self.exact.setdefault(token, set()).add(token)
        if ARABIC.search(token) and token.startswith("ال") and len(token) > 4:
            self.exact.setdefault(token[2:], set()).add(token)
        room = SUFFIX_ROOM.get(lang, DEFAULT_SUFFIX_ROOM)
        self.room[token] = max(room, self.room.get(token, 0))
        if len(token) >= 7 and not token.isdigit():
            self.heads.setdefault(token[:-2], []).append(token)
        stemmer = _stemmer(lang)
        if stemmer and len(token) >= 3 and not token.isdigit():
            stem = stemmer.stemWord(token)
            if len(stem) >= 3:
                self.stems.setdefault((lang, stem), set()).add(token)

    # -- one typed token against the listed tokens --

    def token_matches(self, word: str) -> dict[str, int]:
        """The listed tokens (``word*`` for prefixes) that ``word`` stands for, with a quality."""
        cached = self._cache.get(word)
        if cached is None:
            cached = self._token_matches(word)
            if len(self._cache) > 20_000:
                self._cache.clear()
            self._cache[word] = cached
        return cached

    def _token_matches(self, word: str) -> dict[str, int]:
        found: dict[str, int] = {}

        def add(listed: str, quality: int) -> None:
            if found.get(listed, 0) < quality:
                found[listed] = quality

        variants = arabic_variants(word)
        for index, form in enumerate(variants):
            quality = EXACT if index == 0 else INFLECTED
            for listed in self.exact.get(form, ()):
                add(listed, quality)
            for end in range(len(form), 1, -1):
                if form[:end] in self.prefixes:
                    add(form[:end] + "*", EXACT if end == len(form) and index == 0 else INFLECTED)
        if word.isdigit():
            return found
        arabic = bool(ARABIC.search(word))
        # inflections: a listed word plus a few letters
        for end in range(4, len(word)):
            head = word[:end]
            if head in self.room and len(word) - end <= self.room[head]:
                add(head, INFLECTED)
        # a listed word of 7+ letters with another ending of at most 2 letters (+1)
        for end in range(max(5, len(word) - 3), len(word) + 1):
            for listed in self.heads.get(word[:end], ()):
                if abs(len(listed) - len(word)) <= 2 and len(listed) - 2 == end:
                    add(listed, INFLECTED)
        if not arabic:  # the Arabic Snowball stemmer takes root letters for prefixes (بطالة)
            for lang in self.langs:
                stemmer = _stemmer(lang)
                if stemmer and len(word) >= 4:
                    for listed in self.stems.get((lang, stemmer.stemWord(word)), ()):
                        add(listed, INFLECTED)
        if len(word) < 4 or EXACT in found.values():
            return found
        # typos, compared with the whole vocabulary in C (rapidfuzz): one edit from 5 letters
        # (a 4-letter word may be a 5-letter one with a letter missing), two from 9 letters.
        # Among several, the ones with fewest letters added or dropped (Indel): "çalışıyoorum"
        # is "çalışıyorum" with a letter doubled, not "çalışmıyorum" (its negation) mistyped.
        typos: dict[str, int] = {}
        forms = {word, arabic_bare(word)} if arabic else {word}
        for form in forms:
            cutoff = 2 if len(form) >= 8 else 1
            for listed, distance, _ in process.extract(form, self.words, scorer=OSA.distance,
                                                       score_cutoff=cutoff, limit=None):
                if distance > (2 if len(listed) >= 9 else 1) or listed in found:
                    continue
                shortest = min(len(form), len(listed))
                if shortest < 4 or (shortest < 5 and (abs(len(form) - len(listed)) != 1
                                                      or listed[0] != form[0])):
                    continue  # short words: only a letter missing or added, never the first
                indel = Indel.distance(form, listed)
                if arabic and indel > 1 and sorted(form) != sorted(listed):
                    continue  # Arabic: one other letter is often another word (سيارة, زيارة)
                typos[listed] = min(typos.get(listed, 99), indel)
        # a listed prefix mistyped: compared with the typed word's beginning, one letter
        # shorter or longer too (a letter missing or doubled)
        if len(word) >= 5:
            for length, prefixes in self.prefix_lists.items():
                for size in (length - 1, length, length + 1):
                    if len(word) >= size:
                        head = word[:size]
                        for listed, _, _ in process.extract(head, prefixes, scorer=OSA.distance,
                                                            score_cutoff=1, limit=None):
                            key = listed + "*"
                            if key not in found:
                                typos[key] = min(typos.get(key, 99),
                                                 Indel.distance(head, listed))
        if typos:
            fewest = min(typos.values())
            for listed, indel in typos.items():
                if indel == fewest:
                    add(listed, TYPO)
        return found

    # -- phrases --

    def find(self, words: Sequence[str]) -> list[Match]:
        """The phrases found in ``words``, non-overlapping, longest and best first."""
        per_word = [self.token_matches(w) for w in words]
        candidates: list[Match] = []
        for start, matched in enumerate(per_word):
            for listed, quality in matched.items():
                for entry in self.by_first.get(listed, ()):
                    positions = [start]
                    total = quality
                    for token in entry.tokens[1:]:
                        last = positions[-1]
                        for position in range(last + 1, min(len(words), last + 2 + GAP)):
                            q = per_word[position].get(token)
                            if q:
                                positions.append(position)
                                total += q
                                break
                        else:
                            break
                    if len(positions) == len(entry.tokens):
                        candidates.append(Match(entry, tuple(positions), total))
        candidates.sort(key=lambda m: (-len(m.positions), -m.quality / len(m.positions),
                                       -len(m.entry.text), m.positions[0]))
        used: set[int] = set()
        chosen: list[Match] = []
        taken: set[tuple[tuple[int, ...], tuple[str, ...]]] = set()
        for match in candidates:
            key = (match.positions, match.entry.tokens)
            if used.isdisjoint(match.positions) or key in taken:
                # the same words may stand for several codes ("lecture": reading, literacy)
                used.update(match.positions)
                taken.add(key)
                chosen.append(match)
        chosen.sort(key=lambda m: m.positions[0])
        return chosen
