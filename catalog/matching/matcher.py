"""Matching: the offers of a catalogue that fit a profile, best first, each with its reasons.

A pure function of (profile, catalogue index, today), in steps of one module each:

- ``catalog.matching.index``: the catalogue, folded and tokenised once (``CatalogIndex``);
- ``catalog.matching.query``: the profile read against the index (words, topics, children's ages);
- ``catalog.matching.filters``: the hard filters, never broken;
- ``catalog.matching.scoring``: relevance plus bonuses (distance, price, language, access);
- ``catalog.matching.ranking``: the top k, with a mild diversity penalty per provider;
- this module: the public API, and the reasons of each match (``catalog.matching.reasons``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from catalog.matching import reasons as why
from catalog.matching.filters import allowed, child_ages_of, parent_like
from catalog.matching.index import CatalogIndex, facts_of, locate
from catalog.matching.profile import Profile
from catalog.matching.query import Query
from catalog.matching.ranking import Scored, rank
from catalog.matching.reasons import Reason
from catalog.matching.scoring import Said
from catalog.offer import Offer

__all__ = [
    "CatalogIndex", "Match", "Reason", "Relaxed", "Why", "alternatives", "eligible", "match",
]

Why = dict[str, str | int | float | bool | None]  # {"kind": "word", "query": ..., ...}


@dataclass(frozen=True, slots=True)
class Match:
    offer: Offer
    score: float  # 0..1
    reasons: tuple[Reason, ...]
    distance_km: float | None
    why: tuple[Why, ...] = ()  # the reasons, machine-readable (DESIGN.md, contract v2)


@dataclass(frozen=True, slots=True)
class Relaxed:
    """Matches found once one criterion (``dropped``) of the profile was let go."""

    dropped: str  # "topics", "text", "free_only", "online_only", "near", "situations", "age"
    matches: list[Match]


def eligible(offer: Offer, profile: Profile, today: date) -> bool:
    """The hard filters: dates, free only, online only, age (with the child rule), audience."""
    ages = child_ages_of(profile)
    return allowed(facts_of(offer), profile, today.toordinal(), ages, parent_like(profile, ages))


def match(
    profile: Profile, index: CatalogIndex, *, today: date, limit: int = 5, offset: int = 0
) -> list[Match]:
    """The offers that fit ``profile``, best first; ``offset`` skips the ones already shown."""
    if limit < 1 or offset < 0:
        raise ValueError("limit must be >= 1 and offset >= 0")
    return _matches(Query(profile, index, today), limit, offset)


# Tried in this order: practical wishes first (price, format, place), then interests and
# words, then who the offers are for (situations, age), the criteria least often worth bending.
RELAXATIONS = ("free_only", "online_only", "topics", "text", "near", "situations", "age")


def alternatives(
    profile: Profile, index: CatalogIndex, *, today: date, limit: int = 3
) -> Relaxed | None:
    """When nothing fits, the matches with ONE criterion let go, and which; None if none helps.

    Every other criterion is kept: its hard filter still holds for each offer proposed. Letting
    go of the only need expressed (the text, or the topics) is tried last: what it finds is
    related to nothing the citizen asked for.
    """
    browsing: list[tuple[str, Query]] = []
    for dropped in RELAXATIONS:
        query = _relaxed_query(profile, index, today, dropped)
        if query is None:
            continue
        if not query.has_need:
            browsing.append((dropped, query))
            continue
        found = _matches(query, limit, 0)
        if found:
            return Relaxed(dropped, found)
    for dropped, query in browsing:
        found = _matches(query, limit, 0)
        if found:
            return Relaxed(dropped, found)
    return None


def _relaxed_query(
    profile: Profile, index: CatalogIndex, today: date, dropped: str
) -> Query | None:
    if dropped in ("situations", "age"):
        given = profile.situations if dropped == "situations" else (
            profile.age is not None or child_ages_of(profile)
        )
        return Query(profile, index, today, frozenset({dropped})) if given else None
    if dropped == "text":
        if not profile.text.strip():
            return None
        # The children stated in the text stay: their ages are still a hard filter.
        changed = replace(profile, text="", child_ages=child_ages_of(profile))
    elif dropped == "topics":
        changed = replace(profile, topics=frozenset())
    elif dropped == "near":
        changed = replace(profile, near=None)
    elif dropped == "free_only":
        changed = replace(profile, free_only=False)
    else:
        changed = replace(profile, online_only=False)
    return None if changed == profile else Query(changed, index, today)


def _matches(query: Query, limit: int, offset: int) -> list[Match]:
    if query.text_unread:
        return []  # the alternatives (the text let go) are shown as alternatives
    ranked = rank(query, offset + limit)
    return [_match(query, scored) for scored in ranked[offset : offset + limit]]


def _match(query: Query, scored: Scored) -> Match:
    offer = query.index.offers[scored.position]
    reasons, why_ = _reasons(query, scored, offer)
    return Match(
        offer=offer,
        score=round(min(1.0, max(0.0, scored.adjusted)), 4),
        reasons=tuple(reasons),
        distance_km=None if scored.distance is None else round(scored.distance, 2),
        why=tuple(why_),
    )


def _reasons(query: Query, scored: Scored, offer: Offer) -> tuple[list[Reason], list[Why]]:
    """Short sentences, each true of this offer and this profile, most telling first, and
    their machine-readable form (``why``). The bonuses' reasons are the scorer's (``Said``)."""
    profile = query.profile
    facts = query.index.facts[scored.position]
    said = Said(scored.said)
    found: list[Reason] = []
    whys: list[Why] = []
    topics = sorted(
        (topic for topic in facts.topics if topic in query.topics),
        key=lambda topic: (-query.topics[topic], topic),
    )
    found += [Reason(why.INTEREST, (("topic", topic),)) for topic in topics[:1]]
    whys += [{"kind": "topic", "code": topic} for topic in topics]
    quoted: list[str] = []
    for label, terms in query.matched_terms(scored.position):
        for term in terms:
            located = locate(offer, term)
            if located is not None:
                field, matched = located
                whys.append({"kind": "word", "query": label, "field": field, "matched": matched})
                quoted.append(label)
                break
    if quoted:
        found.append(Reason(why.WORDS, (("words", ", ".join(w[:40] for w in quoted[:3])),)))
    if said & Said.AUDIENCE:
        shared = sorted(facts.audiences & profile.situations)
        found.append(Reason(why.FOR_AUDIENCE.get(shared[0], why.FAMILIES)))
        whys += [{"kind": "audience", "code": code} for code in shared]
    elif said & Said.FAMILY:
        found.append(Reason(why.FAMILIES))
        whys.append({"kind": "family"})
    elif said & Said.FOR_WHOM:
        # No situation stated (answers are optional): the card says who the offer is for.
        found.append(Reason(why.FOR_AUDIENCE.get(min(facts.audiences), why.FAMILIES)))
        whys += [{"kind": "for", "code": code} for code in sorted(facts.audiences)]
    if said & Said.AGES:
        age = why.age_reason(facts.age_min, facts.age_max)
        if age:
            found.append(age)
            whys.append({"kind": "ages", "min": facts.age_min, "max": facts.age_max})
    if said & Said.FREE:
        found.append(Reason(why.FREE))
        whys.append({"kind": "free"})
    elif said & Said.PRICE_UNKNOWN:
        found.append(Reason(why.PRICE_UNKNOWN))
    if said & Said.ONLINE:
        found.append(Reason(why.ONLINE))
        whys.append({"kind": "online"})
    elif said & Said.HYBRID:
        found.append(Reason(why.HYBRID))
        whys.append({"kind": "hybrid"})
    if scored.distance is not None:
        found.append(Reason(why.DISTANCE, (("km", f"{scored.distance:.1f}"),)))
        whys.append({"kind": "near", "km": round(scored.distance, 1)})
    if said & Said.STEP_FREE:
        found.append(Reason(why.WHEELCHAIR))
        whys.append({"kind": "wheelchair"})
    if said & Said.TAUGHT:
        found.append(Reason(why.TAUGHT_IN_LANGUAGE))
        whys.append({"kind": "language", "code": profile.lang, "taught": True})
    elif said & Said.TRANSLATED:
        found.append(Reason(why.DESCRIBED_IN_LANGUAGE))
        whys.append({"kind": "language", "code": profile.lang, "taught": False})
    return found, whys
