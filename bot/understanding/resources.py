"""The word tables of one interface language: its own, French and English, and every label.

Built once per language from the data files (``data/<lang>.toml``) and the gettext catalogues,
then kept: interpreting a text reads them only.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from bot.understanding.matcher import Entry, Lexicon, phrase_tokens
from bot.understanding.normalise import tokens
from bot.understanding.numbers import NumberReader, merged

DATA = Path(__file__).with_name("data")
# Read whatever the interface language: the city's language and the lingua franca.
ALWAYS = ("fr", "en")
# Words that join the parts of one label ("Lire, écrire, compter", "Батько чи мати").
_LABEL_JOINERS = frozenset(tokens(
    "et and y e ve ou or o ou и і й та чи або أو او veya ya da"))


@dataclass(frozen=True, slots=True)
class Language:
    """One language's data file, parsed (empty when the language has none)."""

    code: str
    data: dict[str, Any]

    @classmethod
    def load(cls, code: str, folder: Path = DATA) -> Language:
        path = folder / f"{code}.toml"
        if not path.is_file():
            return cls(code, {})
        with path.open("rb") as fp:
            return cls(code, tomllib.load(fp))

    def group(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        return value if isinstance(value, dict) else {}

    def words(self, name: str) -> frozenset[str]:
        return frozenset(tokens(self.data.get(name, "")))


def label_phrases(label: str) -> list[str]:
    """A label and its parts: "Lire, écrire, compter" -> itself, "Lire", "écrire", "compter"."""
    label = label.replace("{city}", " ")
    phrases = [label]
    parts: list[list[str]] = [[]]
    for chunk in label.replace("/", ",").split(","):
        for word in chunk.split():
            if tokens(word) and tokens(word)[0] in _LABEL_JOINERS and len(tokens(word)) == 1:
                parts.append([])
            else:
                parts[-1].append(word)
        parts.append([])
    phrases += [" ".join(p) for p in parts if p]
    return phrases


class Resources:
    """Everything needed to read texts for one interface language."""

    def __init__(self, lang: str, languages: dict[str, Language],
                 labels: dict[str, dict[str, dict[str, list[str]]]]) -> None:
        self.lang = lang
        self.active = tuple(dict.fromkeys((lang, *ALWAYS)))
        self.sources = [languages[code] for code in self.active if code in languages]
        self.all_sources = list(languages.values())
        # Labels of the interface language, and of French and English.
        self.labels = {code: labels[code] for code in self.active if code in labels}
        self.stopwords = frozenset().union(*(s.words("stopwords") for s in self.sources))
        self.fillers = frozenset().union(*(s.words("fillers") for s in self.sources))

    def _entries(self, group: str, codes: dict[str, int] | None = None,
                 label_group: str | None = None) -> list[Entry]:
        """Entries of ``group`` in the data files (and labels): ``codes`` gives weights."""
        found: list[Entry] = []
        for source in self.sources:
            for code, phrases in source.group(group).items():
                if codes is not None and code not in codes and code != "block":
                    continue
                if not isinstance(phrases, list):
                    continue
                # "block": phrases that only look like an answer (an idiom); they hide their words
                weight = 0 if code == "block" else codes[code] if codes else 2
                target = code.removesuffix("_weak")
                found += [Entry(phrase_tokens(p), target, source.code, weight, p)
                          for p in phrases]
        if label_group:
            for lang, groups in self.labels.items():
                for code, texts in groups.get(label_group, {}).items():
                    for text in texts:
                        for phrase in label_phrases(text):
                            words = [w for w in phrase_tokens(phrase) if len(w) > 1]
                            content = [w for w in words if w not in self.stopwords]
                            for form in {tuple(words), tuple(content)}:
                                if form:
                                    found.append(Entry(form, code, lang, 2, phrase))
        return found

    @cached_property
    def nav(self) -> Lexicon:
        return Lexicon(self._entries("nav", label_group="nav"))

    @cached_property
    def who(self) -> Lexicon:
        return Lexicon(self._entries("who", label_group="who"))

    @cached_property
    def situation(self) -> Lexicon:
        weights = {"student": 2, "job_seeker": 2, "employee": 2, "parent": 2, "retired": 2,
                   "newcomer": 2, "disability": 2, "none": 2, "employee_weak": 1,
                   "parent_weak": 1}
        return Lexicon(self._entries("situation", weights, label_group="situation"))

    @cached_property
    def topics(self) -> Lexicon:
        return Lexicon(self._entries("topics", label_group="topics"))

    @cached_property
    def where(self) -> Lexicon:
        return Lexicon(self._entries("where", {"anywhere": 2, "online": 2, "near": 0},
                                     label_group="where"))

    @cached_property
    def confirm(self) -> Lexicon:
        return Lexicon(self._entries("confirm", label_group="confirm"))

    @cached_property
    def need(self) -> Lexicon:
        return Lexicon(self._entries("need"))

    @cached_property
    def age(self) -> Lexicon:
        codes = {"years": 2, "months": 2, "over": 2, "under": 2, "between": 2,
                 "range_joiners": 2, "first_person": 2}
        entries = self._entries("age", codes)
        for source in self.sources:
            for word, value in source.group("age").get("tens", {}).items():
                entries.append(Entry(phrase_tokens(word), f"tens:{value}", source.code, 2, word))
        for lang, groups in self.labels.items():  # a bracket's label typed as it is
            for code, texts in groups.get("age", {}).items():
                entries += [Entry(phrase_tokens(t), f"bracket:{code}", lang, 2, t) for t in texts]
        return Lexicon(entries)

    @cached_property
    def children(self) -> Lexicon:
        return Lexicon(self._entries("children", {"nouns": 2, "baby": 2}))

    @cached_property
    def numbers(self) -> NumberReader:
        tables = [s.group("numbers").get("words", {}) for s in self.sources]
        joiners = [j for s in self.sources for j in s.group("numbers").get("joiners", [])]
        return NumberReader(merged(tables), joiners)

    @cached_property
    def bigrams(self) -> frozenset[str]:
        """Letter pairs of every word in the data (and word edges as ``^``/``$``): a typed
        word with several pairs never seen is a keyboard mash, not an unknown hobby."""
        found: set[str] = set()
        for source in self.all_sources:
            for text in _strings(source.data):
                for word in tokens(text.replace("*", "")):
                    edged = f"^{word}$"
                    found.update(edged[i:i + 2] for i in range(len(edged) - 1))
        return frozenset(found)

    def warm(self) -> None:
        """Build every table now (a bot does it at start, not on a citizen's first message)."""
        for name in ("nav", "who", "situation", "topics", "where", "confirm", "need", "age",
                     "children", "numbers", "bigrams"):
            getattr(self, name)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (key, *_strings(item))]
    return []
