"""The hard filters of matching (RULES §2 of the evaluation set): never broken, never scored.

An offer is out when it has ended (its end date passed, stale too long, or its sessions all past
when it has neither opening hours nor an end date: ``Facts.end``), costs money under "free
only", needs travelling under "online only", is for another age (a children's offer, up to 18,
is checked against the child the learning is for), or is restricted to audiences the citizen
states none of (family offers stay open to parents and to anyone stating a child's age).
Answers are optional: a citizen who states no situation is not excluded from audience-restricted
offers (RULES §2.5); their cards say who they are for.
"""

from __future__ import annotations

from catalog.matching.index import CHILD_AGE_LIMIT, Facts
from catalog.matching.profile import Profile
from catalog.matching.text import detect_child_ages


def parent_like(profile: Profile, child_ages: tuple[int, ...]) -> bool:
    """A parent, or anyone stating a child's age (grandparents too): family offers are open."""
    return "parent" in profile.situations or bool(child_ages)


def child_ages_of(profile: Profile) -> tuple[int, ...]:
    """The children the learning is for: given in the conversation, or stated in the text."""
    return tuple(sorted(set(profile.child_ages) | set(detect_child_ages(profile.text))))


def age_allows(
    age_min: int | None, age_max: int | None, age: int | None, child_ages: tuple[int, ...]
) -> bool:
    """Inclusive bounds, open when missing; children's offers (up to 18) are for the child."""
    low = age_min if age_min is not None else 0
    high = age_max if age_max is not None else 200
    if child_ages and age_max is not None and age_max <= CHILD_AGE_LIMIT:
        return any(low <= child <= high for child in child_ages)
    return age is None or low <= age <= high


def allowed(
    facts: Facts,
    profile: Profile,
    today: int,
    child_ages: tuple[int, ...],
    parent: bool,
    relaxed: frozenset[str] = frozenset(),
) -> bool:
    """The hard filters (RULES §2): dates, price, format, age (child rule), audience.

    ``relaxed`` may hold "age" or "situations": that filter alone is not applied.
    """
    if facts.end is not None and facts.end < today:
        return False
    if profile.free_only and facts.price is not None and facts.price > 0:
        return False
    if profile.online_only and not facts.online:
        return False
    if "age" not in relaxed and not age_allows(
        facts.age_min, facts.age_max, profile.age, child_ages
    ):
        return False
    return audience_allows(facts, profile.situations, parent) or "situations" in relaxed


def audience_allows(facts: Facts, situations: frozenset[str], parent: bool) -> bool:
    """RULES §2.5: open offers, no situation stated, a shared situation, or family and parent."""
    return (
        not facts.audiences
        or not situations
        or bool(facts.audiences & situations)
        or (parent and facts.family)
    )
