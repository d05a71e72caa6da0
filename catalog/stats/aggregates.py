"""Daily aggregates: the counts of each day, kept after the raw events are purged.

A day's figures are a pure function of that day's raw events (:func:`day_figures`). Once a day
is over, the daily job stores them (:func:`rollup`) and deletes the raw events older than the
retention period (:func:`purge`); a report reads the stored figures of past days and computes
the others live from the raw events, so both give the same numbers.

Counting rules, per day:

- ``users``: distinct pseudonyms; ``new``: those whose first message ever was that day.
- ``funnel``: conversations started that day (``started``), and how many of them reached each
  question, the results, opened an offer (details or map) and saved one. A conversation is
  counted on the day it starts, with the steps it reached that day.
- ``searches``: conversations with a first results page; ``unmet``: those where no first
  page ever fitted every answer (only the closest offers, or nothing).
- ``topic`` / ``mission`` / ``situation``: conversations whose search asked for it (topics
  ticked or recognised in the words typed; missions through ``catalog.stats.facts.TOPIC_MISSIONS``);
  ``topic_unmet`` / ``mission_unmet``: those of them left without a good result.
- ``shown`` / ``opened`` / ``saved`` per mission: distinct (conversation, offer) pairs, for
  each mission of the offer.
- ``forget``, ``blocked``: how many times.
- ``fu:<answer>`` / ``fu_why:<reason>`` per offer, ``fu_mission:<answer>`` per mission: the
  follow-ups' answers (``catalog.stats.followups``).

Search words are not aggregated: see ``catalog.stats.keywords``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from catalog.stats import followups
from catalog.stats.events import StatsEvent, events_between
from catalog.stats.facts import ANONYMOUS, QUESTION_STEPS, TOPIC_MISSIONS, Found, Kind
from catalog.store.upsert import insert_on_conflict

Figures = Counter[tuple[str, str]]  # (metric, key) -> count
Conversation = tuple[str, int]  # (pseudonym, conversation number)

FUNNEL: tuple[str, ...] = ("started", *QUESTION_STEPS, "results", "opened", "saved")
_STEP_ALIASES = {"child_ages": "age", "neighbourhood": "where"}
_OFFER_METRICS: dict[str, str] = {Kind.RESULTS: "shown", Kind.OPENED: "opened", Kind.MAP: "opened",
                  Kind.SAVED: "saved"}


class StatsDaily(SQLModel, table=True):
    """One count of one day (anonymous: no pseudonym, no search word; offer ids, public, only
    for the follow-ups' answers)."""

    __tablename__ = "stats_daily"

    day: date = Field(primary_key=True)
    metric: str = Field(primary_key=True, max_length=24)
    key: str = Field(default="", primary_key=True, max_length=64)
    count: int = 0


def _codes(value: Any) -> tuple[str, ...]:
    """The strings of a stored list (the facts are read back from JSON: trust nothing)."""
    return tuple(item for item in value if isinstance(item, str)) if isinstance(
        value, list) else ()


def _offers(event: StatsEvent) -> dict[str, tuple[str, ...]]:
    """The offers an event is about, each with its missions."""
    facts = event.facts
    if event.kind == Kind.RESULTS:
        offers = facts.get("offers")
        return {str(offer): _codes(missions) for offer, missions in offers.items()} if (
            isinstance(offers, dict)) else {}
    offer = facts.get("offer")
    return {offer: _codes(facts.get("missions"))} if isinstance(offer, str) else {}


def _funnel_step(event: StatsEvent) -> str | None:
    match event.kind:
        case Kind.STARTED:
            return "started"
        case Kind.ANSWERED:
            step = str(event.facts.get("step"))
            step = _STEP_ALIASES.get(step, step)
            return step if step in QUESTION_STEPS else None
        case Kind.RESULTS:
            return "results"
        case Kind.OPENED | Kind.MAP:
            return "opened"
        case Kind.SAVED:
            return "saved"
    return None


@dataclass
class _Searches:
    """Per conversation, whether a first results page ever fitted, overall and per code."""

    met: dict[Conversation, bool]
    asked: dict[tuple[str, str], dict[Conversation, bool]]

    def add(self, conversation: Conversation, facts: Mapping[str, Any]) -> None:
        good = facts.get("outcome") == Found.GOOD
        self.met[conversation] = self.met.get(conversation, False) or good
        topics = _codes(facts.get("topics"))
        asked = [("topic", code) for code in topics]
        asked += [("mission", mission) for mission in
                  sorted({TOPIC_MISSIONS[code] for code in topics if code in TOPIC_MISSIONS})]
        asked += [("situation", code) for code in _codes(facts.get("situations"))]
        for key in asked:
            by_conversation = self.asked.setdefault(key, {})
            by_conversation[conversation] = by_conversation.get(conversation, False) or good

    def count(self, figures: Figures) -> None:
        figures["searches", ""] = len(self.met)
        figures["unmet", ""] = sum(not met for met in self.met.values())
        for (metric, code), conversations in self.asked.items():
            figures[metric, code] = len(conversations)
            if metric != "situation":
                figures[f"{metric}_unmet", code] = sum(not m for m in conversations.values())


def day_figures(events: Iterable[StatsEvent]) -> Figures:
    """The counts of one day's events (see the module doc for each metric)."""
    events = list(events)
    figures: Figures = Counter({("events", ""): len(events)})
    keyed = [event for event in events if event.user_key]
    figures["users", ""] = len({event.user_key for event in keyed})
    figures["new", ""] = len({event.user_key for event in keyed if event.kind == Kind.NEW})
    for event in events:
        if event.kind in ANONYMOUS:
            figures[event.kind, ""] += 1
    started = {(e.user_key, e.conversation) for e in keyed if e.kind == Kind.STARTED}
    reached: dict[str, set[Conversation]] = defaultdict(set)
    touched: dict[str, set[tuple[Conversation, str]]] = defaultdict(set)
    missions: dict[str, tuple[str, ...]] = {}
    searches = _Searches({}, {})
    for event in keyed:
        conversation = (event.user_key, event.conversation)
        step = _funnel_step(event)
        if step is not None and conversation in started:
            reached[step].add(conversation)
        if event.kind == Kind.RESULTS and event.facts.get("page") == 0:
            searches.add(conversation, event.facts)
        metric = _OFFER_METRICS.get(event.kind)
        if metric is not None:
            for offer, offer_missions in _offers(event).items():
                missions[offer] = offer_missions
                touched[metric].add((conversation, offer))
    for step in FUNNEL:
        figures["funnel", step] = len(reached[step])
    searches.count(figures)
    for metric, pairs in touched.items():
        for _, offer in pairs:
            for mission in missions[offer]:
                figures[metric, mission] += 1
    followups.count(((event.kind, event.facts) for event in keyed), figures)
    return +figures  # zero counts are not stored


def _insert(session: AsyncSession) -> Any:
    return insert_on_conflict(session.bind.dialect.name if session.bind else "sqlite", StatsDaily)


async def _rolled_up_days(session: AsyncSession, start: date, end: date) -> set[date]:
    query = select(col(StatsDaily.day)).distinct().where(
        col(StatsDaily.day) >= start, col(StatsDaily.day) <= end)
    return set((await session.exec(query)).all())


async def daily_figures(*, session: AsyncSession, start: date, end: date) -> dict[date, Figures]:
    """Each day's figures from ``start`` to ``end``: stored ones, or computed from raw events."""
    stored: dict[date, Figures] = defaultdict(Counter)
    rows = await session.exec(select(StatsDaily).where(
        col(StatsDaily.day) >= start, col(StatsDaily.day) <= end))
    for row in rows.all():
        stored[row.day][row.metric, row.key] = row.count
    raw: dict[date, list[StatsEvent]] = defaultdict(list)
    for event in await events_between(session=session, start=start, end=end):
        if event.day not in stored:
            raw[event.day].append(event)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return {day: stored[day] if day in stored else day_figures(raw[day]) for day in days}


async def rollup(*, session: AsyncSession, today: date) -> int:
    """Store the figures of every finished day not stored yet (not committed); how many days."""
    query = select(col(StatsEvent.day)).distinct().where(col(StatsEvent.day) < today)
    days = set((await session.exec(query)).all())
    if not days:
        return 0
    pending = sorted(days - await _rolled_up_days(session, min(days), max(days)))
    for day in pending:
        figures = day_figures(await events_between(session=session, start=day, end=day))
        rows = [{"day": day, "metric": metric, "key": key, "count": count}
                for (metric, key), count in sorted(figures.items())]
        # Two replicas may roll the same day up at once: the first one's rows stay.
        await session.exec(_insert(session).values(rows).on_conflict_do_nothing())
    return len(pending)


@dataclass(frozen=True, slots=True)
class Purged:
    days_rolled_up: int
    events_deleted: int


async def purge(*, session: AsyncSession, today: date, retention_days: int) -> Purged:
    """Roll finished days up, then delete the raw events of ``retention_days`` days ago and
    older (an event is kept ``retention_days`` days, its own day included), and commit."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    rolled = await rollup(session=session, today=today)
    cutoff = today - timedelta(days=retention_days - 1)
    result = await session.exec(delete(StatsEvent).where(col(StatsEvent.day) < cutoff))
    await session.commit()
    return Purged(days_rolled_up=rolled, events_deleted=result.rowcount or 0)
