"""The reader of typed answers for every interface language, built once and then kept."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from bot.understanding.interpret import QUESTIONS, Understanding, interpret
from bot.understanding.labels import languages, load_labels
from bot.understanding.places import Places
from bot.understanding.resources import DATA, Language, Resources
from catalog.i18n import locales_dir

# A typed answer longer than this is a letter, not an answer: only its start is read.
MAX_TEXT = 500
DEFAULT_LANGUAGE = "fr"


class Understander:
    """Reads typed answers for every interface language (labels from ``locales``)."""

    def __init__(self, *, locales: Path | None = None, neighbourhoods: Iterable[str] = (),
                 city: str = "Clermont-Ferrand", data: Path = DATA) -> None:
        locales = locales or Path(locales_dir())
        self.labels = load_labels(locales)
        # A language is a catalogue under locales/, or a data file named by its code: a new
        # language needs its translations only.
        codes = set(languages(locales)) | {path.stem for path in data.glob("*.toml")
                                           if path.stem.isalpha() and len(path.stem) in (2, 3)}
        self.languages = {code: Language.load(code, data) for code in sorted(codes)}
        aliases_file = data / "places.toml"
        aliases = (tomllib.loads(aliases_file.read_text(encoding="utf-8"))
                   if aliases_file.is_file() else {})
        # The city's own name says nothing about where ("n'importe où à Clermont").
        self.places = Places(neighbourhoods, ignore=(city, "clermont", "ferrand", "clermont-fd"),
                             aliases=aliases)
        self._resources: dict[str, Resources] = {}

    def resources(self, language: str) -> Resources:
        """The tables of ``language`` (French for a language with no catalogue nor data)."""
        lang = language if language in self.languages else DEFAULT_LANGUAGE
        found = self._resources.get(lang)
        if found is None:
            found = self._resources[lang] = Resources(lang, self.languages, self.labels)
        return found

    def warm(self) -> None:
        """Build every language's tables now, not on a citizen's first message."""
        for lang in self.languages:
            self.resources(lang).warm()

    def understand(self, question: str, text: str, language: str) -> Understanding:
        """``text`` read as the answer to ``question`` by a citizen using ``language``."""
        if question == "neighbourhood":
            question = "where"
        if question not in QUESTIONS:
            raise ValueError(f"unknown question {question!r}; one of {', '.join(QUESTIONS)}")
        return interpret(question, text[:MAX_TEXT], self.resources(language), self.places)


@cache
def for_places(neighbourhoods: tuple[str, ...], city: str) -> Understander:
    """The reader for one catalogue's neighbourhoods and city, built on first use and kept.

    The engine is pure and stateless between steps; the reader's tables are immutable once
    built, so one per catalogue (a new catalogue brings new neighbourhoods) is shared.
    """
    return Understander(neighbourhoods=neighbourhoods, city=city)


def understand(question: str, text: str, language: str, *,
               neighbourhoods: Iterable[str] = (), city: str = "Clermont-Ferrand") -> Understanding:
    """``text`` read as the answer to ``question`` by a citizen using ``language``."""
    reader = for_places(tuple(sorted(set(neighbourhoods))), city)
    return reader.understand(question, text, language)
