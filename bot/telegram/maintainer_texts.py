"""What the bot tells catalogue maintainers, as Telegram HTML: dry runs, problems, the check.

Every string is an English msgid translated for the maintainer; translations and every value
from a file or the catalogue are escaped (msgids hold no markup: the bold is added here).
Messages are built as lines and packed under Telegram's length limit, so that no cut ever falls
inside a tag.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from catalog.formats.validation import Problem
from catalog.i18n import Translator
from catalog.maintenance.check import CheckReport, Listed
from catalog.maintenance.importer import ImportPlan
from catalog.maintenance.pending import without_retiring
from catalog.vocabulary import MISSIONS, TOPICS

if TYPE_CHECKING:
    from catalog.formats.lheo import Inference  # the LHEO reader is loaded for LHEO files only
    from catalog.formats.open_data import Skipped

SHOWN_PROBLEMS = 20  # in the message; the attached file has them all
SHOWN_OFFERS = 10  # per finding of the check report
_REASON_LIMIT = 200


def _html(template: str, **values: object) -> str:
    """A translated template, escaped, with values escaped unless they are already HTML."""
    return escape(template).format(
        **{
            key: value if isinstance(value, _Html) else escape(str(value))
            for key, value in values.items()
        }
    )


class _Html(str):
    """Markup made here (a bold name), inserted as it is."""


def _bold(text: str) -> _Html:
    return _Html(f"<b>{escape(text)}</b>")


def problem_lines(
    tr: Translator,
    source: str,
    problems: Sequence[Problem],
    count: int | None = None,
    *,
    services: bool = False,
) -> list[str]:
    """The message about a refused file: the first problems, then how many more (``count``
    problems in all, when only the first ones were kept); with ``services`` (open data) a
    problem's line is a service's index in the file's array, its column a field's name."""
    count = len(problems) if count is None else count
    lines = [
        _html(
            tr.ngettext(
                "{name}: {n} problem, nothing was imported. Fix it and send the file again:",
                "{name}: {n} problems, nothing was imported. Fix them and send the file again:",
                count,
            ),
            name=_bold(source),
            n=count,
        )
    ]
    for problem in problems[:SHOWN_PROBLEMS]:
        reason = problem.reason[:_REASON_LIMIT]
        if services:
            line = _html(
                tr.gettext("service [{index}] {field}: {reason}"),
                index=problem.line,
                field="" if problem.column == "-" else problem.column,
                reason=reason,
            )
        elif problem.column == "-":
            line = _html(tr.gettext("line {line}: {reason}"), line=problem.line, reason=reason)
        else:
            line = _html(
                tr.gettext("line {line}, {column}: {reason}"),
                line=problem.line,
                column=problem.column,
                reason=reason,
            )
        lines.append("• " + line)
    rest = count - SHOWN_PROBLEMS
    if rest > 0:
        more = tr.ngettext("…and {n} more problem.", "…and {n} more problems.", rest)
        lines.append(_html(more, n=rest))
    if count > len(problems):  # a hostile file's millions of problems are only counted
        shown = tr.ngettext(
            "The attached file lists the first problem.",
            "The attached file lists the first {n} problems.",
            len(problems),
        )
        lines.append(_html(shown, n=len(problems)))
    else:
        lines.append(_html(tr.gettext("The attached file lists every problem.")))
    return lines


def _changed_fields(plan: ImportPlan) -> str:
    counts = Counter(column for change in plan.updated for column in change.columns)
    return ", ".join(f"{column} ×{count}" for column, count in counts.most_common(8))


def summary_lines(
    tr: Translator,
    source: str,
    plan: ImportPlan,
    inferences: Sequence[Inference],
    skipped: Sequence[Skipped] = (),
) -> list[str]:
    """The dry run of a file (``plan`` planned with retiring): what applying would change, and
    for open data how many services are left out."""
    read = tr.ngettext("{n} offer in the file:", "{n} offers in the file:", plan.read)
    lines = [
        _html(tr.gettext("{name}: checked, nothing has changed yet."), name=_bold(source)),
        _html(read, n=plan.read),
        "• " + _html(tr.gettext("new: {n}"), n=len(plan.added)),
    ]
    if plan.revived:
        revived = tr.gettext("brought back (were retired): {n}")
        lines.append("• " + _html(revived, n=len(plan.revived)))
    lines.append("• " + _html(tr.gettext("updated: {n}"), n=len(plan.updated)))
    if plan.updated:
        lines.append("  " + _html(tr.gettext("fields: {fields}"), fields=_changed_fields(plan)))
    lines.append("• " + _html(tr.gettext("unchanged: {n}"), n=len(plan.unchanged)))
    if plan.retired:
        absent = tr.gettext(
            "in the catalogue but not in the file: {n} (kept, unless you choose to retire them)"
        )
        lines.append("• " + _html(absent, n=len(plan.retired)))
    inferred = len({inference.offer_id for inference in inferences})
    if inferred:
        guessed = tr.ngettext(
            "Missions and topics were inferred for {n} offer: check them in the attached report.",
            "Missions and topics were inferred for {n} offers: check them in the attached report.",
            inferred,
        )
        lines.append(_html(guessed, n=inferred))
    if skipped:
        left_out = tr.ngettext(
            "{n} service of the file is left out: not a learning offer (housing, health…) or "
            "not active. The attached report names it.",
            "{n} services of the file are left out: not learning offers (housing, health…) or "
            "not active. The attached report names them.",
            len(skipped),
        )
        lines.append(_html(left_out, n=len(skipped)))
    return lines


def report_lines(
    source: str,
    plan: ImportPlan,
    inferences: Sequence[Inference],
    skipped: Sequence[Skipped] = (),
) -> list[str]:
    """The dry run's attached report: every change by id, then every inference and every
    service left out (in English, like the command line's)."""
    lines = without_retiring(plan).summary(source, dry_run=True)
    if plan.retired:
        lines.append(f"{source}: {len(plan.retired)} offers of the catalogue are not in the file")
        lines += [
            f"  - {offer_id}  (retired only with the button that says so)"
            for offer_id in plan.retired
        ]
    lines += [inference.format(source) for inference in inferences]
    return lines + [item.format(source) for item in skipped]


def applied_text(tr: Translator, source: str, plan: ImportPlan) -> str:
    """The dry run's message once applied."""
    return "✅ " + _html(
        tr.gettext("{name} applied: {added} added, {updated} updated, {retired} retired."),
        name=_bold(source),
        added=len(plan.added) + len(plan.revived),
        updated=len(plan.updated),
        retired=len(plan.retired),
    )


def _listed(items: Sequence[Listed]) -> list[str]:
    lines = []
    for item in items[:SHOWN_OFFERS]:
        day = f" ({item.day.isoformat()})" if item.day else ""
        lines.append(f"  <code>{escape(item.id)}</code> {escape(item.title[:60])}{day}")
    if len(items) > SHOWN_OFFERS:
        lines.append("  …")
    return lines


def check_lines(tr: Translator, report: CheckReport) -> list[str]:
    """``/catalog``: the check report, a few offers per finding."""
    active = tr.ngettext(
        "Catalogue check: {n} active offer.", "Catalogue check: {n} active offers.", report.active
    )
    lines = [f"<b>{_html(active, n=report.active)}</b>"]
    sections = (
        (tr.gettext("Past their review date (hidden after twice its period): {n}"), report.stale),
        (tr.gettext("No description: {n}"), report.no_description),
        (tr.gettext("No place and no link: {n}"), report.no_place_no_url),
        (tr.gettext("Past their end date, no longer shown: {n}"), report.ended),
    )
    for title, items in sections:
        lines.append("• " + _html(title, n=len(items)))
        lines += _listed(items)
    lines.append("• " + _html(tr.gettext("Same title: {n}"), n=len(report.duplicate_titles)))
    for group in report.duplicate_titles[:SHOWN_OFFERS]:
        ids = ", ".join(escape(item.id) for item in group)
        lines.append(f"  {escape(group[0].title[:60])}: <code>{ids}</code>")
    for title, gaps, labels in (
        (tr.gettext("Missions with few offers: {list}"), report.mission_gaps, MISSIONS),
        (tr.gettext("Topics with few offers: {list}"), report.topic_gaps, TOPICS),
    ):
        shown = ", ".join(f"{tr.gettext(labels[code])} ({count})" for code, count in gaps)
        lines.append("• " + _html(title, list=shown or "—"))
    if not report.findings:
        lines.append(_html(tr.gettext("Nothing to look at: well done!")))
    return lines
