"""The vocabulary of usage statistics: what kinds of facts are recorded, and their codes.

Pure and tiny on purpose: the dialogue engine names facts with these constants (it must stay
free of I/O), the storage writes them (``catalog.stats.events``) and the aggregates read them back
(``catalog.stats.aggregates``). A fact holds codes and offer ids only, never what a citizen typed.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """What happened. Stored as text in ``stats_event.kind``: values never change."""

    NEW = "new"  # first message ever (or first since /forget): written by the storage
    STARTED = "started"  # the questions started from the top (/start, "Start over")
    ANSWERED = "answered"  # one question answered or skipped: {"step", "codes", "skipped"}
    RESULTS = "results"  # a results page: {"page", "outcome", "topics", "situations", "offers"}
    UNMET_SEARCH = "unmet_search"  # typed words that found no good result: {"keywords"}
    OPENED = "opened"  # an offer's details: {"offer", "missions"}
    MAP = "map"  # an offer's map: {"offer", "missions"}
    SAVED = "saved"  # an offer saved: {"offer", "missions"}
    FORGET = "forget"  # /forget confirmed: anonymous (no user key), written by the storage
    BLOCKED = "blocked"  # the citizen blocked the bot: anonymous, written by the storage
    FOLLOWUP = "followup"  # a follow-up's answer: {"offer", "missions", "answer"}
    FOLLOWUP_WHY = "followup_why"  # why they could not go: {"offer", "missions", "reason"}


class Found(StrEnum):
    """How a results page turned out (``results`` facts)."""

    GOOD = "good"  # first page, offers that fit every answer
    RELAXED = "relaxed"  # first page, nothing fits every answer: the closest with one left aside
    NONE = "none"  # first page, nothing at all
    MORE = "more"  # a further page with offers
    END = "end"  # a further page with nothing left


# A follow-up's answers, and why a citizen could not go (their codes in the buttons' actions).
ANSWERS: tuple[str, ...] = ("useful", "not_for_me", "not_yet", "could_not")
REASONS: tuple[str, ...] = ("far", "full", "price", "times", "language", "access", "other")

# Kinds stored without a user key: counting them needs no link to anyone.
ANONYMOUS: frozenset[str] = frozenset({Kind.FORGET, Kind.BLOCKED})

# The question steps of the funnel, as ``answered`` facts name them (the children's ages count
# as the age question; picking a neighbourhood answers "where").
QUESTION_STEPS: tuple[str, ...] = ("who", "age", "situation", "interests", "where")

# Age brackets: the same codes as the age buttons; a typed age is stored as its bracket.
_BRACKETS: tuple[tuple[int, str], ...] = ((17, "u18"), (25, "18-25"), (44, "26-44"),
                                          (59, "45-59"))


def age_bracket(age: int | None) -> str | None:
    """The bracket code of ``age`` (``None`` for no age): a number is never stored."""
    if age is None:
        return None
    return next((code for highest, code in _BRACKETS if age <= highest), "60+")


# Which missions a topic's demand counts for: each mission's topics as its deep link pre-selects
# them (``bot.engine.commands.MISSION_TOPICS``, checked by a test), the topics no link names
# going to the culture of learning throughout life. Supply, in turn, is read from each offer's own
# missions in the catalogue.
_MISSION_TOPICS: dict[str, tuple[str, ...]] = {
    "inclusive": ("literacy", "french", "citizenship"),
    "family": ("parenting", "reading"),
    "workplace": ("career", "entrepreneurship"),
    "digital": ("digital",),
    "quality": ("science", "languages"),
    "lifelong": ("arts", "music", "history", "environment", "health", "sport", "crafts",
                 "cooking"),
}
TOPIC_MISSIONS: dict[str, str] = {
    topic: mission for mission, topics in _MISSION_TOPICS.items() for topic in topics
}
