"""Read one typed text as the answer to one question, a navigation, a need, or nothing.

The order of the checks is the contract's: an answer to the question asked comes first (never
take an answer as a search), then a navigation word typed alone ("retour", "далі"), then a
learning need typed out of turn ("je cherche un cours de poterie" at the age question), and
what is left is unclear. A navigation phrase that covers more of the text than the answer
wins ("skip this one" at the age question is no age of 1).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.understanding.matcher import EXACT, Match
from bot.understanding.normalise import ARABIC, LETTER_OR_DIGIT, fold, tokens_and_breaks
from bot.understanding.numbers import Number
from bot.understanding.places import Places
from bot.understanding.resources import Resources

QUESTIONS = ("who", "age", "child_ages", "situation", "interests", "where", "confirm")
MULTIPLE = ("situation", "interests")  # the questions with several choices and a Done button
MAX_AGE = 120
MAX_CHILD_AGE = 30
BRACKETS: dict[str, tuple[int, int | None]] = {
    "u18": (0, 17), "18-25": (18, 25), "26-44": (26, 44), "45-59": (45, 59), "60+": (60, None)}
SITUATIONS = ("student", "job_seeker", "employee", "parent", "retired", "newcomer",
              "disability")
_COMMANDS = {"back": "back", "retour": "back", "skip": "skip", "passer": "skip",
             "done": "done", "start": "restart", "restart": "restart"}
_PLUS = re.compile(r"\d\s*\+|\+\s*\d")
_LAUGHTER = re.compile(r"^(?:(?:ha|he|hi|ja|je|ji|ka|ke|ki|rs|ah|eh|ха|хе|хі|ه)+h?|k{3,}|"
                       r"x+d+|l+o+l+|m+d+r+)$")
_KEYBOARD = ("qwert", "werty", "asdf", "sdfg", "dfgh", "fghj", "ghjk", "hjkl", "zxcv", "xcvb",
             "azer", "zert", "qsdf", "wxcv", "yxcv", "йцук", "фыва", "фіва", "ячсм")
_VOWELS = re.compile(r"[aeiouyаеиіїоуюяєыэё\u0627\u0648\u064a]")


@dataclass(frozen=True, slots=True)
class Understanding:
    """How a typed text is taken: ``kind`` is answer, nav, need or unclear."""

    kind: str
    value: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind} if self.value is None else {"kind": self.kind,
                                                               "value": self.value}


UNCLEAR = Understanding("unclear")


def nav(value: str) -> Understanding:
    return Understanding("nav", {"nav": value})


@dataclass(slots=True)
class Reading:
    """A text once: its tokens, and what each lexicon found in it (computed when asked)."""

    text: str
    words: list[str]
    breaks: frozenset[int]
    res: Resources
    _found: dict[str, list[Match]] = field(default_factory=dict)

    def found(self, lexicon: str) -> list[Match]:
        """What ``lexicon`` found, less the phrases that only hide their words (weight 0)."""
        if lexicon not in self._found:
            self._found[lexicon] = [m for m in getattr(self.res, lexicon).find(self.words)
                                    if m.entry.weight]
        return self._found[lexicon]

    def codes(self, lexicon: str, *, weight: int = 1) -> list[str]:
        return list(dict.fromkeys(m.code for m in self.found(lexicon)
                                  if m.entry.weight >= weight))

    def content(self, positions: set[int] | None = None) -> list[int]:
        """Positions of words that carry meaning (not stop words, fillers, or ``positions``)."""
        skip = positions or set()
        return [i for i, w in enumerate(self.words)
                if i not in skip and w not in self.res.stopwords and w not in self.res.fillers
                and not _LAUGHTER.match(w)]

    def strong(self, match: Match) -> bool:
        """A match with a word that is not a stop word ("я", "yo" alone say little)."""
        return any(self.words[i] not in self.res.stopwords for i in match.positions)


def interpret(question: str, text: str, res: Resources, places: Places | None) -> Understanding:
    text = " ".join(text.split())
    command = text.startswith("/")
    if command:
        name = fold(text[1:].split()[0]) if text[1:].split() else ""
        found = _COMMANDS.get(name.split("@")[0])
        if found:
            return nav(_nav_for(question, found))
        text = text[1:]
    words, breaks = tokens_and_breaks(text)
    if not words or not LETTER_OR_DIGIT.search(text):
        return UNCLEAR
    reading = Reading(text, words, breaks, res)
    answer, used = _answer(question, reading, places)
    navigation = _navigation(question, reading)
    if navigation and (answer is None or (navigation[1] > used and question != "confirm")):
        return nav(navigation[0])
    if answer is not None:
        if _need_wins(question, reading, answer):
            return Understanding("need", {"words": text})
        return Understanding("answer", answer)
    if _is_need(question, reading):
        return Understanding("need", {"words": text})
    return UNCLEAR


def _nav_for(question: str, value: str) -> str:
    """"done" and "next" finish a question with several choices, and skip any other."""
    if value in ("done", "next"):
        return "done" if question in MULTIPLE else "skip"
    return value


def _navigation(question: str, reading: Reading) -> tuple[str, int] | None:
    """A navigation word that is (nearly) all the text says, and how many words it took."""
    matches = [m for m in reading.found("nav") if m.entry.weight]
    if not matches:
        return None
    covered = {i for m in matches for i in range(m.span[0], m.span[1])}
    if reading.content(covered):
        return None
    best = max(matches, key=lambda m: len(m.positions))
    return _nav_for(question, best.code), sum(len(m.positions) for m in matches)


# --- answers ---


_Answer = tuple[dict[str, Any] | None, float]  # the answer's value, and how many words said it


def _answer(question: str, r: Reading, places: Places | None) -> _Answer:
    match question:
        case "who":
            return _who(r)
        case "age":
            return _age(r)
        case "child_ages":
            return _child_ages(r)
        case "situation":
            return _situation(r)
        case "interests":
            return _interests(r)
        case "where":
            return _where(r, places)
        case "confirm":
            return _confirm(r)
    raise ValueError(f"unknown question: {question}")


def _who(r: Reading) -> tuple[dict[str, Any] | None, float]:
    matches = r.found("who")
    codes = {m.code for m in matches}
    used = sum(len(m.positions) for m in matches)
    if "spouse" in codes:
        # with children (or "we"), the family; alone, none of the choices
        codes.discard("spouse")
        if codes & {"child", "family"}:
            codes = {"family"}
        elif not codes:
            return None, 0
    if not codes:
        # "pour mon fils" without a listed phrase: a child noun says it too
        if r.found("children"):
            return {"who": "child"}, 1
        return None, 0
    if {"me", "child"} <= codes:
        # "para mi hijo", "für" -- a possessive read as "me" right before the child is no "me"
        children = [m for m in matches if m.code == "child"]
        mine = [m for m in matches if m.code == "me"]
        if all(any(c.span[0] == m.span[1] and not r.words[c.span[0]].startswith("و")
                   for c in children) for m in mine):
            codes.discard("me")
    if "family" in codes or {"me", "child"} <= codes:
        return {"who": "family"}, used
    if "child" in codes:
        return {"who": "child"}, used
    return {"who": "me"}, used


def _numbers(r: Reading) -> list[Number]:
    """The numbers of the text; "un", "um", "bir", "one" alone are articles, not ages."""
    found = r.res.numbers.read(r.words)
    marks = r.found("age")
    kept = []
    for number in found:
        if number.value == 1 and not number.digits and number.end - number.start == 1:
            alone = not r.content({number.start})
            if not alone and not _near(marks, "years", number.start, number.end, before=0,
                                       after=2) and not _near(marks, "months", number.start,
                                                              number.end, before=0, after=2):
                continue
        kept.append(number)
    return kept


def _near(matches: Sequence[Match], code: str, start: int, end: int, before: int = 3,
          after: int = 3) -> bool:
    return any(m.code == code and m.span[1] > start - before and m.span[0] < end + after
               for m in matches)


def _is_count(r: Reading, number: Number) -> bool:
    """"2 enfants", "двох дітей", "three kids": a number of children, not an age.

    Not when a child is named just before ("kızım 4, oğlum 8") or punctuation follows."""
    children = r.found("children")
    if any(m.span[1] == number.start for m in children) or (number.end - 1) in r.breaks:
        return False
    for m in children:
        if number.end <= m.span[0] <= number.end + 1:
            years = [a for a in r.found("age") if a.code in ("years", "months")
                     and number.end <= a.span[0] < m.span[0]]
            if not years:
                return True
    return False


def _age(r: Reading) -> tuple[dict[str, Any] | None, float]:
    marks = r.found("age")
    for m in marks:
        if m.code.startswith("bracket:"):
            low, high = BRACKETS[m.code.split(":", 1)[1]]
            return {"age_range": [low, high]}, len(m.positions)
    numbers = [n for n in _numbers(r) if not _is_count(r, n)
               and not _near(marks, "months", n.start, n.end, before=0, after=1)]
    if not numbers:
        for m in marks:
            if m.code.startswith("tens:"):
                low = int(m.code.split(":", 1)[1])
                return {"age_range": [low, low + 9]}, len(m.positions)
        return None, 0
    first = numbers[0]
    if len(numbers) >= 2:
        second = numbers[1]
        between = r.words[first.end:second.start]
        joiner = all(_is(marks, "range_joiners", i) for i in range(first.end, second.start))
        opened = _near(marks, "between", first.start, first.end, before=2, after=0)
        if first.value < second.value <= MAX_AGE and (not between or joiner or opened) \
                and len(between) <= 2:
            return {"age_range": [first.value, second.value]}, 2
    if first.value > MAX_AGE:
        return None, 0
    if _PLUS.search(r.text) or _near(marks, "over", first.start, first.end):
        return {"age_range": [first.value, None]}, 2
    if _near(marks, "under", first.start, first.end, after=2):
        return {"age_range": [0, max(first.value - 1, 0)]}, 2
    return {"age": first.value}, 1


def _is(matches: Sequence[Match], code: str, position: int) -> bool:
    return any(m.code == code and position in m.positions for m in matches)


def _child_ages(r: Reading) -> tuple[dict[str, Any] | None, float]:
    marks = r.found("age")
    ages: list[int] = []
    for number in _numbers(r):
        if _is_count(r, number):
            continue
        if _near(marks, "first_person", number.start, number.end, before=2, after=0) and \
                _near(marks, "years", number.start, number.end, before=0, after=2) and \
                not any(m.span[1] <= number.start for m in r.found("children")):
            continue  # "j'ai 40 ans": the parent's own age
        months = _near(marks, "months", number.start, number.end, before=0, after=1)
        age = number.value // 12 if months else number.value
        if age <= MAX_CHILD_AGE:
            ages.append(age)
    for m in r.found("children"):
        if m.code == "baby":
            later = [n for n in _numbers(r) if m.span[1] <= n.start <= m.span[1] + 3]
            if not later and 0 not in ages:
                ages.append(0)
    if not ages:
        return None, 0
    return {"child_ages": sorted(ages)}, len(ages)


def _situation(r: Reading) -> tuple[dict[str, Any] | None, float]:
    matches = r.found("situation")
    strong = [m for m in matches if m.entry.weight >= 2 and m.code != "none"]
    weak = [m for m in matches if m.entry.weight == 1]
    codes = {m.code for m in strong}
    for m in weak:
        if m.code == "employee" and codes & {"retired", "job_seeker"}:
            continue
        codes.add(m.code)
    used = sum(len(m.positions) for m in matches)
    if codes:
        return {"situations": [c for c in SITUATIONS if c in codes]}, used
    if any(m.code == "none" for m in matches):
        return {"situations": []}, used
    return None, 0


def _interests(r: Reading) -> tuple[dict[str, Any] | None, float]:
    matches = [m for m in r.found("topics") if m.entry.weight]
    codes = list(dict.fromkeys(m.code for m in matches))
    if not codes:
        return None, 0
    return {"topics": codes}, sum(len(m.positions) for m in matches)


def _where(r: Reading, places: Places | None) -> tuple[dict[str, Any] | None, float]:
    matches = [m for m in r.found("where") if m.entry.weight]
    for code in ("online", "anywhere"):
        if any(m.code == code for m in matches):
            return {"where": code}, sum(len(m.positions) for m in matches)
    found = places.find(r.words) if places else None
    if found:
        name, words = found
        return {"neighbourhood": name}, words
    return None, 0


def _confirm(r: Reading) -> tuple[dict[str, Any] | None, float]:
    matches = r.found("confirm")
    for m in matches:
        if m.code in ("yes", "no"):
            return {"confirm": m.code == "yes"}, len(m.positions)
    for m in matches:
        if m.code == "keep":
            return {"confirm": False}, len(m.positions)
        if m.code == "delete":
            negated = _near(matches, "negation", m.span[0], m.span[1], before=2, after=0)
            return {"confirm": not negated}, len(m.positions)
    return None, 0


# --- needs ---


def _need_signals(r: Reading, question: str = "") -> tuple[bool, bool, bool]:
    need = r.found("need")
    search = any(m.code == "search" for m in need)
    form = any(m.code == "form" for m in need)
    topics = {m.code for m in r.found("topics")}
    if question in ("who", "child_ages"):
        topics.discard("parenting")  # "pas d'enfants": children are what the question is about
    return search, form, bool(topics)


def _is_need(question: str, r: Reading) -> bool:
    search, form, topic = _need_signals(r, question)
    if topic or form:
        return True
    if question == "interests" or search:
        # unknown words typed as a wish: a search in the citizen's own words
        used = {i for m in r.found("need") for i in m.positions}
        return any(not _gibberish(r.words[i], r.res.bigrams) for i in r.content(used))
    return False


def _need_wins(question: str, r: Reading, answer: dict) -> bool:
    """A search that mentions, in passing, a word of the answer ("un cours pour parents")."""
    if question not in ("who", "situation", "where") or "neighbourhood" in answer:
        return False
    search, form, topic = _need_signals(r, question)
    if not (topic and (search or form)):
        return False
    matches = r.found(question)
    if question == "who" and not matches:
        return True  # only a child noun inside a search
    # weak: a hint (a child noun, a workplace), stop words only, or one inflected or mistyped word
    return all(m.entry.weight < 2 or not r.strong(m) or
               (len(m.positions) == 1 and m.quality < EXACT) for m in matches)


_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "azertyuiop", "qsdfghjklm", "wxcvbn",
                  "йцукенгшщзх", "фівапролдж", "ячсмитьбю")
_RUNS = frozenset(row[i:i + 4] for row in _KEYBOARD_ROWS for i in range(len(row) - 3)) | \
    frozenset(row[::-1][i:i + 4] for row in _KEYBOARD_ROWS for i in range(len(row) - 3))
_CONSONANTS = re.compile(r"[bcdfghjklmnpqrstvwxzбвгґджзйклмнпрстфхцчшщ]{5,}")


def _gibberish(word: str, bigrams: frozenset[str]) -> bool:
    """A keyboard mash or a letter run ("asdfgh", "qsdqsd", "xkcdq"), not an unknown word."""
    if len(word) <= 1 or _LAUGHTER.match(word):
        return True
    if any(word[i:i + 4] in _RUNS for i in range(len(word) - 3)):
        return True
    for size in (1, 2, 3):  # "jkljkl", "hjhjhj"
        if len(word) >= 2 * size + 1 and word == (word[:size] * len(word))[:len(word)]:
            return True
    if len(word) >= 3 and not _VOWELS.search(word) and not word.isdigit() and \
            not ARABIC.search(word):  # Arabic writes no short vowels
        return True
    if _CONSONANTS.search(word):
        return True
    edged = f"^{word}$"
    unseen = sum(edged[i:i + 2] not in bigrams for i in range(len(edged) - 1))
    return unseen >= 2 or (unseen > 0 and len(word) <= 4)
