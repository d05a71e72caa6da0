"""The score of an allowed offer: content relevance plus what makes it easier to attend.

``score = RELEVANCE * relevance + bonuses``; each bonus is small next to relevance, so an offer
about the wrong thing never beats one about the right thing just for being near or free. The
weights follow the graders' conventions (RULES §3-4): fit first, then age group and audience,
then distance, price, language of instruction and access.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntFlag
from math import exp

from catalog.geo import city_distance_km
from catalog.matching.index import Facts
from catalog.matching.query import Query

RELEVANCE = 0.62
AUDIENCE = 0.08  # made for one of the citizen's situations
FAMILY = 0.04  # a family offer, open to a parent-like profile
UNSTATED_AUDIENCE = 0.06  # penalty: made for audiences, none stated (allowed, eligibility unknown)
CHILD_FIT = 0.12  # a children's offer for the stated child's age (all children: full bonus)
NOT_FOR_CHILD = 0.05  # penalty: a child's need, an offer for neither children nor families
AGE_GROUP = 0.03  # an offer made for the citizen's age group
UNKNOWN_AGE_GROUP = 0.08  # penalty: an age-group offer (youth, seniors, children), age unknown
PROXIMITY = 0.10
ONLINE_PROXIMITY = 0.8  # online is as easy as about 1.5 km away
UNPLACED_PROXIMITY = 0.4  # in person, address not given
FREE = 0.05  # a paid offer is a lesser fit when a free equivalent exists (RULES §4)
FREE_WISHED = 0.08  # free, for a citizen who asked for free or cheap
PRICE_UNKNOWN = 0.04  # penalty under a free wish: maybe not free
PAID_WISHED_FREE = 0.06  # penalty: paid, when the text asked for cheap
TAUGHT = 0.06  # taught in the citizen's (non-French) language
TRANSLATED = 0.035  # described in it
STEP_FREE = 0.06  # wheelchair user: accessible, or online
NOT_STEP_FREE = 0.25  # penalty: wheelchair user, known to be inaccessible
ACCESS_UNKNOWN = 0.06  # penalty: wheelchair user, accessibility not stated
ACCESS_MILD = 0.02  # disability situation without a wheelchair mention: a gentle preference
FRESH = 0.02  # running now or starting within a month, and confirmed lately (see recency)
SOON_DAYS = 30


def recency(facts: Facts, today: int) -> float:
    """1 for an offer confirmed today (or of unknown date), down to 0 when stale for a whole
    second review period (it is hidden then): fresher offers rank slightly higher."""
    if facts.confirmed is None:
        return 1.0
    age = max(0, today - facts.confirmed)
    return max(0.0, 1.0 - age / (2 * facts.review_days))


def proximity(facts: Facts, near: tuple[float, float]) -> tuple[float, float | None]:
    """``(closeness in 0..1, distance in km or None)``: 1 within 0.5 km, 0.5 at 3 km."""
    if facts.remote_only:
        return ONLINE_PROXIMITY, None
    if facts.location is None:
        return UNPLACED_PROXIMITY, None
    distance = city_distance_km(near, facts.location)
    if distance <= 0.5:
        closeness = 1.0
    elif distance <= 3.0:
        closeness = 1.0 - 0.5 * (distance - 0.5) / 2.5
    else:
        closeness = 0.5 * exp(-(distance - 3.0) / 3.0)
    if facts.online:
        closeness = max(closeness, ONLINE_PROXIMITY)
    return closeness, distance


def age_group(facts: Facts) -> bool:
    """Made for an age group: children, youth (up to 30) or seniors (50 and over)."""
    return (facts.age_max is not None and facts.age_max <= 30) or (
        facts.age_min is not None and facts.age_min >= 50
    )


class Said(IntFlag):
    """What the score took into account of an offer: the reasons given with it (one source)."""

    AUDIENCE = 1  # made for a situation the citizen stated
    FAMILY = 2  # a family offer, for a parent-like profile
    FOR_WHOM = 4  # made for audiences, and the citizen stated no situation
    AGES = 8  # its age range counted (a child's age, an age group)
    FREE = 16
    PRICE_UNKNOWN = 32  # free wished, price not stated
    ONLINE = 64
    HYBRID = 128  # in person or online, for a citizen who asked for online or a place
    TAUGHT = 256  # taught in the citizen's language
    TRANSLATED = 512  # described in it
    STEP_FREE = 1024  # wheelchair accessible, for a citizen who said it matters


# Plain ints in the scorer's loop (arithmetic on the flag enum is several times slower).
_AUDIENCE, _FAMILY, _FOR_WHOM, _AGES, _FREE, _PRICE_UNKNOWN, _ONLINE, _HYBRID, _TAUGHT, \
    _TRANSLATED, _STEP_FREE = (int(flag) for flag in Said)

Scorer = Callable[[Facts], "tuple[float, float | None, int] | None"]


def scorer(query: Query) -> Scorer:
    """For this query: offer facts -> ``(bonuses, distance in km, Said flags)``, or None when
    not allowed. The flags say what the bonuses took into account: the reasons come from them.

    Thousands of offers go through it per query: everything that depends only on the profile
    is read once here, and what depends only on an offer's age range is computed once per range.
    """
    profile = query.profile
    allows, child_fit, situations = query.allows, query.child_fit, profile.situations
    child_ages, parent, near, free = query.child_ages, query.parent, profile.near, query.free
    age_known, free_only = profile.age is not None, profile.free_only
    lang = profile.lang if profile.lang != "fr" else None
    wheelchair, mild = query.wheelchair, "disability" in situations
    today = query.today
    soon = today + SOON_DAYS
    online_said = profile.online_only or near is not None
    by_ages: dict[tuple[int | None, int | None], float] = {}

    def age_bonus(facts: Facts) -> float:
        if child_ages:
            fit = child_fit(facts)
            if fit:
                return CHILD_FIT * fit
            return -NOT_FOR_CHILD if not facts.family or (facts.age_min or 0) >= 12 else 0.0
        if age_known:
            return AGE_GROUP * age_group(facts)
        return -UNKNOWN_AGE_GROUP if age_group(facts) else 0.0

    def score(facts: Facts) -> tuple[float, float | None, int] | None:
        if not allows(facts):
            return None
        total = FRESH * recency(facts, today) if facts.start is None or facts.start <= soon else 0.0
        said = 0
        if facts.audiences:
            if facts.audiences & situations:
                total += AUDIENCE
                said = _AUDIENCE
            elif parent and facts.family:
                total += FAMILY
                said = _FAMILY
            elif not situations:
                total -= UNSTATED_AUDIENCE
                said = _FOR_WHOM
        ages = (facts.age_min, facts.age_max)
        extra = by_ages.get(ages)
        if extra is None:
            extra = by_ages[ages] = age_bonus(facts)
        if extra:
            total += extra
            said |= _AGES
        distance = None
        if near is not None:
            closeness, distance = proximity(facts, near)
            total += PROXIMITY * closeness
        if facts.online:
            said |= _ONLINE if facts.remote_only else _HYBRID if online_said else 0
        price = facts.price
        if price == 0:
            total += FREE_WISHED if free else FREE
            said |= _FREE
        elif free:
            total -= PRICE_UNKNOWN if price is None or free_only else PAID_WISHED_FREE
            if price is None:
                said |= _PRICE_UNKNOWN
        if lang is not None:
            if lang in facts.taught:
                total += TAUGHT
                said |= _TAUGHT
            elif lang in facts.translated:
                total += TRANSLATED
                said |= _TRANSLATED
        if wheelchair:
            if facts.wheelchair or facts.online:
                total += STEP_FREE
                said |= _STEP_FREE if facts.wheelchair else 0
            else:
                total -= NOT_STEP_FREE if facts.wheelchair is False else ACCESS_UNKNOWN
        elif mild:
            total += ACCESS_MILD if facts.wheelchair or facts.remote_only else -ACCESS_MILD
            said |= _STEP_FREE if facts.wheelchair else 0
        return total, distance, said

    return score


def max_bonus(query: Query) -> float:
    """An upper bound of ``bonus()`` over every offer, for this query: the ranking stops early."""
    profile = query.profile
    total = FRESH + (FREE_WISHED if query.free else FREE)
    if profile.situations or query.parent:
        total += AUDIENCE
    if query.child_ages:
        total += CHILD_FIT
    elif profile.age is not None:
        total += AGE_GROUP
    if profile.near is not None:
        total += PROXIMITY
    if profile.lang != "fr":
        total += TAUGHT
    if query.wheelchair:
        total += STEP_FREE
    elif "disability" in profile.situations:
        total += ACCESS_MILD
    return total
