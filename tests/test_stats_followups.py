"""Follow-ups in the statistics: counted per offer, mission and reason, small counts hidden."""

from __future__ import annotations

from collections import Counter
from datetime import date

from matplotlib.patches import Rectangle

from catalog.i18n import translator
from catalog.stats import chart, followups
from catalog.stats.facts import Kind
from catalog.stats.figures import Report, compose
from catalog.stats.report import rows
from catalog.stats.suppression import Shown


def _answers(offer: str, answer: str, n: int, missions: tuple[str, ...] = ("digital",)) -> list[
        tuple[str, dict[str, object]]]:
    return [(Kind.FOLLOWUP, {"offer": offer, "missions": list(missions), "answer": answer})] * n


def _figures(events: list[tuple[str, dict[str, object]]]) -> Counter[tuple[str, str]]:
    figures: Counter[tuple[str, str]] = Counter()
    followups.count(events, figures)
    return figures


def test_answers_are_counted_per_offer_mission_and_reason_and_bad_codes_ignored() -> None:
    figures = _figures([
        *_answers("o-a", "useful", 2), *_answers("o-a", "could_not", 1),
        (Kind.FOLLOWUP_WHY, {"offer": "o-a", "missions": ["digital"], "reason": "far"}),
        (Kind.FOLLOWUP, {"offer": "o-a", "answer": "<script>"}),  # forged: not an answer
        (Kind.FOLLOWUP, {"answer": "useful"}),  # no offer
        (Kind.OPENED, {"offer": "o-a", "missions": ["digital"]}),
    ])
    assert figures == Counter({("fu:useful", "o-a"): 2, ("fu_mission:useful", "digital"): 2,
                               ("fu:could_not", "o-a"): 1,
                               ("fu_mission:could_not", "digital"): 1,
                               ("fu_why:far", "o-a"): 1})


def test_counts_under_the_threshold_are_hidden_and_rare_offers_not_listed() -> None:
    figures = _figures([*_answers("o-a", "useful", 7), *_answers("o-a", "could_not", 2),
                        *_answers("o-b", "not_yet", 3)])
    found = followups.compose(figures, threshold=5)
    assert found.total is not None and found.total.count == 12
    answers = dict(found.answers)
    assert answers["useful"].count == 7
    # 2 could_not and 3 not_yet are under 5: hidden (and so is what would give them away).
    assert answers["could_not"].hidden and answers["not_yet"].hidden
    assert [row.offer for row in found.offers] == ["o-a"]  # o-b: 3 answers, under 5
    assert dict(found.offers[0].answers)["could_not"].hidden
    assert isinstance(found.offers[0].total, Shown)


def test_no_answer_no_section() -> None:
    assert followups.compose(Counter(), threshold=5) == followups.FollowUps()


def test_the_csv_rows_carry_the_answers() -> None:
    by_day = {date(2026, 12, 1): _figures(_answers("o-a", "useful", 5))}
    report = compose(start=date(2026, 12, 1), end=date(2026, 12, 1), by_day=by_day,
                     languages={}, new=0, phrases={}, offers=[], threshold=5)
    cells = {row[:3]: row[3] for row in rows(report)}
    assert cells["followups", "useful", "people"] == "5"
    assert cells["followup_offers", "o-a", "useful"] == "5"
    assert cells["followup_missions", "digital", "useful"] == "5"


def _report(figures: Counter[tuple[str, str]]) -> Report:
    day = date(2026, 12, 1)
    return compose(start=day, end=day, by_day={day: figures}, languages={}, new=0, phrases={},
                   offers=[], threshold=5)


def test_the_chart_draws_the_answers_and_why_with_small_counts_hatched() -> None:
    why: list[tuple[str, dict[str, object]]] = [
        (Kind.FOLLOWUP_WHY, {"offer": "o-a", "reason": reason})
        for reason, n in (("far", 6), ("price", 2), ("times", 3)) for _ in range(n)]
    report = _report(_figures([*_answers("o-a", "useful", 9), *_answers("o-b", "not_for_me", 3),
                               *_answers("o-b", "not_yet", 2), *_answers("o-a", "could_not", 11),
                               *why]))
    fr = translator("fr")
    panel = chart.draw(report, fr).axes[3]
    labels = [label.get_text().replace("\n", " ") for label in panel.get_yticklabels()]
    bars = [bar for bar in panel.patches if isinstance(bar, Rectangle)]
    marks = [text.get_text() for text in panel.texts]
    assert panel.get_title(loc="left") == fr.gettext(chart.TITLE_FOLLOWUPS) != chart.TITLE_FOLLOWUPS
    assert len(labels) == len(bars) == len(marks) == 11  # 4 answers, then 7 reasons
    assert labels[0] == fr.gettext("I went, it was useful") and labels[4] == fr.gettext("Too far")
    # 3 and 2 people are under the threshold: drawn hatched at its height, marked "< 5".
    assert [bar.get_width() for bar in bars[:4]] == [9, 5, 5, 11]
    assert marks[:4] == ["9", "< 5", "< 5", "11"]
    assert [bar.get_hatch() for bar in bars[:4]] == [None, "//", "//", None]
    # Why they could not go: 6 too far, 2 the price and 3 the times (hidden), no other reason.
    assert [bar.get_width() for bar in bars[4:]] == [6, 0, 5, 5, 0, 0, 0]
    assert marks[4:] == ["6", "0", "< 5", "< 5", "0", "0", "0"]
    assert chart.render(report, translator("uk")).startswith(b"\x89PNG\r\n\x1a\n")


def test_the_chart_says_when_nobody_answered() -> None:
    panel = chart.draw(_report(Counter()), translator("en")).axes[3]
    assert not any(isinstance(patch, Rectangle) for patch in panel.patches)
    assert [text.get_text() for text in panel.texts] == ["No follow-up answered in this period"]
