"""Numbers as citizens type them: digits of any script, and number words in any language.

Each language lists its number words (``[numbers.words]`` in its data file: units, teens,
tens, hundred, and the case or gender forms it uses); this reader composes them the way all
seven interface languages do: tens then units (``seventy one``, ``otuz beş``, ``сімдесят
два``, ``setenta y dos``), French multiples (``quatre-vingt-dix``), units then tens joined by
``و`` in Arabic (``خمسة وثلاثون``), teens in two words (``dix-sept``, ``on yedi``,
``ثمانية عشر``), and words glued together (``otuzbeş``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from bot.understanding.normalise import arabic_bare, arabic_variants, tokens

MAX_DIGITS = 3  # a longer run of digits is no age (a year, a phone number)


@dataclass(frozen=True, slots=True)
class Number:
    value: int
    start: int  # first token
    end: int  # one past the last token
    digits: bool


class NumberReader:
    """Reads the numbers of a token sequence, with the number words of some languages."""

    def __init__(self, words: Iterable[tuple[str, int]], joiners: Iterable[str]) -> None:
        self.words: dict[str, int] = {}
        self.phrases: dict[tuple[str, ...], int] = {}
        for word, value in words:
            parts = tuple(tokens(word))
            if len(parts) == 1:
                self.words.setdefault(parts[0], value)
            elif parts:
                self.phrases.setdefault(parts, value)
        self.joiners = frozenset(t for j in joiners for t in tokens(j))
        self.long_words = [w for w in self.words if len(w) >= 5]

    def _word(self, word: str) -> int | None:
        value = self.words.get(word)
        if value is not None:
            return value
        for form in arabic_variants(word)[1:]:
            if form in self.words:
                return self.words[form]
        if word.startswith("و") and word[1:] in self.words:
            return self.words[word[1:]]
        # glued: "otuzbes", "yetmisbir", "yuzonbir" (as num2words writes Turkish)
        glued = self._glued(word)
        if glued is not None:
            return glued
        # a typo: one edit in a word of 5+ letters, or a letter missing from one of 5
        for form in {word, arabic_bare(word)}:
            if len(form) < 4:
                continue
            for listed in self.long_words:
                if listed[0] == form[0] and abs(len(listed) - len(form)) <= 1 and \
                        (len(form) >= 5 or len(listed) == 5) and \
                        OSA.distance(form, listed, score_cutoff=1) <= 1:
                    return self.words[listed]
        return None

    def _glued(self, word: str, depth: int = 0) -> int | None:
        for cut in range(2, len(word) - 1):
            left = self.words.get(word[:cut])
            if left is None:
                continue
            rest = word[cut:]
            right = self.words.get(rest)
            if right is None and depth == 0:
                right = self._glued(rest, 1)
            if right is not None:
                total = _combine(left, right, adjacent=True)
                if total is not None:
                    return total
        return None

    def read(self, words: Sequence[str]) -> list[Number]:
        """The numbers in ``words``, in order; number words next to each other make one."""
        atoms: list[tuple[int, int, int, bool]] = []  # value, start, end, digits
        glued: set[int] = set()
        position = 0
        while position < len(words):
            word = words[position]
            if word.isdigit():
                if len(word) <= MAX_DIGITS:
                    atoms.append((int(word), position, position + 1, True))
                position += 1
                continue
            for size in (3, 2):
                key = tuple(words[position:position + size])
                if len(key) == size and key in self.phrases:
                    atoms.append((self.phrases[key], position, position + size, False))
                    position += size
                    break
            else:
                value = self._word(word)
                if value is not None:
                    atoms.append((value, position, position + 1, False))
                    # Arabic glues "and" to the next number: خمسة وثلاثون
                    if word.startswith("و") and word not in self.words:
                        glued.add(position)
                position += 1
        numbers: list[Number] = []
        for value, start, end, digits in atoms:
            if numbers and not digits and not numbers[-1].digits:
                last = numbers[-1]
                between = words[last.end:start]
                joined = all(w in self.joiners for w in between) and len(between) <= 1
                adjacent = not between and start not in glued
                total = _combine(last.value, value, adjacent=adjacent) if joined else None
                if total is not None:
                    numbers[-1] = Number(total, last.start, end, False)
                    continue
            numbers.append(Number(value, start, end, digits))
        return numbers


def _combine(total: int, value: int, *, adjacent: bool) -> int | None:
    """``total`` followed by ``value`` as one number, or ``None`` when they are two numbers."""
    unit = total % 10
    if adjacent and ((2 <= total <= 9 and value == 20) or (1 <= total <= 9 and value == 100)):
        return total * value  # quatre-vingt, deux cents, one hundred
    if adjacent and value in (20, 100) and 2 <= unit <= 9 and total > 100:
        return total - unit + unit * value  # cent quatre-vingt
    if total >= 100 and total % 100 == 0 and value < 100:
        return total + value
    if 20 <= total < 100 and total % 10 == 0 and 1 <= value <= 9:
        return total + value  # seventy one, otuz beş
    if total in (60, 80) and 10 <= value <= 19:
        return total + value  # soixante-dix, quatre-vingt-onze
    if total % 100 == 10 and 1 <= value <= 9 and adjacent:
        return total + value  # dix-sept, on yedi, cent dix-sept
    if 1 <= total % 100 <= 9 and value == 10:
        return total + value  # ثمانية عشر, مائة و ثلاثة عشر
    if 1 <= total <= 9 and value in (20, 30, 40, 50, 60, 70, 80, 90) and not adjacent:
        return total + value  # خمسة و ثلاثون (joined by a separate و)
    return None


def merged(tables: Iterable[Mapping[str, int]]) -> list[tuple[str, int]]:
    """The words of several languages' tables; the first table wins a conflict."""
    seen: dict[str, int] = {}
    for table in tables:
        for word, value in table.items():
            seen.setdefault(word, value)
    return list(seen.items())
