"""Usage statistics for admins: what citizens look for, what they find, and what is missing.

The pipeline, one module each:

- ``catalog.stats.facts``: the kinds of facts the dialogue engine emits (codes only);
- ``catalog.stats.events``: raw events, pseudonymous (keyed hash), purged after retention;
- ``catalog.stats.aggregates``: the counts of each day, kept after the purge;
- this module: a period's :class:`Report`, every count protected (``catalog.stats.suppression``);
- ``catalog.stats.report`` (text and CSV) and ``catalog.stats.chart`` (PNG) present it.

**Unmet demand**, the figure that guides the city's policy, is read in two ways:

- searches with no good result: the words typed by at least ``stats_min_count`` different
  people when nothing fitted all their answers (``catalog.stats.keywords`` strips personal data);
- demand against supply, for each topic and mission: *demand* is the number of conversations
  of the period whose search asked for it, *offers* the number of offers of the catalogue
  still running on the period's last day, and the **ratio** is demand / offers, i.e. how many
  conversations asked for it per offer available. A topic or mission is listed as asked more
  than offered when its ratio is above 1 (or it has demand and no offer at all), highest
  first; *without a good result* says how many of those conversations found nothing that
  fitted every answer. A ratio is shown only when the demand itself can be.

Who counts as a user: a pseudonym with at least one event in the period; *new* when their
first message ever (or their first since /forget) falls in the period, *returning* otherwise.
These come from the raw events, so a period longer than the retention covers only its last
``stats_retention_days`` days for them (the report says so); everything else also comes from
the daily aggregates.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from catalog.offer import Offer
from catalog.stats.aggregates import FUNNEL, Figures, daily_figures
from catalog.stats.events import new_users, search_phrases, users_by_language
from catalog.stats.followups import FollowUps
from catalog.stats.followups import compose as followups_of
from catalog.stats.suppression import Shown, protect, protect_group
from catalog.vocabulary import AUDIENCES, MISSIONS, TOPICS

TOP_PHRASES = 10
TOP_PRESSED = 5


@dataclass(frozen=True, slots=True)
class Demand:
    """What was asked for one topic or mission, against what the catalogue offers."""

    code: str
    demand: Shown
    unmet: Shown
    offers: int
    # demand / offers; math.inf with no offer; None when the demand is hidden.
    ratio: float | None

    @property
    def pressed(self) -> bool:
        """Asked more than offered (see the module doc)."""
        return self.ratio is not None and self.ratio > 1


@dataclass(frozen=True, slots=True)
class MissionRow:
    code: str
    shown: Shown
    opened: Shown
    saved: Shown
    demand: Demand


@dataclass(frozen=True, slots=True)
class Report:
    """One period's statistics, every count already protected: safe to show or export."""

    start: date
    end: date
    threshold: int
    # Set when users are counted over a shorter span than the period (raw events purged).
    users_since: date | None
    users: Shown
    new: Shown
    returning: Shown
    languages: tuple[tuple[str, Shown], ...]
    funnel: tuple[tuple[str, Shown], ...]
    searches: Shown
    unmet_searches: Shown
    missions: tuple[MissionRow, ...]
    topics: tuple[Demand, ...]  # those asked at all, the most asked first
    situations: tuple[tuple[str, Shown], ...]
    phrases: tuple[tuple[str, int], ...]  # each made by `threshold` people or more
    pressed_topics: tuple[Demand, ...]
    pressed_missions: tuple[Demand, ...]
    daily_users: tuple[tuple[date, Shown], ...]
    forgets: Shown
    blocked: Shown
    followups: FollowUps = field(default_factory=FollowUps)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def step(self, name: str) -> Shown:
        """One step of the funnel."""
        return dict(self.funnel)[name]


def available(offers: Sequence[Offer], on: date) -> list[Offer]:
    """The offers still running on ``on`` (an offer whose end date passed is not on offer)."""
    return [offer for offer in offers if offer.end_date is None or offer.end_date >= on]


def _ordered(items: Mapping[str, Shown], counts: Mapping[str, int]) -> list[tuple[str, Shown]]:
    """Non-zero items, largest first; hidden ones last, by code, so the order tells nothing."""
    visible = sorted((key for key, shown in items.items() if not shown.hidden and counts[key]),
                     key=lambda key: (-counts[key], key))
    hidden = sorted(key for key, shown in items.items() if shown.hidden)
    return [(key, items[key]) for key in (*visible, *hidden)]


