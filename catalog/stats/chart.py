"""The statistics at a glance: one tall PNG that reads on a phone, drawn with matplotlib (Agg).

Four panels, top to bottom: users per day, the conversation funnel, demand against offers per
mission, and how it went (the follow-ups' answers, and why people could not go). A protected
count (``< 5``) is drawn as a hatched grey bar at the threshold's height with its mark, never at
its true height: the picture reveals no more than the text.

Only matplotlib's object API is used (no ``pyplot``): no global state, no GUI backend, so a
chart can be drawn in a worker thread while the bot goes on serving citizens.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

from babel.dates import format_date
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from catalog.i18n import N_, Translator, translator
from catalog.stats.figures import Report
from catalog.stats.report import ANSWER_LABELS, FUNNEL_LABELS, REASON_LABELS
from catalog.stats.suppression import Shown
from catalog.vocabulary import MISSIONS

# matplotlib draws letters one by one, left to right: Arabic would come out unjoined and
# reversed, so the chart of an Arabic-speaking admin is in English (the text stays Arabic).
_UNSHAPED = frozenset({"ar"})
BLUE, ORANGE, GREY = "#1f6fb2", "#e07b00", "#b8b8b8"
# Narrow and tall like a phone screen, so that the letters stay big once the picture is fitted
# to its width; 170 dpi gives about 950 x 2400 pixels (Telegram keeps up to 2560).
WIDTH_IN, HEIGHT_IN, DPI = 5.6, 14.0, 170
LABEL_WIDTH = 20  # characters per line of a mission's name

TITLE_USERS = N_("Users per day")
TITLE_FUNNEL = N_("Conversations, step by step")
TITLE_DEMAND = N_("Demand and offers per mission")
TITLE_FOLLOWUPS = N_("How it went (follow-ups)")
LEGEND_ANSWERS = N_("Answers")
LEGEND_WHY_NOT = N_("Why they could not go")
NO_FOLLOWUPS = N_("No follow-up answered in this period")


def _height(shown: Shown, threshold: int) -> float:
    return float(threshold if shown.count is None else shown.count)


def _bar_style(shown: Shown, colour: str) -> dict[str, object]:
    if shown.hidden:
        return {"color": GREY, "hatch": "//", "edgecolor": "white"}
    return {"color": colour}


def _daily_users(axes: Axes, report: Report, tr: Translator) -> None:
    days = [day for day, _ in report.daily_users]
    for position, (_, shown) in enumerate(report.daily_users):
        axes.bar(position, _height(shown, report.threshold), width=0.8,
                 **_bar_style(shown, BLUE))  # type: ignore[arg-type]
    # Four dates at most: month names are long in some languages.
    step = max(1, -(-len(days) // 4))
    ticks = list(range(0, len(days), step))
    axes.set_xticks(ticks, [format_date(days[i], "d MMM", locale=tr.locale) for i in ticks],
                    fontsize=10)
    axes.set_title(tr.gettext(TITLE_USERS), loc="left", fontweight="bold")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def _funnel(axes: Axes, report: Report, tr: Translator) -> None:
    labels = [tr.gettext(FUNNEL_LABELS[step]) for step, _ in report.funnel]
    positions = range(len(labels))
    peak = max([_height(shown, report.threshold) for _, shown in report.funnel] + [1.0])
    for position, (_, shown) in zip(positions, report.funnel, strict=True):
        height = _height(shown, report.threshold)
        axes.barh(position, height, **_bar_style(shown, BLUE))  # type: ignore[arg-type]
        axes.text(height + peak * 0.02, position, str(shown), va="center")
    axes.set_yticks(list(positions), labels)
    axes.invert_yaxis()
    axes.set_xlim(0, peak * 1.25)
    axes.set_xticks([])  # every bar carries its number
    axes.spines["bottom"].set_visible(False)
    axes.set_title(tr.gettext(TITLE_FUNNEL), loc="left", fontweight="bold")


def _demand(axes: Axes, report: Report, tr: Translator) -> None:
    rows = report.missions
    labels = [textwrap.fill(tr.gettext(MISSIONS[row.code]), LABEL_WIDTH) for row in rows]
    peak = max([_height(row.demand.demand, report.threshold) for row in rows]
               + [float(row.demand.offers) for row in rows] + [1.0])
    bar = 0.38
    for position, row in enumerate(rows):
        asked = row.demand.demand
        height = _height(asked, report.threshold)
        axes.barh(position - bar / 2, height, height=bar,
                  **_bar_style(asked, ORANGE))  # type: ignore[arg-type]
        axes.text(height + peak * 0.02, position - bar / 2, str(asked), va="center")
        axes.barh(position + bar / 2, row.demand.offers, height=bar, color=BLUE)
        axes.text(row.demand.offers + peak * 0.02, position + bar / 2, str(row.demand.offers),
                  va="center")
    axes.set_yticks(range(len(rows)), labels, fontsize=10)
    axes.invert_yaxis()
    axes.set_xlim(0, peak * 1.25)
    axes.set_xticks([])
    axes.spines["bottom"].set_visible(False)
    legend = [Patch(color=ORANGE, label=tr.gettext("Conversations asking")),
              Patch(color=BLUE, label=tr.gettext("Offers available"))]
    axes.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=2,
                fontsize=10, frameon=False)
    axes.set_title(tr.gettext(TITLE_DEMAND), loc="left", fontweight="bold")


def followup_bars(report: Report, tr: Translator) -> tuple[tuple[str, Shown, str], ...]:
    """The bars of the follow-ups' panel, top to bottom, as ``(label, count, colour)``: each
    answer, then each reason why people could not go; none when nobody answered."""
    found = report.followups
    if found.total is None:
        return ()
    answers = [(tr.gettext(ANSWER_LABELS[code]), shown, BLUE) for code, shown in found.answers]
    reasons = [(tr.gettext(REASON_LABELS[code]), shown, ORANGE) for code, shown in found.reasons]
    return (*answers, *reasons)


def _followups(axes: Axes, report: Report, tr: Translator) -> None:
    axes.set_title(tr.gettext(TITLE_FOLLOWUPS), loc="left", fontweight="bold")
    axes.set_xticks([])
    axes.spines["bottom"].set_visible(False)
    bars = followup_bars(report, tr)
    if not bars:
        axes.set_yticks([])
        axes.spines["left"].set_visible(False)
        axes.text(0.5, 0.5, tr.gettext(NO_FOLLOWUPS), ha="center", va="center",
                  transform=axes.transAxes)
        return
    peak = max([_height(shown, report.threshold) for _, shown, _ in bars] + [1.0])
    for position, (_, shown, colour) in enumerate(bars):
        height = _height(shown, report.threshold)
        axes.barh(position, height, **_bar_style(shown, colour))  # type: ignore[arg-type]
        axes.text(height + peak * 0.02, position, str(shown), va="center")
    axes.set_yticks(range(len(bars)), [textwrap.fill(label, LABEL_WIDTH) for label, _, _ in bars],
                    fontsize=10)
    axes.invert_yaxis()
    axes.set_xlim(0, peak * 1.25)
    legend = [Patch(color=BLUE, label=tr.gettext(LEGEND_ANSWERS)),
              Patch(color=ORANGE, label=tr.gettext(LEGEND_WHY_NOT))]
    axes.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=2,
                fontsize=10, frameon=False)


def draw(report: Report, tr: Translator) -> Figure:
    """The chart's figure, labelled in the admin's language (its four axes top to bottom)."""
    if tr.lang in _UNSHAPED:
        tr = translator("en")
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    with_heights: Sequence[float] = (1.0, 1.1, 1.6, 1.6)
    users, funnel, demand, followups = figure.subplots(4, 1, height_ratios=with_heights)
    for axes in (users, funnel, demand, followups):
        axes.spines[["top", "right"]].set_visible(False)
        axes.tick_params(labelsize=11)
    _daily_users(users, report, tr)
    _funnel(funnel, report, tr)
    _demand(demand, report, tr)
    _followups(followups, report, tr)
    period = tr.gettext("{start} to {end}").format(
        start=format_date(report.start, "medium", locale=tr.locale),
        end=format_date(report.end, "medium", locale=tr.locale))
    note = tr.gettext("Hatched: fewer than {n}, not shown exactly").format(n=report.threshold)
    figure.suptitle(f"Tremplin · {period}\n{note}", fontsize=12)
    return figure


def render(report: Report, tr: Translator) -> bytes:
    """The chart as PNG bytes, labelled in the admin's language."""
    figure = draw(report, tr)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
