"""A statistics report as text (``/stats``, ``tremplin stats``) and as CSV rows (``--csv``).

Both show the protected counts of :class:`catalog.stats.figures.Report` only, so both can be shared.
The text is plain (no markup): search words come from citizens, and plain text cannot be
misread as formatting. CSV rows use stable English codes, one figure per row
(``section, item, measure, value``), easy to filter or pivot in a spreadsheet.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal

from catalog.i18n import LANGUAGE_NAMES, N_, Translator
from catalog.stats.figures import Demand, Report
from catalog.stats.followups import Cells
from catalog.vocabulary import AUDIENCES, MISSIONS, TOPICS

TOP_TOPICS = 8

FUNNEL_LABELS: dict[str, str] = {
    "started": N_("Started"),
    "who": N_("Who it is for"),
    "age": N_("Age"),
    "situation": N_("Situation"),
    "interests": N_("Interests"),
    "where": N_("Where"),
    "results": N_("Saw offers"),
    "opened": N_("Opened an offer"),
    "saved": N_("Saved an offer"),
}


# The follow-ups' answers and reasons, as their buttons say them (``bot.engine.followups``).
ANSWER_LABELS: dict[str, str] = {
    "useful": N_("I went, it was useful"),
    "not_for_me": N_("I went, not for me"),
    "not_yet": N_("Not yet"),
    "could_not": N_("I could not"),
}
REASON_LABELS: dict[str, str] = {
    "far": N_("Too far"),
    "full": N_("It was full"),
    "price": N_("The price"),
    "times": N_("The times"),
    "language": N_("The language"),
    "access": N_("Not accessible"),
    "other": N_("Something else"),
}


def _date(day: date, tr: Translator) -> str:
    return str(format_date(day, "medium", locale=tr.locale))


def _ratio(ratio: float, tr: Translator) -> str:
    return str(format_decimal(round(ratio, 1), "#,##0.#", locale=tr.locale))


def _demand_line(label: str, row: Demand, tr: Translator) -> str:
    if row.offers == 0 or row.ratio is None:
        text = tr.gettext("{label}: asked {demand} times, no offer").format(
            label=label, demand=row.demand)
    else:
        offers = tr.ngettext("{n} offer", "{n} offers", row.offers).format(n=row.offers)
        text = tr.gettext("{label}: asked {demand} times, {offers} ({ratio} per offer)").format(
            label=label, demand=row.demand, offers=offers, ratio=_ratio(row.ratio, tr))
    unmet = tr.gettext("{unmet} without a good result").format(unmet=row.unmet)
    return f"  {text}, {unmet}"


def _header(report: Report, tr: Translator) -> list[str]:
    k = report.threshold
    lines = [
        tr.gettext("Tremplin statistics, {start} to {end} ({days} days)").format(
            start=_date(report.start, tr), end=_date(report.end, tr), days=report.days),
        tr.gettext("Counts under {n} are shown as “< {n}”; “≥ {n}” hides a count from which "
                   "a smaller one could be worked out.").format(n=k),
    ]
    if report.users_since is not None:
        lines.append(tr.gettext("Users and search words: since {day} only (older events are "
                                "deleted).").format(day=_date(report.users_since, tr)))
    return lines


def _use(report: Report, tr: Translator) -> list[str]:
    languages = " · ".join(f"{LANGUAGE_NAMES.get(code, code)} {shown}"
                           for code, shown in report.languages)
    lines = [
        "",
        tr.gettext("Users: {users} (new: {new}, returning: {returning})").format(
            users=report.users, new=report.new, returning=report.returning),
        tr.gettext("Languages: {languages}").format(languages=languages or "0"),
        tr.gettext("Conversations: {started} started, {completed} reached the offers").format(
            started=report.step("started"), completed=report.step("results")),
        tr.gettext("Step by step:"),
    ]
    lines += [f"  {tr.gettext(FUNNEL_LABELS[step])}: {shown}" for step, shown in report.funnel]
    lines.append(tr.gettext("Searches: {searches}, without a good result: {unmet}").format(
        searches=report.searches, unmet=report.unmet_searches))
    lines += ["", tr.gettext("Offers per mission (shown · opened · saved):")]
    lines += [f"  {tr.gettext(MISSIONS[row.code])}: {row.shown} · {row.opened} · {row.saved}"
              for row in report.missions]
    return lines


def _interests(report: Report, tr: Translator) -> list[str]:
    lines = ["", tr.gettext("Most asked topics:")]
    lines += [f"  {tr.gettext(TOPICS[row.code])}: {row.demand}"
              for row in report.topics[:TOP_TOPICS]] or ["  0"]
    lines.append(tr.gettext("Situations:"))
    lines += [f"  {tr.gettext(AUDIENCES[code])}: {shown}"
              for code, shown in report.situations] or ["  0"]
    return lines


def _unmet(report: Report, tr: Translator) -> list[str]:
    lines = ["", tr.gettext("Unmet demand"), tr.gettext("Searches with no good result:")]
    lines += [f"  “{phrase}”: " + tr.ngettext("{n} person", "{n} people", people).format(
        n=people) for phrase, people in report.phrases]
    if not report.phrases:
        lines.append("  " + tr.gettext("none made by {n} people or more").format(
            n=report.threshold))
    lines.append(tr.gettext("Topics asked more than offered:"))
    lines += [_demand_line(tr.gettext(TOPICS[row.code]), row, tr)
              for row in report.pressed_topics] or ["  0"]
    lines.append(tr.gettext("Missions asked more than offered:"))
    lines += [_demand_line(tr.gettext(MISSIONS[row.code]), row, tr)
              for row in report.pressed_missions] or ["  0"]
    return lines


def _cells(cells: Cells, labels: dict[str, str], tr: Translator) -> str:
    return " · ".join(f"{tr.gettext(labels[code])} {shown}" for code, shown in cells)


def _followups(report: Report, tr: Translator) -> list[str]:
    found = report.followups
    if found.total is None:
        return []
    lines = ["", tr.gettext("How it went (follow-ups): {n} answers").format(n=found.total)]
    lines += [f"  {tr.gettext(ANSWER_LABELS[code])}: {shown}" for code, shown in found.answers]
    lines.append(tr.gettext("Why they could not go:"))
    lines += [f"  {tr.gettext(REASON_LABELS[code])}: {shown}" for code, shown in found.reasons]
    lines.append(tr.gettext("By mission:"))
    lines += [f"  {tr.gettext(MISSIONS[code])}: {_cells(cells, ANSWER_LABELS, tr)}"
              for code, cells in found.missions]
    lines.append(tr.gettext("Offers with the most answers:"))
    lines += [f"  {row.offer} ({row.total}): {_cells(row.answers, ANSWER_LABELS, tr)}"
              for row in found.offers] or ["  " + tr.gettext("none answered by {n} people or "
                                                             "more").format(n=report.threshold)]
    return lines


def render(report: Report, tr: Translator) -> str:
    """The whole report, in the admin's language."""
    lines = [*_header(report, tr), *_use(report, tr), *_interests(report, tr),
             *_unmet(report, tr), *_followups(report, tr), ""]
    lines.append(tr.gettext("/forget used: {forgets} · bot blocked: {blocked}").format(
        forgets=report.forgets, blocked=report.blocked))
    lines.append(tr.gettext("Taps on “Website” are not counted: Telegram opens the link "
                            "without telling the bot."))
    return "\n".join(lines)


