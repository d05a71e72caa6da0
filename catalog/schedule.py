"""An offer's sessions and opening hours (contract v2), in the city's local time.

``sessions``: ``;``-separated ISO 8601 intervals, ``2026-12-09T14:00/16:00`` (the end's date may
be left out), ``2026-12-09T14:00/2026-12-10T12:00``, or whole days ``2026-09-08/2027-06-29``
(ISO 8601 intervals of dates; one day may be written as its date, ``2026-12-09``: in a
calendar, all-day events).
``opening_hours``: OpenStreetMap syntax (``Mo-Fr 09:00-12:00; PH off``), parsed by the
``opening-hours-py`` library. Everything here is pure: "now" is a naive local time given by
the caller (:func:`local_now` reads the clock).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import opening_hours
from opening_hours import OpeningHours, State

# What the parser raises (its stub declares SyntaxError, which it is not a subclass of).
ParserError: type[Exception] = opening_hours.ParserError  # type: ignore[attr-defined]

_DAY = r"\d{4}-\d{2}-\d{2}"
_CLOCK = r"\d{2}:\d{2}(?::\d{2})?"
_TIMED = re.compile(rf"({_DAY}T{_CLOCK})/((?:{_DAY}T)?{_CLOCK})")
_DAYS = re.compile(rf"({_DAY})(?:/({_DAY}))?")
EXAMPLE = "2026-12-09T14:00/16:00"


@dataclass(frozen=True, slots=True, order=True)
class Session:
    """One session, local and naive; ``all_day``: from ``start``'s day to the day before
    ``end``."""

    start: datetime
    end: datetime
    all_day: bool = False


def local_now(zone: str) -> datetime:
    """The wall-clock time in ``zone`` (an IANA name), naive."""
    return datetime.now(ZoneInfo(zone)).replace(tzinfo=None)


def _session(text: str) -> Session:
    timed = _TIMED.fullmatch(text)
    if timed:
        start = datetime.fromisoformat(timed[1])
        until = timed[2]
        end = (datetime.fromisoformat(until) if "T" in until
               else datetime.combine(start.date(), time.fromisoformat(until)))
        if end <= start:
            raise ValueError("ends before it starts")
        return Session(start, end)
    days = _DAYS.fullmatch(text)
    if days:
        first = date.fromisoformat(days[1])
        last = date.fromisoformat(days[2]) if days[2] else first
        if last < first:
            raise ValueError("ends before it starts")
        return Session(datetime.combine(first, time()),
                       datetime.combine(last + timedelta(days=1), time()), all_day=True)
    raise ValueError(f"is not an interval such as {EXAMPLE}")


def parse_sessions(text: str) -> tuple[Session, ...]:
    """The sessions of a cell, in order; ValueError naming the bad one and its column (the
    character where it starts, from 1)."""
    sessions: list[Session] = []
    column = 1
    for part in text.split(";"):
        item = part.strip()
        if item:
            try:
                sessions.append(_session(item))
            except ValueError as error:
                at = column + len(part) - len(part.lstrip())
                raise ValueError(f"session {item!r} at character {at}: {error}") from None
        column += len(part) + 1
    return tuple(sorted(sessions))


def sessions_text(sessions: tuple[Session, ...]) -> str:
    """The canonical cell of ``sessions``."""
    def one(session: Session) -> str:
        if session.all_day:
            first, last = session.start.date(), session.end.date() - timedelta(days=1)
            return first.isoformat() if last == first else f"{first.isoformat()}/{last.isoformat()}"
        start = session.start.isoformat(timespec="minutes")
        same_day = session.end.date() == session.start.date()
        end = session.end.time().isoformat("minutes") if same_day else session.end.isoformat(
            timespec="minutes")
        return f"{start}/{end}"
    return ";".join(one(session) for session in sessions)


def upcoming(text: str, now: datetime) -> tuple[Session, ...]:
    """The sessions not over at ``now`` (an unreadable cell has none)."""
    try:
        sessions = parse_sessions(text)
    except ValueError:
        return ()
    return tuple(session for session in sessions if session.end > now)


def last_day(text: str) -> date | None:
    """The day the last session ends on, or None without sessions."""
    try:
        sessions = parse_sessions(text)
    except ValueError:
        return None
    if not sessions:
        return None
    end = max(session.end for session in sessions)
    return (end - timedelta(microseconds=1)).date()


def check_opening_hours(text: str) -> str | None:
    """None when ``text`` is OpenStreetMap opening hours, else what is wrong and where."""
    try:
        OpeningHours(text)
    except ParserError as error:
        where = re.search(r"--> (\d+):(\d+)", str(error))
        position = f" at line {where[1]}, column {where[2]}" if where else ""
        expected = re.search(r"= (expected .*)", str(error))
        detail = f": {expected[1]}" if expected else ""
        return f"{text!r} is not OpenStreetMap opening hours{position}{detail}"
    return None


def opening_today(text: str, now: datetime) -> tuple[tuple[datetime, datetime], ...] | None:
    """The open intervals of ``now``'s day still to come or under way; None when unreadable."""
    try:
        hours = OpeningHours(text)
    except ParserError:
        return None
    midnight = datetime.combine(now.date(), time())
    return tuple(
        (start, end)
        for start, end, state, _ in hours.intervals(midnight, midnight + timedelta(days=1))
        if state == State.OPEN and end > now
    )