def _demand(code: str, asked: int, unmet: int, offers: int, threshold: int) -> Demand:
    cells, total = protect_group({"met": asked - unmet, "unmet": unmet}, asked, threshold)
    if total.count is None or total.count == 0:
        ratio = None
    else:
        ratio = total.count / offers if offers else math.inf
    return Demand(code, total, cells["unmet"], offers, ratio)


def _pressed(rows: Sequence[Demand]) -> tuple[Demand, ...]:
    pressed = sorted((row for row in rows if row.pressed),
                     key=lambda row: (-(row.ratio or 0), row.code))
    return tuple(pressed[:TOP_PRESSED])


def compose(
    *,
    start: date,
    end: date,
    by_day: Mapping[date, Figures],
    languages: Mapping[str, int],
    new: int,
    phrases: Mapping[str, int],
    offers: Sequence[Offer],
    threshold: int,
    users_since: date | None = None,
) -> Report:
    """The report from its counts (pure: this is where every count gets protected)."""
    k = threshold
    total: Figures = sum(by_day.values(), Counter())
    users = sum(languages.values())
    language_cells, users_a = protect_group(languages, users, k)
    status, users_b = protect_group({"new": new, "returning": users - new}, users, k)
    running = available(offers, end)
    supply_topics = Counter(topic for offer in running for topic in set(offer.topics))
    supply_missions = Counter(mission for offer in running for mission in set(offer.missions))
    topics = [_demand(code, total["topic", code], total["topic_unmet", code],
                      supply_topics[code], k) for code in TOPICS]
    missions = [MissionRow(
        code,
        protect(total["shown", code], k),
        protect(total["opened", code], k),
        protect(total["saved", code], k),
        _demand(code, total["mission", code], total["mission_unmet", code],
                supply_missions[code], k),
    ) for code in MISSIONS]
    asked = {row.code: total["topic", row.code] for row in topics}
    top = [row for row in sorted(topics, key=lambda row: (
        row.demand.hidden, -(row.demand.count or 0), row.code)) if asked[row.code]]
    situations = {code: protect(total["situation", code], k) for code in AUDIENCES}
    search_cells, searches = protect_group(
        {"met": total["searches", ""] - total["unmet", ""], "unmet": total["unmet", ""]},
        total["searches", ""], k)
    return Report(
        start=start,
        end=end,
        threshold=k,
        users_since=users_since,
        users=users_a if users_a.hidden else users_b,
        new=status["new"],
        returning=status["returning"],
        languages=tuple(_ordered(language_cells, languages)),
        funnel=tuple((step, protect(total["funnel", step], k)) for step in FUNNEL),
        searches=searches,
        unmet_searches=search_cells["unmet"],
        missions=tuple(missions),
        topics=tuple(top),
        situations=tuple(_ordered(situations, {c: total["situation", c] for c in AUDIENCES})),
        phrases=tuple(sorted(((phrase, n) for phrase, n in phrases.items() if n >= k),
                             key=lambda item: (-item[1], item[0]))[:TOP_PHRASES]),
        pressed_topics=_pressed(topics),
        pressed_missions=_pressed([row.demand for row in missions]),
        daily_users=tuple((day, protect(by_day[day]["users", ""], k)) for day in sorted(by_day)),
        forgets=protect(total["forget", ""], k),
        blocked=protect(total["blocked", ""], k),
        followups=followups_of(total, k),
    )


async def build_report(
    *,
    session: AsyncSession,
    offers: Sequence[Offer],
    today: date,
    days: int,
    threshold: int,
    retention_days: int,
) -> Report:
    """The report of the ``days`` days up to ``today`` included."""
    if days < 1:
        raise ValueError("days must be at least 1")
    start = today - timedelta(days=days - 1)
    # Users and search words come from the raw events only: those still kept.
    kept_from = today - timedelta(days=retention_days - 1)
    raw_start = max(start, kept_from)
    return compose(
        start=start,
        end=today,
        by_day=await daily_figures(session=session, start=start, end=today),
        languages=await users_by_language(session=session, start=raw_start, end=today),
        new=await new_users(session=session, start=raw_start, end=today),
        phrases=await search_phrases(session=session, start=raw_start, end=today),
        offers=offers,
        threshold=threshold,
        users_since=raw_start if raw_start > start else None,
    )