def _ratio_cell(row: Demand) -> str:
    if row.ratio is None:
        return ""
    return "inf" if math.isinf(row.ratio) else f"{row.ratio:.2f}"


def _demand_rows(section: str, row: Demand) -> Iterator[tuple[str, str, str, str]]:
    yield section, row.code, "demand", str(row.demand)
    yield section, row.code, "without_good_result", str(row.unmet)
    yield section, row.code, "offers", str(row.offers)
    yield section, row.code, "ratio", _ratio_cell(row)


def rows(report: Report) -> Iterator[tuple[str, str, str, str]]:
    """``(section, item, measure, value)`` for every figure of the report."""
    yield "period", "", "start", report.start.isoformat()
    yield "period", "", "end", report.end.isoformat()
    yield "period", "", "threshold", str(report.threshold)
    if report.users_since is not None:
        yield "period", "", "users_since", report.users_since.isoformat()
    yield "users", "", "total", str(report.users)
    yield "users", "", "new", str(report.new)
    yield "users", "", "returning", str(report.returning)
    for code, shown in report.languages:
        yield "languages", code, "users", str(shown)
    for step, shown in report.funnel:
        yield "funnel", step, "conversations", str(shown)
    yield "searches", "", "total", str(report.searches)
    yield "searches", "", "without_good_result", str(report.unmet_searches)
    for mission in report.missions:
        yield "missions", mission.code, "shown", str(mission.shown)
        yield "missions", mission.code, "opened", str(mission.opened)
        yield "missions", mission.code, "saved", str(mission.saved)
        yield from _demand_rows("missions", mission.demand)
    for topic in report.topics:
        yield from _demand_rows("topics", topic)
    for code, shown in report.situations:
        yield "situations", code, "conversations", str(shown)
    for phrase, people in report.phrases:
        yield "unmet_searches", phrase, "people", str(people)
    for day, shown in report.daily_users:
        yield "daily_users", day.isoformat(), "users", str(shown)
    yield "other", "", "forget", str(report.forgets)
    yield "other", "", "blocked", str(report.blocked)
    yield from _followup_rows(report)


def _followup_rows(report: Report) -> Iterator[tuple[str, str, str, str]]:
    found = report.followups
    if found.total is None:
        return
    yield "followups", "", "answers", str(found.total)
    for code, shown in found.answers:
        yield "followups", code, "people", str(shown)
    for code, shown in found.reasons:
        yield "followup_reasons", code, "people", str(shown)
    for mission, cells in found.missions:
        for code, shown in cells:
            yield "followup_missions", mission, code, str(shown)
    for row in found.offers:
        yield "followup_offers", row.offer, "answers", str(row.total)
        for code, shown in (*row.answers, *((f"why_{c}", s) for c, s in row.reasons)):
            yield "followup_offers", row.offer, code, str(shown)
