"""The in-memory index of a catalogue snapshot: what the matcher reads instead of the offers.

Built once per catalogue version (about 0.06 s per thousand offers): every text field is
folded and tokenised here, so that a query only looks words up. Words are matched to the
catalogue's VOCABULARY (exact, plural, stem, sound, then fuzzy with rapidfuzz), never offer by
offer, which keeps a query's cost proportional to the offers it concerns.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from rapidfuzz import fuzz, process

from catalog.matching.text import content_spans, sound, stem, tokens
from catalog.offer import Offer
from catalog.schedule import last_day

# How much a word counts depending on where the offer says it.
TITLE, KEYWORD, TITLE_TRANSLATED, DESCRIPTION, DESCRIPTION_TRANSLATED = 1.0, 1.0, 0.9, 0.55, 0.5
PROVIDER, SCHEDULE, PLACE = 0.4, 0.4, 0.3
# Similarity of a query word to a catalogue word, by the way they were found to match.
SIM_EXACT, SIM_PLURAL, SIM_STEM, SIM_SOUND = 1.0, 0.95, 0.85, 0.85
SIM_FUZZY_SCALE = 0.9  # times rapidfuzz's ratio / 100
FUZZY_MIN_LENGTH = 5
SOUND_MIN_RATIO = 60.0  # a sound match must also look alike (rapidfuzz ratio)
FUZZY_CUTOFF = 80.0
CHILD_AGE_LIMIT = 18  # offers up to this age are for children: checked against the child


GroupKey = tuple[frozenset[str], int | None, int | None]  # topics, age_min, age_max


class Posting(NamedTuple):
    """The offers that say a word: their positions (ascending) and the field weight."""

    positions: array[int]
    weights: array[float]

    def __contains__(self, position: object) -> bool:
        if not isinstance(position, int):
            return False
        at = bisect_left(self.positions, position)
        return at < len(self.positions) and self.positions[at] == position

    def items(self) -> Iterator[tuple[int, float]]:
        return zip(self.positions, self.weights, strict=True)


@dataclass(frozen=True, slots=True)
class Facts:
    """What the hard filters and the score read of one offer, precomputed."""

    end: int | None  # end date as an ordinal
    start: int | None
    age_min: int | None
    age_max: int | None
    audiences: frozenset[str]
    family: bool
    price: float | None
    online: bool  # online or hybrid
    remote_only: bool  # online
    location: tuple[float, float] | None
    provider: str
    topics: frozenset[str]
    taught: frozenset[str]  # languages of instruction
    translated: frozenset[str]
    wheelchair: bool | None
    confirmed: int | None = None  # updated_on as an ordinal
    review_days: int = 365  # its review period, in days


def facts_of(offer: Offer, shared: dict[object, object] | None = None) -> Facts:
    """The facts of ``offer``; equal sets and strings are shared through ``shared`` (memory)."""
    pool: dict[object, object] = {} if shared is None else shared

    def one(value: object) -> Any:
        return pool.setdefault(value, value)

    # Stale for twice its review period, an offer is hidden until confirmed: it "ends" then.
    ends = [day for day in (offer.end_date, offer.hidden_from) if day is not None]
    # Sessions all past, no opening hours nor end date: it has ended (the hard filters).
    if offer.sessions and not offer.opening_hours and offer.end_date is None:
        ends += [day for day in (last_day(offer.sessions),) if day is not None]
    confirmed, due = offer.updated_on, offer.review_due
    return Facts(
        end=min(ends).toordinal() if ends else None,
        start=offer.start_date.toordinal() if offer.start_date else None,
        age_min=offer.age_min,
        age_max=offer.age_max,
        audiences=one(frozenset(offer.audiences)),
        family="family" in offer.missions,
        price=float(offer.price_eur) if offer.price_eur is not None else None,
        online=offer.format in ("online", "hybrid"),
        remote_only=offer.format == "online",
        location=offer.location,
        provider=one(offer.provider.casefold().strip()),
        topics=one(frozenset(offer.topics)),
        taught=one(frozenset(offer.languages or ("fr",))),
        translated=one(frozenset(lang for lang, text in offer.translations.items() if text.title)),
        wheelchair=offer.wheelchair_accessible,
        confirmed=confirmed.toordinal() if confirmed else None,
        review_days=(due - confirmed).days if confirmed and due else 365,
    )


# The fields a word reason may name: the offer says it there (the provider's name, schedule and
# place help find offers but are never given as the reason).
REASON_FIELDS = ("title", "keywords", "description")


def locate(offer: Offer, term: str) -> tuple[str, str] | None:
    """``(field, text as written there)`` where ``offer`` says the catalogue word (or phrase)
    ``term``, in its French text or any translation; None if only other fields say it."""
    wanted = term.split(" ")
    texts: list[tuple[str, str]] = [("title", offer.title)]
    texts += [("keywords", keyword) for keyword in offer.keywords]
    texts.append(("description", offer.description))
    for local in offer.translations.values():
        texts += [("title", local.title), ("description", local.description)]
    for name, text in texts:
        if not text:
            continue
        written, found = content_spans(text)
        for start in range(len(found) - len(wanted) + 1):
            if all(found[start + i][0] == word for i, word in enumerate(wanted)):
                return name, written[found[start][1] : found[start + len(wanted) - 1][2]]
    return None


def _cell(point: tuple[float, float]) -> tuple[int, int]:
    """A grid cell of about 1 km (0.01° of latitude, 0.014° of longitude at 46°N)."""
    return math.floor(point[0] / 0.01), math.floor(point[1] / 0.014)


def _phrases(text: str, longest: int) -> tuple[str, ...]:
    """The content words of ``text`` and their runs of up to ``longest`` words."""
    found = tokens(text)
    return tuple(
        " ".join(found[start : start + size])
        for size in range(1, longest + 1)
        for start in range(len(found) - size + 1)
    )


def _fields(offer: Offer) -> Iterable[tuple[str, float, int]]:
    """``(text, weight, longest phrase)`` for each searchable field of ``offer``."""
    yield offer.title, TITLE, 2
    for keyword in offer.keywords:
        yield keyword, KEYWORD, 3
    for text in offer.translations.values():
        yield text.title, TITLE_TRANSLATED, 2
        yield text.description, DESCRIPTION_TRANSLATED, 1
    yield offer.description, DESCRIPTION, 1
    yield offer.provider, PROVIDER, 1
    yield offer.schedule, SCHEDULE, 1
    yield f"{offer.neighbourhood} {offer.city}", PLACE, 1


class CatalogIndex:
    """An immutable index of ``offers``; build a new one when the catalogue changes."""

    def __init__(self, offers: Sequence[Offer]) -> None:
        self.offers: tuple[Offer, ...] = tuple(offers)
        shared: dict[object, object] = {}
        self.facts: tuple[Facts, ...] = tuple(facts_of(offer, shared) for offer in self.offers)
        del shared
        self._by_id = {offer.id: offer for offer in self.offers}
        # Two flat arrays per word (a tenth of the memory of a dict), filled in offer order so
        # that positions come out ascending; a word said twice keeps its best field weight.
        self.postings: dict[str, Posting] = {}
        # Keywords, providers, schedules and places repeat from offer to offer: read each once.
        phrases = lru_cache(maxsize=65536)(_phrases)
        for position, offer in enumerate(self.offers):
            for text, weight, longest in _fields(offer):
                for term in phrases(text, longest):
                    posting = self.postings.get(term)
                    if posting is None:
                        posting = self.postings[term] = Posting(array("i"), array("f"))
                    positions, weights = posting
                    if positions and positions[-1] == position:
                        if weights[-1] < weight:
                            weights[-1] = weight
                    else:
                        positions.append(position)
                        weights.append(weight)
        # Offers alike for topic and age range score alike when found by topic or by a child's
        # age alone: the matcher scores each such group once, not each of its offers.
        groups: dict[GroupKey, int] = {}
        self.groups: list[GroupKey] = []
        self.members: list[list[int]] = []
        self.group_of = array("i", bytes(4 * len(self.facts)))
        self.topic_groups: dict[str, list[int]] = {}
        self.child_groups: dict[int, list[int]] = {}  # children's offers, by accepted age
        for position, facts in enumerate(self.facts):
            key = (facts.topics, facts.age_min, facts.age_max)
            group = groups.get(key)
            if group is None:
                group = groups[key] = len(self.groups)
                self.groups.append(key)
                self.members.append([])
                for topic in facts.topics:
                    self.topic_groups.setdefault(topic, []).append(group)
                if facts.age_max is not None and facts.age_max <= CHILD_AGE_LIMIT:
                    for age in range(facts.age_min or 0, facts.age_max + 1):
                        self.child_groups.setdefault(age, []).append(group)
            self.members[group].append(position)
            self.group_of[position] = group
        # For a profile that asks for nothing: free offers first, then by price stated.
        self.prior_order: list[int] = sorted(
            range(len(self.facts)),
            key=lambda p: (self.facts[p].price != 0, self.facts[p].price is None, p),
        )
        self.unplaced = [p for p in self.prior_order if self.facts[p].location is None]
        self._grid: dict[tuple[int, int], list[int]] = {}
        for position, facts in enumerate(self.facts):
            if facts.location is not None:
                self._grid.setdefault(_cell(facts.location), []).append(position)
        self.vocabulary: list[str] = sorted(t for t in self.postings if " " not in t)
        self._stems: dict[str, list[str]] = {}
        self._sounds: dict[str, list[str]] = {}
        for term in self.vocabulary:
            self._stems.setdefault(stem(term), []).append(term)
            if len(term) >= 4 and term.isascii():
                self._sounds.setdefault(sound(term), []).append(term)
        # Bound per index: a long-running bot sees an open-ended stream of words.
        self.expand = lru_cache(maxsize=8192)(self._expand)
        # The commonest words ("atelier", "cours") come back in most queries and have the
        # longest postings: their merged scores are kept for the next query.
        self.scores = lru_cache(maxsize=32)(self._scores)

    def get(self, offer_id: str) -> Offer | None:
        return self._by_id.get(offer_id)

    def __len__(self) -> int:
        return len(self.offers)

    def neighbourhoods(self) -> dict[str, tuple[float, float]]:
        """Each neighbourhood named by an offer -> the centroid of its offers' coordinates."""
        sums: dict[str, tuple[float, float, int]] = {}
        for offer in self.offers:
            if offer.neighbourhood and offer.location:
                lat, lon, count = sums.get(offer.neighbourhood, (0.0, 0.0, 0))
                sums[offer.neighbourhood] = (
                    lat + offer.location[0],
                    lon + offer.location[1],
                    count + 1,
                )
        return {name: (lat / n, lon / n) for name, (lat, lon, n) in sorted(sums.items())}

    def nearest(self, point: tuple[float, float]) -> Iterator[int]:
        """Placed offers, grid cell by grid cell from ``point`` (nearest first, roughly).

        A city has a few hundred occupied cells at most: sorting them is cheaper than walking
        rings of cells, and does not depend on how far the point is from the city.
        """
        row, column = _cell(point)
        cells = sorted(self._grid, key=lambda cell: (cell[0] - row) ** 2 + (cell[1] - column) ** 2)
        for cell in cells:
            yield from self._grid[cell]

    def idf(self, df: int) -> float:
        """BM25's inverse document frequency: rare words weigh more than common ones."""
        n = len(self.offers)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def _scores(self, expansions: tuple[tuple[str, float], ...]) -> dict[int, float]:
        """Offer position -> best ``similarity * field weight`` over the catalogue words."""
        scores: dict[int, float] = {}
        for term, similarity in expansions:
            for position, weight in self.postings[term].items():
                value = similarity * weight
                if scores.get(position, 0.0) < value:
                    scores[position] = value
        return scores

    def _expand(self, term: str, fuzzy: bool) -> tuple[tuple[str, float], ...]:
        """The catalogue words that ``term`` may stand for, with a similarity in 0..1."""
        found: dict[str, float] = {}

        def add(word: str, similarity: float) -> None:
            if word in self.postings and found.get(word, 0.0) < similarity:
                found[word] = similarity

        add(term, SIM_EXACT)
        if " " in term:
            return tuple(found.items())
        for variant in (term + "s", term + "x", term[:-1] if term[-1:] in "sx" else ""):
            if variant:
                add(variant, SIM_PLURAL)
        if len(term) >= 4:
            for word in self._stems.get(stem(term), ()):
                add(word, SIM_STEM)
            if term.isascii():
                for word in self._sounds.get(sound(term), ()):
                    # Spelled by ear, yet alike in writing: "saint" does not sound "scène".
                    if fuzz.ratio(term, word) >= SOUND_MIN_RATIO:
                        add(word, SIM_SOUND)
        if fuzzy and len(term) >= FUZZY_MIN_LENGTH and not found:
            # Only when nothing matched: a typo. Known words are not "corrected" into others.
            cutoff = FUZZY_CUTOFF if len(term) >= 7 else FUZZY_CUTOFF + 5
            for word, score, _ in process.extract(
                term, self.vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff, limit=5
            ):
                add(word, SIM_FUZZY_SCALE * score / 100.0)
        if len(term) >= 4:
            # The beginning of a long word ("ordi", "info") is a common abbreviation.
            start = bisect_left(self.vocabulary, term)
            for word in self.vocabulary[start : start + 20]:
                if not word.startswith(term):
                    break
                add(word, 0.6 + 0.3 * len(term) / len(word))
        return tuple(found.items())
