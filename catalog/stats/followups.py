"""Follow-ups in the statistics: how it went, per offer, per mission and per reason.

A follow-up is answered once per person and offer, so each count is a number of people.
:func:`count` adds a day's answers to its figures (``fu:<answer>`` and ``fu_why:<reason>`` per
offer, ``fu_mission:<answer>`` per mission; offer ids are public catalogue ids, never a person's);
:func:`compose` protects them like every other count (``catalog.stats.suppression``): each
group's cells with the group's total, an offer listed only once ``threshold`` people answered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from catalog.stats.facts import ANSWERS, REASONS, Kind
from catalog.stats.suppression import Shown, protect_group
from catalog.vocabulary import MISSIONS

Figures = Counter[tuple[str, str]]
Cells = tuple[tuple[str, Shown], ...]
TOP_OFFERS = 10


@dataclass(frozen=True, slots=True)
class OfferFollowUps:
    """One offer's answers (and why people could not go), protected."""

    offer: str
    total: Shown
    answers: Cells
    reasons: Cells


@dataclass(frozen=True, slots=True)
class FollowUps:
    """A period's follow-up answers, every count protected."""

    total: Shown | None = None  # None: no follow-up answered in the period
    answers: Cells = ()
    reasons: Cells = ()
    missions: tuple[tuple[str, Cells], ...] = ()  # missions with answers
    offers: tuple[OfferFollowUps, ...] = ()  # the most answered first, at least `threshold`


def count(events: Iterable[tuple[str, Mapping[str, object]]], figures: Figures) -> None:
    """Add the follow-up answers among ``(kind, facts)`` to a day's figures."""
    for kind, facts in events:
        offer = facts.get("offer")
        if not isinstance(offer, str):
            continue
        if kind == Kind.FOLLOWUP and (answer := facts.get("answer")) in ANSWERS:
            figures[f"fu:{answer}", offer] += 1
            missions = facts.get("missions")
            for mission in missions if isinstance(missions, list) else ():
                if mission in MISSIONS:
                    figures[f"fu_mission:{answer}", mission] += 1
        elif kind == Kind.FOLLOWUP_WHY and (reason := facts.get("reason")) in REASONS:
            figures[f"fu_why:{reason}", offer] += 1


def _group(values: Mapping[str, int], threshold: int) -> tuple[Cells, Shown]:
    cells, total = protect_group(values, sum(values.values()), threshold)
    return tuple((code, cells[code]) for code in values), total


def _sum(total: Figures, prefix: str, codes: Iterable[str]) -> dict[str, int]:
    return {code: sum(n for (metric, _), n in total.items() if metric == prefix + code)
            for code in codes}


def could_not(total: Figures, offer: str) -> tuple[int, dict[str, int]]:
    """How many people could not go to ``offer``, and why (raw counts: protect before showing)."""
    return (total["fu:could_not", offer],
            {reason: total[f"fu_why:{reason}", offer] for reason in REASONS})


def compose(total: Figures, threshold: int) -> FollowUps:
    """The period's follow-ups from its summed figures."""
    answers = _sum(total, "fu:", ANSWERS)
    if not any(answers.values()):
        return FollowUps()
    answer_cells, everyone = _group(answers, threshold)
    reason_cells, _ = _group(_sum(total, "fu_why:", REASONS), threshold)
    missions = []
    for mission in MISSIONS:
        counts = {answer: total[f"fu_mission:{answer}", mission] for answer in ANSWERS}
        if any(counts.values()):
            missions.append((mission, _group(counts, threshold)[0]))
    answered: Counter[str] = Counter()
    for (metric, offer), n in total.items():
        if metric.startswith("fu:"):
            answered[offer] += n
    offers: list[OfferFollowUps] = []
    for offer, n in sorted(answered.items(), key=lambda item: (-item[1], item[0])):
        if n < threshold or len(offers) == TOP_OFFERS:
            break
        cells, offer_total = _group({a: total[f"fu:{a}", offer] for a in ANSWERS}, threshold)
        reasons = _group(could_not(total, offer)[1], threshold)[0]
        offers.append(OfferFollowUps(offer, offer_total, cells, reasons))
    return FollowUps(everyone, answer_cells, reason_cells, tuple(missions), tuple(offers))
