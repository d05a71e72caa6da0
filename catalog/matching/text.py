"""Text as the matcher sees it: folded, tokenised, and read for ages, topics and wishes.

Everything here is pure and multilingual (the interface languages: fr, en, ar, es, pt, tr, uk).
Folding makes "Démarches", "demarches" and "DÉMARCHES" the same word; the word tables live in
``catalog.matching.lexicon`` and are folded here once, at import.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

from catalog.matching import lexicon
from catalog.matching.stems import stems

# Letters that NFKD does not decompose but that users type without their mark.
_LETTERS = str.maketrans({"ı": "i", "œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l",
                          "ß": "ss", "’": "'", "ʼ": "'", "`": "'"})
_WORD = re.compile(r"[^\W_]+")
# An apostrophe inside a Cyrillic word is a letter (комп'ютер), not an elision (l'atelier).
_CYRILLIC_APOSTROPHE = re.compile(r"(?<=[\u0400-\u04ff])'(?=[\u0400-\u04ff])")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
TYPO_MIN_LENGTH, TYPO_CUTOFF = 6, 85.0  # a lexicon word typed with a typo (rapidfuzz ratio)


_INVISIBLE = frozenset(("Mn", "Me", "Cf", "Cs", "Co", "Cn"))


def _marks() -> re.Pattern[str]:
    """Combining marks and invisible format characters, as one character class.

    Built once at import (about 30 ms) from the Unicode database: a regular expression removes
    them in C, far faster than testing each character's category in Python.
    """
    ranges: list[str] = []
    start = previous = -2
    for code in range(0x10000):  # the Basic Multilingual Plane; the others are rare
        if unicodedata.category(chr(code)) in _INVISIBLE:
            if code != previous + 1:
                if start >= 0:
                    ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
                start = code
            previous = code
    ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
    return re.compile("[" + "".join(ranges) + "]+")


_MARKS = _marks()
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def fold(text: str) -> str:
    """Lower-case ``text`` without accents or control characters, as NFC.

    Control characters become spaces (a tab or a newline separates words); format characters
    (zero-width joiners, direction marks) disappear.
    """
    if text.isascii():
        return _CONTROLS.sub(" ", text.lower())
    # Case-fold after decomposing: compatibility forms (𝑨, Ⓐ) decompose to capitals.
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS)).casefold()
    stripped = _CONTROLS.sub(" ", _MARKS.sub("", decomposed))
    if _ASTRAL.search(stripped):  # rare: emoji, historic scripts; checked one by one
        stripped = "".join(
            char for char in stripped if unicodedata.category(char) not in _INVISIBLE
        )
    return unicodedata.normalize("NFC", stripped.translate(_LETTERS))


def words(text: str) -> list[str]:
    """Every folded word of ``text``, stop words included (phrases are looked up on these)."""
    return _WORD.findall(_CYRILLIC_APOSTROPHE.sub("", fold(text)))


def word_pairs(text: str) -> list[tuple[str, str]]:
    """``(folded, as written)`` for each word of ``text``: the matcher quotes what was written."""
    written = unicodedata.normalize("NFC", text.translate(_LETTERS))
    pairs: list[tuple[str, str]] = []
    for word in _WORD.findall(_CYRILLIC_APOSTROPHE.sub("", written)):
        pairs.extend((folded, word) for folded in words(word))
    return pairs


def content_spans(text: str) -> tuple[str, list[tuple[str, int, int]]]:
    """``(written, [(folded word, start, end)])``: the content words of ``text`` and where
    they stand in ``written`` (``text`` as NFC), so that a match can be quoted as written."""
    written = _CYRILLIC_APOSTROPHE.sub("", unicodedata.normalize("NFC", text.translate(_LETTERS)))
    found: list[tuple[str, int, int]] = []
    for match in _WORD.finditer(written):
        found.extend(
            (folded, match.start(), match.end())
            for folded in words(match.group())
            if is_content(folded)
        )
    return written, found


def is_content(word: str) -> bool:
    """A word that can carry a need: not a stop word, not a lone letter, not a bare number."""
    return len(word) > 1 and not word.isdigit() and word not in _STOPWORDS


def tokens(text: str) -> list[str]:
    """The folded content words of ``text``, in order."""
    return [word for word in words(text) if is_content(word)]


class Table:
    """Folded words, phrases and stems (``word*``) of a lexicon, each pointing to values.

    ``find`` reads a word sequence and reports every entry it contains, longest phrase first,
    so that "permis cariste" is found as one entry, not as "permis" and "cariste".
    """

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        self.exact: dict[str, set[str]] = {}
        self.stems: dict[str, set[str]] = {}
        for entry, value in entries:
            stem = entry.endswith("*")
            key = " ".join(words(entry.rstrip("*")))
            if key:
                (self.stems if stem else self.exact).setdefault(key, set()).add(value)
        self.longest = max((key.count(" ") + 1 for key in self.exact), default=1)
        # Inflections of a listed word ("cocinar" for "cocina", "guitares" for "guitare"):
        # a shared beginning of 5+ letters, at most 3 letters apart at the end.
        self.heads: dict[str, set[str]] = {}
        for key, values in self.exact.items():
            if " " not in key:
                for end in range(max(5, len(key) - 3), len(key) + 1):
                    self.heads.setdefault(key[:end], set()).update(values)
        # The same word inflected in its own language ("conferencias", "програмування"): its
        # Snowball stem (a suffix stripper for Ukrainian) meets the entry's.
        self.snowball: dict[str, set[str]] = {}
        for key, values in self.exact.items():
            if " " not in key:
                for tagged in stems(key):
                    self.snowball.setdefault(tagged, set()).update(values)
        # Typos ("conferensias", "istoria"): the closest single-word entry, when close enough.
        self.singles = [key for key in self.exact if " " not in key]
        self.typo = lru_cache(maxsize=4096)(self._typo)

    def lookup(self, word: str) -> set[str]:
        """The values of one word: exact entry, else the longest stem it starts with."""
        found = self.exact.get(word)
        if found:
            return found
        if word.endswith("s") and len(word) > 3:
            found = self.exact.get(word[:-1])
            if found:
                return found
        for end in range(len(word), 2, -1):
            found = self.stems.get(word[:end])
            if found:
                return found
        for end in range(len(word), max(4, len(word) - 4), -1):
            found = self.heads.get(word[:end])
            if found:
                return found
        for tagged in stems(word):
            found = self.snowball.get(tagged)
            if found:
                return found
        found = self.typo(word)
        if found:
            return found
        if len(word) <= 24 and _ARABIC.search(word):
            # Arabic glues articles and pronouns to the word: look for the stem inside it.
            for start in range(1, len(word) - 2):
                for end in range(len(word), start + 2, -1):
                    found = self.stems.get(word[start:end]) or self.exact.get(word[start:end])
                    if found:
                        return found
        return set()

    def _typo(self, word: str) -> set[str]:
        if len(word) < TYPO_MIN_LENGTH or word in _STOPWORDS:
            return set()
        best = process.extractOne(word, self.singles, scorer=fuzz.ratio,
                                  score_cutoff=TYPO_CUTOFF)
        return self.exact[best[0]] if best else set()

    def find(self, sequence: Sequence[str]) -> Iterator[tuple[int, int, set[str]]]:
        """Yield ``(start, end, values)`` for the entries found in ``sequence``, left to right."""
        position = 0
        while position < len(sequence):
            for size in range(min(self.longest, len(sequence) - position), 1, -1):
                found = self.exact.get(" ".join(sequence[position : position + size]))
                if found:
                    yield position, position + size, found
                    position += size
                    break
            else:
                found = self.lookup(sequence[position])
                if found:
                    yield position, position + 1, found
                position += 1

    def contains(self, text: str) -> bool:
        return any(True for _ in self.find(words(text)))


_STOPWORDS = frozenset(fold(word) for word in lexicon.STOPWORDS)
TOPIC_TABLE = Table((word, topic) for topic, group in lexicon.TOPIC_WORDS.items() for word in group)
# Each synonym group is keyed by its first member; its members are kept as the index sees
# them (content words joined by spaces: "entretien d'embauche" -> "entretien embauche").
def _index_form(entry: str) -> str:
    """A lexicon entry as the index sees it; "" when only a stop-word-free fragment would be left
    of a phrase ("do it yourself" must not stand for "yourself")."""
    content = tokens(entry.rstrip("*"))
    return " ".join(content) if len(content) == len(words(entry.rstrip("*"))) or len(
        content) > 1 else ""


SYNONYM_GROUPS: dict[str, tuple[str, ...]] = {
    " ".join(words(group[0])): tuple(
        dict.fromkeys(phrase for w in group if (phrase := _index_form(w)))
    )
    for group in lexicon.SYNONYMS
}
SYNONYM_TABLE = Table(
    (word, " ".join(words(group[0]))) for group in lexicon.SYNONYMS for word in group
)
CHILD_TABLE = Table((word, "child") for word in lexicon.CHILD_WORDS)
FORM_TABLE = Table((word, "form") for word in lexicon.FORM_WORDS)
_WHEELCHAIR_TABLE = Table((word, "wheelchair") for word in lexicon.WHEELCHAIR_WORDS)
FREE_TABLE = Table((word, "free") for word in lexicon.FREE_WORDS)


def infer_topics(text: str) -> set[str]:
    """The topic codes that the words of ``text`` point to, in any interface language."""
    return {topic for _, _, found in TOPIC_TABLE.find(words(text)) for topic in found}


def mentions_wheelchair(text: str) -> bool:
    """Whether ``text`` says that someone moves in a wheelchair."""
    return _WHEELCHAIR_TABLE.contains(text)


def wants_free(text: str) -> bool:
    """Whether ``text`` asks for something free or cheap ("pas cher", "gratuit", "free")."""
    return FREE_TABLE.contains(text)


def mentions_child(text: str) -> bool:
    return CHILD_TABLE.contains(text)


# --- Children's ages (RULES §5): a child word, and a number followed by an age unit. ---

_NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
}
_NUMBER = r"(?:\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_JOINER = r"(?:\s*(?:,|&|-|/|et|and|y|e|ve|і|и|та|و|a|to|ou|or)\s*)"
_YEARS = r"(?:ans?|years?|yrs?|yo|anos?|yas\w*|рок\w*|рік|سن\w*|عام|اعوام)"
_MONTHS = r"(?:mois|months?|mes|meses|місяц\w*|ay|aylik|اشهر|شهر\w*)"
_AGE = re.compile(
    rf"(?<!\w)(?P<numbers>{_NUMBER}(?:{_JOINER}{_NUMBER})*)\s*-?\s*"
    rf"(?:(?P<years>{_YEARS})|(?P<months>{_MONTHS}))(?!\w)"
)
_SINGLE_NUMBER = re.compile(rf"(?<!\w){_NUMBER}(?!\w)")
# "j'ai 17 ans", "I am 40 years old": the speaker's own age, never a child's.
_FIRST_PERSON = re.compile(
    r"(?:\bj ?'? ?ai|\bi ?'? ?a?m|\btengo|\btenho|\bя маю|\bмені|\bben)\s*$"
)


def detect_child_ages(text: str) -> tuple[int, ...]:
    """The ages of the children that ``text`` states, in years (months round down), sorted.

    Nothing is read unless the text names a child (fils, daughter, طفل...), so "j'ai 17 ans"
    states no child's age; "mes enfants de 6 et 9 ans" states two.
    """
    folded = _CYRILLIC_APOSTROPHE.sub("", fold(text))
    if not CHILD_TABLE.contains(folded):
        return ()
    ages: set[int] = set()
    for found in _AGE.finditer(folded):
        if _FIRST_PERSON.search(folded[max(0, found.start() - 12) : found.start()]):
            continue
        for number in _SINGLE_NUMBER.findall(found.group("numbers")):
            value = int(number) if number.isdigit() else _NUMBER_WORDS[number]
            age = value // 12 if found.group("months") else value
            if age <= 120:
                ages.add(age)
    return tuple(sorted(ages))


# --- Sound keys: typed-by-ear spellings ("informatik", "fotografie") meet the written word. ---

_SOUND_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"eaux?|aux?", "o"),
        (r"ph", "f"),
        (r"(?:qu|ck|cq|q)", "k"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"tion", "sion"),
        (r"y", "i"),
        (r"(?:ai|ei)", "e"),
        (r"(?<=[aeiou])s(?=[aeiou])", "z"),
        (r"h", ""),
        (r"(.)\1+", r"\1"),
        (r"(?:er|ez|et|es|e|s|t|x|d)$", ""),
    )
)


def sound(word: str) -> str:
    """A rough, French-leaning phonetic key of a folded Latin word: informatique -> informatik."""
    for pattern, replacement in _SOUND_RULES:
        word = pattern.sub(replacement, word)
    return word


# --- Stems: "réparer" and "réparation", "coder" and "coding" share one. ---

_SUFFIXES = (
    "ations", "ements", "ation", "ement", "euses", "iques", "euse", "eurs", "ings", "ages",
    "ique", "ants", "eur", "ing", "age", "ant", "ees", "ee", "es", "er", "ez", "e", "s", "x",
)  # longest first


def stem(word: str) -> str:
    """A light French/English stem: the longest common suffix removed, three letters kept."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word
