"""Top-k ranking of a query's offers: the threshold algorithm, with provider diversity.

An offer's score is ``RELEVANCE * relevance + bonuses``, and no bonus exceeds the profile's
ceiling (``scoring.max_bonus``). Offers are visited from the most relevant down, so the visit
stops as soon as the ``wanted`` best are known: in a large catalogue, most offers that share a
word with the query are never scored.
"""

from __future__ import annotations

import heapq
from typing import NamedTuple

from catalog.matching.query import Entry, Query, Relevance
from catalog.matching.scoring import RELEVANCE, max_bonus, scorer

MIN_RELEVANCE = 0.1  # below this, an offer says too little of what was asked to be proposed
DIVERSITY = 0.06  # penalty per better-scored offer of the same provider...
DIVERSITY_CAP = 3  # ...counted up to this many
RECHECK_EVERY = 16  # offers scored between two checks of the stopping condition
BROWSE_POOL = 200  # offers ranked when the profile asks for nothing in particular


_Entry = tuple[float, int, str, "float | None", int]  # raw, position, provider, distance, said


class Scored(NamedTuple):
    adjusted: float  # the score, diversity penalty included: the ranking order
    raw: float
    position: int
    provider: str
    distance: float | None
    said: int  # scoring.Said flags: what the bonuses took into account


def rank(query: Query, wanted: int) -> list[Scored]:
    """The best ``wanted`` offers of the query, best first."""
    heap: list[tuple[float, Entry, int]]  # (-relevance (bound), kind, position or group)
    relevance: Relevance | None = None
    if query.has_need:
        relevance = query.relevance()
        heap = [(-value, Entry.OFFER, position) for position, value in relevance.singles.items()
                if value >= MIN_RELEVANCE]
        heap += [(-value, kind, group) for value, kind, group in relevance.groups
                 if value >= MIN_RELEVANCE]
    else:
        # Nothing asked for: every offer is as relevant as any other, so the ranking is by
        # bonuses alone; it is done over the nearest (or free) allowed offers.
        heap = [(0.0, Entry.OFFER, position) for position in _browse_pool(query)]
    heapq.heapify(heap)
    ranking = _Ranking(query, wanted)
    while heap:
        negative, kind, ident = heapq.heappop(heap)
        bound = RELEVANCE * -negative + ranking.ceiling
        if ranking.complete(bound):
            break
        if kind is Entry.OFFER or relevance is None:
            ranking.add(ident, -negative)
            continue
        for count, (position, value) in enumerate(relevance.members(kind, ident)):
            if count % RECHECK_EVERY == RECHECK_EVERY - 1 and ranking.complete(bound):
                break
            if value >= MIN_RELEVANCE:
                ranking.add(position, value)
    return ranking.result()


class _Ranking:
    """The offers scored so far, and whether the best ``wanted`` of them can still change."""

    def __init__(self, query: Query, wanted: int) -> None:
        self.wanted = wanted
        self.ceiling = max_bonus(query)
        self.facts = query.index.facts
        self.score = scorer(query)
        self.scored: list[_Entry] = []
        self._best_raw: list[float] = []  # min-heap of the ``wanted`` best raw scores
        self._next_check = 0

    def add(self, position: int, relevance: float) -> None:
        facts = self.facts[position]
        scored = self.score(facts)
        if scored is None:
            return
        extra, distance, said = scored
        raw = RELEVANCE * relevance + extra
        self.scored.append((raw, position, facts.provider, distance, said))
        if len(self._best_raw) < self.wanted:
            heapq.heappush(self._best_raw, raw)
        elif raw > self._best_raw[0]:
            heapq.heapreplace(self._best_raw, raw)

    def complete(self, bound: float) -> bool:
        """Whether no offer scoring at most ``bound`` can enter the best ``wanted``.

        Offers not scored yet score at most ``bound`` and so cannot lower the adjusted score
        of a better offer: comparing with the adjusted scores of the scored ones is exact.
        """
        if len(self._best_raw) < self.wanted or bound >= self._best_raw[0]:
            return False
        if len(self.scored) < self._next_check:
            return False
        ranked = _diversify(self.scored, self.wanted)
        if bound < ranked[self.wanted - 1].adjusted:
            return True
        # Not yet: check again when the list has grown by half (sorting is not free).
        self._next_check = len(self.scored) + max(RECHECK_EVERY, len(self.scored) // 2)
        return False

    def result(self) -> list[Scored]:
        return _diversify(self.scored, self.wanted)


def _browse_pool(query: Query) -> list[int]:
    """The first ``BROWSE_POOL`` allowed offers by distance (when known), then online ones."""
    index = query.index
    near = query.profile.near
    order = index.nearest(near) if near is not None else index.prior_order
    pool: list[int] = []
    for position in order:
        if query.allows(index.facts[position]):
            pool.append(position)
            if len(pool) >= BROWSE_POOL:
                break
    if near is not None:
        pool += [p for p in index.unplaced[:BROWSE_POOL] if query.allows(index.facts[p])]
    return pool


def _diversify(scored: list[_Entry], wanted: int) -> list[Scored]:
    """The ``wanted`` best, each lowered by the better-scored offers of its provider."""
    seen: dict[str, int] = {}
    best: list[tuple[float, float, int]] = []  # min-heap of (adjusted, raw, -position)
    kept: dict[int, Scored] = {}
    for raw, position, provider, distance, said in sorted(scored, key=lambda s: (-s[0], s[1])):
        if len(best) >= wanted and raw < best[0][0]:
            break  # adjusted <= raw: nothing further down can enter
        count = seen.get(provider, 0)
        seen[provider] = count + 1
        adjusted = raw - DIVERSITY * min(count, DIVERSITY_CAP)
        entry = (adjusted, raw, -position)
        if len(best) < wanted:
            heapq.heappush(best, entry)
        elif entry > best[0]:
            heapq.heapreplace(best, entry)
        else:
            continue
        kept[position] = Scored(adjusted, raw, position, provider, distance, said)
    return [kept[-entry[2]] for entry in sorted(best, reverse=True)]
