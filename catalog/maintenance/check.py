"""``tremplin catalog check``: what a maintainer should look at in the catalogue.

Stale offers (past their review: ``review_months`` after ``updated_on``), offers without
description, offers that give neither a place nor a link, offers past their end date (never shown
again), offers with the same title, offers that several citizens could not reach (the
follow-ups' answers, with why), and missions or topics with few offers to show. The report is
data; the command line and the Telegram ``/catalog`` command each word it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from catalog.maintenance.reports import open_reports
from catalog.matching.text import words
from catalog.offer import Offer
from catalog.stats.aggregates import daily_figures
from catalog.stats.followups import could_not
from catalog.store.models import OfferRecord
from catalog.store.offers import to_offer
from catalog.vocabulary import MISSIONS, TOPICS

FEW_OFFERS = 3  # a mission or topic with fewer offers to show is a gap
# An offer that this many people (or more) could not reach in the last UNREACHABLE_DAYS days,
# by the follow-ups' answers, is listed.
SEVERAL = 3
UNREACHABLE_DAYS = 90


@dataclass(frozen=True, slots=True)
class Listed:
    """An offer named in the report: its id, title and the date that matters, if any."""

    id: str
    title: str
    day: date | None = None
    detail: str = ""  # what the check found, for ``--json`` (English)


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The findings of a catalogue check, each list ordered by id (or by count)."""

    today: date
    active: int
    stale: tuple[Listed, ...]
    no_description: tuple[Listed, ...]
    no_place_no_url: tuple[Listed, ...]
    ended: tuple[Listed, ...]
    duplicate_titles: tuple[tuple[Listed, ...], ...]
    missions: dict[str, int]  # offers still shown, per mission (every mission, even at 0)
    topics: dict[str, int]
    few: int = FEW_OFFERS
    # Offers citizens reported since their last update; ``detail``: the reasons and counts.
    reported: tuple[Listed, ...] = ()
    # Offers several citizens could not reach (follow-ups); ``detail``: how many, and why.
    unreachable: tuple[Listed, ...] = ()

    @property
    def mission_gaps(self) -> list[tuple[str, int]]:
        return [(code, count) for code, count in self.missions.items() if count < self.few]

    @property
    def topic_gaps(self) -> list[tuple[str, int]]:
        return [(code, count) for code, count in self.topics.items() if count < self.few]

    @property
    def findings(self) -> int:
        """How many things are flagged (0: nothing to look at)."""
        return (
            len(self.stale)
            + len(self.no_description)
            + len(self.no_place_no_url)
            + len(self.ended)
            + len(self.duplicate_titles)
            + len(self.mission_gaps)
            + len(self.topic_gaps)
            + len(self.reported)
            + len(self.unreachable)
        )


def _has_place(offer: Offer) -> bool:
    return bool(offer.address or offer.city or offer.location)


def is_stale(offer: Offer, today: date) -> bool:
    """Past its review: not confirmed for longer than ``review_months``."""
    due = offer.review_due
    return due is not None and due < today


def is_hidden(offer: Offer, today: date) -> bool:
    """Stale for a second review period: citizens no longer see it until it is confirmed."""
    hidden_from = offer.hidden_from
    return hidden_from is not None and hidden_from < today


def _staleness(offer: Offer, today: date) -> str:
    later = (
        "hidden from citizens until confirmed"
        if is_hidden(offer, today)
        else f"hidden from citizens after {offer.hidden_from} unless confirmed"
    )
    return (
        f"updated on {offer.updated_on}, to review every {offer.review_months} months"
        f" (due {offer.review_due}); {later}"
    )


def build_report(offers: Iterable[Offer], *, today: date, few: int = FEW_OFFERS) -> CheckReport:
    """The report on active ``offers``."""
    rows = sorted(offers, key=lambda offer: offer.id)
    stale, no_description, no_place, ended = [], [], [], []
    by_title: dict[str, list[Listed]] = {}
    missions = dict.fromkeys(MISSIONS, 0)
    topics = dict.fromkeys(TOPICS, 0)
    for offer in rows:
        listed = Listed(offer.id, offer.title)
        if is_stale(offer, today):
            stale.append(Listed(offer.id, offer.title, offer.updated_on, _staleness(offer, today)))
        if not offer.description.strip():
            no_description.append(listed)
        if not _has_place(offer) and not offer.url:
            no_place.append(listed)
        by_title.setdefault(" ".join(words(offer.title)), []).append(listed)
        if offer.end_date is not None and offer.end_date < today:
            ended.append(Listed(offer.id, offer.title, offer.end_date))
            continue  # never shown again: it covers nothing
        for code in offer.missions:
            missions[code] = missions.get(code, 0) + 1
        for code in offer.topics:
            topics[code] = topics.get(code, 0) + 1
    duplicates = tuple(tuple(group) for key, group in by_title.items() if key and len(group) > 1)
    return CheckReport(
        today=today,
        active=len(rows),
        stale=tuple(stale),
        no_description=tuple(no_description),
        no_place_no_url=tuple(no_place),
        ended=tuple(ended),
        duplicate_titles=duplicates,
        missions=missions,
        topics=topics,
        few=few,
    )


