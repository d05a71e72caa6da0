"""The state of one conversation: the named step, the answers so far, paging and language.

A plain dataclass that round-trips through JSON, so it is stored per chat in the database and
a restart (or another replica) resumes exactly where the citizen was.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from catalog.i18n import DEFAULT_LANGUAGE, LANGUAGES
from catalog.vocabulary import AUDIENCES, TOPICS

MAX_AGE = 120
MAX_CHILDREN = 8
# Typed words kept for matching: a search needs a few words, never a page of text.
MAX_TEXT = 200

# What matching never needs and a citizen may type anyway ("appelez-moi au 06 12 34 56 78"):
# links, e-mail addresses, @usernames, and runs of six digits or more, separators allowed
# (phone numbers, social security or file numbers). Ages and postcodes stay.
_PERSONAL = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|[^\s@]*@\S*"
    r"|\+?\d(?:[\s.\-/()]{0,2}\d){5,}",
    re.IGNORECASE,
)


def keep_text(text: str) -> str:
    """What is kept of typed words: without personal numbers and addresses, at most
    :data:`MAX_TEXT` characters (cut at a word), spaces collapsed."""
    kept = " ".join(_PERSONAL.sub(" ", text).split())
    if len(kept) > MAX_TEXT:
        kept = kept[:MAX_TEXT].rsplit(" ", 1)[0] if " " in kept[:MAX_TEXT] else kept[:MAX_TEXT]
    return kept


class Step(StrEnum):
    """The named states of the conversation (drawn in ``bot/engine/conversation.mmd``)."""

    IDLE = "idle"
    WHO = "who"
    CHILD_AGES = "child_ages"
    AGE = "age"
    SITUATION = "situation"
    INTERESTS = "interests"
    WHERE = "where"
    NEIGHBOURHOOD = "neighbourhood"
    RESULTS = "results"


# Age brackets (button codes): each stands for an age inside it that common offer bounds
# (16-25, 60+) accept.
AGE_BRACKETS: dict[str, int] = {"u18": 16, "18-25": 21, "26-44": 35, "45-59": 52, "60+": 65}
# Who the learning is for.
WHO_CHOICES: tuple[str, ...] = ("me", "child", "family")
# Where: how the citizen answered the last question.
WHERE_CHOICES: tuple[str, ...] = ("location", "neighbourhood", "online", "anywhere")


@dataclass(frozen=True, slots=True)
class Answers:
    """What the citizen answered; every field may stay empty (each question is skippable)."""

    who: str | None = None
    child_ages: tuple[int, ...] = ()
    age: int | None = None
    # The bracket button chosen, when the age came from one (shown instead of a number).
    age_bracket: str | None = None
    situations: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    text: str = ""
    where: str | None = None
    location: tuple[float, float] | None = None
    neighbourhood: str | None = None
    free_only: bool = False


@dataclass(frozen=True, slots=True)
class Conversation:
    """One chat's conversation; ``pending`` names an action awaiting confirmation."""

    step: Step = Step.IDLE
    answers: Answers = field(default_factory=Answers)
    language: str = DEFAULT_LANGUAGE
    offset: int = 0
    pending: str | None = None
    # Answering one question from /profile: the answer leads straight back to the results.
    editing: bool = False
    greeted: bool = False

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (tuples become lists)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> Conversation:
        """The conversation stored as ``data``; anything invalid falls back to its default."""
        if not isinstance(data, dict):
            return cls()
        answers = _answers(data.get("answers"))
        step = data.get("step")
        language = data.get("language")
        offset = _int(data.get("offset"), 0, 1000)
        pending = data.get("pending")
        return cls(
            step=Step(step) if isinstance(step, str) and step in Step._value2member_map_
            else Step.IDLE,
            answers=answers,
            language=language if language in LANGUAGES else DEFAULT_LANGUAGE,
            offset=offset or 0,
            pending=pending if pending == "forget" else None,
            editing=data.get("editing") is True,
            greeted=data.get("greeted") is True,
        )

    def with_answers(self, **changes: Any) -> Conversation:
        """A copy with some answers changed; typed words are kept as :func:`keep_text` says."""
        if "text" in changes:
            changes["text"] = keep_text(changes["text"])
        return replace(self, answers=replace(self.answers, **changes))


def _int(value: object, low: int, high: int) -> int | None:
    """``value`` if it is an integer (not a bool) within ``low..high``."""
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    return None


def _codes(value: object, allowed: dict[str, str]) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(code for code in allowed if code in value)


def _age(value: object) -> int | None:
    return _int(value, 0, MAX_AGE)


def _location(value: object) -> tuple[float, float] | None:
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    lat, lon = value
    if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in (lat, lon)):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return (float(lat), float(lon))


def _answers(data: object) -> Answers:
    if not isinstance(data, dict):
        return Answers()
    ages = data.get("child_ages")
    text = data.get("text")
    neighbourhood = data.get("neighbourhood")
    bracket = data.get("age_bracket")
    return Answers(
        who=data.get("who") if data.get("who") in WHO_CHOICES else None,
        child_ages=tuple(a for a in map(_age, ages) if a is not None)[:MAX_CHILDREN]
        if isinstance(ages, list | tuple)
        else (),
        age=_age(data.get("age")),
        age_bracket=bracket if bracket in AGE_BRACKETS else None,
        situations=_codes(data.get("situations"), AUDIENCES),
        topics=_codes(data.get("topics"), TOPICS),
        text=keep_text(text) if isinstance(text, str) else "",
        where=data.get("where") if data.get("where") in WHERE_CHOICES else None,
        location=_location(data.get("location")),
        neighbourhood=neighbourhood[:200] if isinstance(neighbourhood, str) else None,
        free_only=data.get("free_only") is True,
    )