async def check_catalogue(
    *, session: AsyncSession, today: date, few: int = FEW_OFFERS
) -> CheckReport:
    """The report on the active offers of the catalogue."""
    query = select(OfferRecord).where(col(OfferRecord.retired).is_(False))
    records = (await session.exec(query)).all()
    report = build_report((to_offer(record) for record in records), today=today, few=few)
    titles = {record.id: record.title for record in records}
    reported = tuple(
        Listed(offer_id, titles.get(offer_id, ""), None, _reasons(counts))
        for offer_id, counts in sorted((await open_reports(session=session)).items())
    )
    start = today - timedelta(days=UNREACHABLE_DAYS - 1)
    total: Counter[tuple[str, str]] = sum(
        (await daily_figures(session=session, start=start, end=today)).values(), Counter())
    unreachable = []
    for offer_id in sorted(titles):
        people, why = could_not(total, offer_id)
        if people >= SEVERAL:
            reasons = ", ".join(f"{reason} ({n})" for reason, n in sorted(why.items()) if n)
            unreachable.append(Listed(offer_id, titles[offer_id], None,
                                      f"{people} citizens could not go: {reasons or 'no reason'}"))
    return replace(report, reported=reported, unreachable=tuple(unreachable))


def _reasons(counts: Counter[str]) -> str:
    total = sum(counts.values())
    reasons = ", ".join(f"{reason} ({count})" for reason, count in sorted(counts.items()))
    return f"{total} report{'s' if total > 1 else ''} by citizens: {reasons}"



def _items(listed: Iterable[Listed], limit: int) -> list[str]:
    lines = []
    for number, item in enumerate(listed):
        if number == limit:
            lines.append("    ...")
            break
        day = f" ({item.day.isoformat()})" if item.day else ""
        lines.append(f"    {item.id}  {item.title[:60]}{day}")
    return lines


def format_report(report: CheckReport, *, limit: int = 50) -> list[str]:
    """The report as the command line prints it (English), ``limit`` offers per finding."""
    lines = [f"catalogue check on {report.today.isoformat()}: {report.active} active offers"]
    sections = (
        ("past their review date (stale; hidden after twice its period)", report.stale),
        ("no description", report.no_description),
        ("no place and no URL", report.no_place_no_url),
        ("past their end date (never shown)", report.ended),
        ("reported by citizens (tremplin catalog reports)", report.reported),
    )
    for title, listed in sections:
        lines.append(f"  {title}: {len(listed)}")
        lines += _items(listed, limit)
    lines.append(f"  could not be reached by {SEVERAL} citizens or more in {UNREACHABLE_DAYS} "
                 f"days (follow-ups): {len(report.unreachable)}")
    lines += [f"    {item.id}  {item.title[:60]}: {item.detail}"
              for item in report.unreachable[:limit]]
    lines.append(f"  duplicate titles: {len(report.duplicate_titles)}")
    for group in report.duplicate_titles[:limit]:
        lines.append(f"    {group[0].title[:60]}: {', '.join(item.id for item in group)}")
    for noun, gaps in (("missions", report.mission_gaps), ("topics", report.topic_gaps)):
        shown = ", ".join(f"{code} ({count})" for code, count in gaps) or "none"
        lines.append(f"  {noun} with fewer than {report.few} offers: {shown}")
    if not report.findings:
        lines.append("  nothing to look at")
    return lines


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about one offer, as ``catalog check --json`` gives it (DESIGN.md)."""

    offer: str
    # stale, link, no_description, no_place_no_url, ended, duplicate_title, report, unreachable
    kind: str
    detail: str


def offer_problems(report: CheckReport) -> list[Problem]:
    """The findings about single offers, ordered by offer then kind (gaps are not offers')."""
    problems = [Problem(item.id, "stale", item.detail) for item in report.stale]
    problems += [Problem(item.id, "no_description", "no description") for item in
                 report.no_description]
    problems += [Problem(item.id, "no_place_no_url", "neither a place nor a URL") for item in
                 report.no_place_no_url]
    problems += [Problem(item.id, "ended", f"ended on {item.day} (never shown)") for item in
                 report.ended]
    for group in report.duplicate_titles:
        for item in group:
            others = ", ".join(other.id for other in group if other is not item)
            problems.append(Problem(item.id, "duplicate_title", f"same title as {others}"))
    problems += [Problem(item.id, "report", item.detail) for item in report.reported]
    problems += [Problem(item.id, "unreachable", item.detail) for item in report.unreachable]
    return sorted(problems, key=lambda problem: (problem.offer, problem.kind))
