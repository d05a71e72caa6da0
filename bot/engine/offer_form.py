"""The guided /propose form: one offer described in the chat, one question at a time.

Pure, like the rest of the engine: the form's state and one input (a typed answer or a button's
action) give the new state and the replies. Every answer is checked by the catalogue file's own
rules (:func:`catalog.formats.columns.parse_row`), so the form never builds an offer that a file
could not carry; missions and topics are inferred from the words as the LHEO and HSDS imports
infer them (:data:`catalog.formats.lheo_infer.TOPIC_MISSIONS`), then the partner confirms them
on a summary of the whole offer. Drawn in ``bot/engine/offer_form.mmd``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from bot.engine.replies import Button, Reply, in_rows
from bot.understanding import understand
from catalog.formats.columns import clean_text, means_free, parse_row
from catalog.formats.csvio import offer_cells
from catalog.formats.lheo_infer import TOPIC_MISSIONS
from catalog.i18n import N_, Translator
from catalog.matching.text import infer_topics
from catalog.offer import Offer
from catalog.offer_fields import FIELD
from catalog.vocabulary import AUDIENCES, MISSIONS, TOPICS

# Button actions (callback data): "pf:<verb>" or "pf:<verb>:<code>", re-checked in press().
PREFIX = "pf:"
PATTERN = r"^pf:[a-z]{1,6}(:[a-z_]{1,20})?$"

# The questions, in order: each typed answer fills the catalogue columns of its step.
QUESTIONS: dict[str, str] = {
    "title": N_("What is the offer called? For example: Smartphone workshop for beginners."),
    "provider": N_("Who organises it? The name of the association, service or person."),
    "description": N_("What is it? In a few sentences: what people do or learn there."),
    "schedule": N_("When does it take place? For example: Wednesdays 2-4 pm, or "
                   "2026-12-09T14:00/16:00 for a dated session."),
    "where": N_("Where? An address or a neighbourhood, or \"online\"."),
    "price": N_("How much does it cost, in euros? Write 0 or \"free\" if it is free."),
    "url": N_("A web page about it? Send its address, starting with https://"),
}
REQUIRED = frozenset({"title", "provider"})
STEPS: tuple[str, ...] = (*QUESTIONS, "audiences", "review", "missions", "topics")
# The catalogue columns a form fills (from its answers; codes are kept apart).
COLUMNS: tuple[str, ...] = (
    "title", "provider", "description", "schedule", "sessions", "opening_hours", "address",
    "neighbourhood", "format", "price_eur", "url",
)
# A complete row but the cell checked: parse_row then judges that cell alone.
_PLACEHOLDER = {"id": "form", "title": "form", "provider": "form", "missions": "lifelong"}
_EUROS = re.compile(r"\s*(?:€|eur|euros?)\s*$", re.IGNORECASE)
_CHECKED = "✅ "

SUMMARY_LABELS: dict[str, str] = {
    "title": N_("Title"), "provider": N_("Organiser"), "description": N_("What"),
    "schedule": N_("When"), "where": N_("Where"), "price": N_("Price"), "url": N_("Link"),
    "audiences": N_("For"), "missions": N_("Missions"), "topics": N_("Topics"),
}


@dataclass(frozen=True, slots=True)
class Form:
    """The answers so far (catalogue cells, as a file would hold them) and the current step."""

    step: str = "title"
    cells: Mapping[str, str] = field(default_factory=dict)
    audiences: tuple[str, ...] = ()
    missions: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "cells": dict(self.cells), "audiences": list(self.audiences),
                "missions": list(self.missions), "topics": list(self.topics)}

    @classmethod
    def from_json(cls, data: object) -> Form:
        """The stored form; anything unknown or too long is dropped (the store is not trusted)."""
        if not isinstance(data, dict):
            return cls()
        cells = data.get("cells")
        cells = cells if isinstance(cells, dict) else {}
        step = data.get("step")
        return cls(
            step=step if step in STEPS else "title",
            cells={column: value for column, value in cells.items() if column in COLUMNS
                   and isinstance(value, str) and len(value) <= FIELD[column].max_length},
            audiences=_codes(data.get("audiences"), AUDIENCES),
            missions=_codes(data.get("missions"), MISSIONS),
            topics=_codes(data.get("topics"), TOPICS),
        )


@dataclass(frozen=True, slots=True)
class Turn:
    """What one input did: the form (``None`` once it is cancelled), the replies, and whether
    the partner confirmed it (the front end then queues :func:`offer` and closes the form)."""

    form: Form | None
    replies: tuple[Reply, ...]
    confirmed: bool = False


def _codes(value: object, allowed: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(code for code in allowed if isinstance(value, list) and code in value)


def checked(column: str, value: str) -> tuple[str, str | None]:
    """``value`` as a catalogue file's cell ``column`` keeps it, and why a file could not hold
    it (the file's own reason, in English), or None."""
    result = parse_row({**_PLACEHOLDER, column: value})
    if isinstance(result, Offer):
        return offer_cells(result)[column], None
    return value, next((why for name, why in result if name == column), "?")


def _refusal(column: str, value: str, why: str, tr: Translator) -> str:
    """Why an answer is refused, in the partner's language (with the file's precise reason)."""
    limit, length = FIELD[column].max_length, len(clean_text(value, multiline=True))
    if length > limit:
        reason = tr.gettext("it has {length} characters; at most {limit} fit.").format(
            length=length, limit=limit)
    elif column == "url":
        reason = tr.gettext("a link starts with http:// or https:// and the site's name, "
                            "without spaces") + f" ({why})"
    elif column == "price_eur":
        reason = tr.gettext("write a number of euros, like 12 or 7.50, or 0 if it is free")
    else:
        reason = why
    return tr.gettext("I cannot keep this answer: {reason}").format(reason=reason)


def _cells(step: str, text: str, language: str, neighbourhoods: Iterable[str],
           city: str) -> dict[str, str]:
    """The catalogue cells one typed answer fills at ``step``."""
    text = text.strip()
    if step == "price":
        return {"price_eur": "0" if means_free(text) else _EUROS.sub("", text)}
    if step == "schedule":
        cells = {"schedule": text}
        # A schedule typed as a file's sessions or opening hours is kept as such too.
        for column in ("sessions", "opening_hours"):
            if checked(column, text)[1] is None:
                cells[column] = text
                break
        return cells
    if step == "where":
        found = understand("where", text, language, neighbourhoods=neighbourhoods, city=city)
        value = (found.value or {}) if found.kind == "answer" else {}
        if value.get("where") == "online":
            return {"format": "online"}
        name = value.get("neighbourhood")
        if isinstance(name, str):
            return {"neighbourhood": name} | ({} if text.casefold() == name.casefold()
                                              else {"address": text})
        return {"address": text}
    return {step: text}


def answer(form: Form, text: str, tr: Translator, *, language: str,
           neighbourhoods: Iterable[str] = (), city: str = "") -> Turn:
    """A typed answer to the current question: kept and the next question asked, or refused
    with its reason and the same question asked again (the answers so far kept)."""
    if form.step not in QUESTIONS:  # buttons are awaited: the same ones again
        return Turn(form, (ask(form, tr),))
    new = _cells(form.step, text, language, neighbourhoods, city)
    kept: dict[str, str] = {}
    for column, value in new.items():
        cell, why = checked(column, value)
        if why is not None:
            return Turn(form, (Reply(_refusal(column, value, why, tr)), ask(form, tr)))
        kept[column] = cell
    stale = {"where": ("address", "neighbourhood", "format"),
             "schedule": ("sessions", "opening_hours")}.get(form.step, ())
    cells = {k: v for k, v in form.cells.items() if k not in stale} | kept
    return _next(replace(form, cells=cells), tr)


def _next(form: Form, tr: Translator) -> Turn:
    following = STEPS[STEPS.index(form.step) + 1]
    if following == "review":
        form = infer(form)
    moved = replace(form, step=following)
    return Turn(moved, (ask(moved, tr),))


def infer(form: Form) -> Form:
    """Topics from the offer's words, missions from its topics, audiences and format."""
    words = " ".join(form.cells.get(column, "") for column in ("title", "description"))
    topics = infer_topics(words)
    missions = {TOPIC_MISSIONS[topic] for topic in topics if topic in TOPIC_MISSIONS}
    if form.cells.get("format") == "online":
        missions.add("digital")
    if "parent" in form.audiences:
        missions.add("family")
    if "job_seeker" in form.audiences:
        missions.add("workplace")
    return replace(form, topics=tuple(code for code in TOPICS if code in topics),
                   missions=tuple(code for code in MISSIONS if code in missions) or ("lifelong",))


def press(form: Form, action: str, tr: Translator) -> Turn:
    """A button of the form; an action that does not fit the current step shows it again."""
    verb, _, code = action.removeprefix(PREFIX).partition(":")
    if verb == "cancel":
        return Turn(None, (Reply(tr.gettext("The offer was not sent. /propose starts again.")),))
    if verb == "skip" and form.step in QUESTIONS and form.step not in REQUIRED:
        return _next(form, tr)
    if form.step == "audiences" and verb == "aud" and code in AUDIENCES:
        return _toggled(form, "audiences", code, tr)
    if form.step == "audiences" and verb in ("all", "done"):
        return _next(replace(form, audiences=() if verb == "all" else form.audiences), tr)
    if form.step in ("review", "missions", "topics") and verb in ("mis", "top", "back"):
        step = {"mis": "missions", "top": "topics", "back": "review"}[verb]
        moved = replace(form, step=step)
        return Turn(moved, (replace(ask(moved, tr), replaces_previous=True),))
    if form.step == "missions" and verb == "m" and code in MISSIONS:
        if form.missions == (code,):  # at least one mission, as a file's
            return Turn(form, ())
        return _toggled(form, "missions", code, tr)
    if form.step == "topics" and verb == "t" and code in TOPICS:
        return _toggled(form, "topics", code, tr)
    if form.step == "review" and verb == "ok":  # the front end queues it, then closes it
        return Turn(form, (), confirmed=True)
    return Turn(form, (ask(form, tr),))


def _toggled(form: Form, name: str, code: str, tr: Translator) -> Turn:
    chosen: tuple[str, ...] = getattr(form, name)
    allowed = {"audiences": AUDIENCES, "missions": MISSIONS, "topics": TOPICS}[name]
    flipped = set(chosen) ^ {code}
    codes = tuple(c for c in allowed if c in flipped)
    moved = (replace(form, audiences=codes) if name == "audiences" else
             replace(form, missions=codes) if name == "missions" else replace(form, topics=codes))
    return Turn(moved, (replace(ask(moved, tr), replaces_previous=True),))


def _choices(chosen: tuple[str, ...], allowed: Mapping[str, str], verb: str,
             tr: Translator) -> list[Button]:
    return [Button((_CHECKED if code in chosen else "") + tr.gettext(label), f"pf:{verb}:{code}")
            for code, label in allowed.items()]


def ask(form: Form, tr: Translator) -> Reply:
    """The message of the current step: a question, the audiences, the summary or a list."""
    cancel = Button(tr.gettext("Cancel"), "pf:cancel")
    if form.step in QUESTIONS:
        skip = () if form.step in REQUIRED else (Button(tr.gettext("Skip"), "pf:skip"),)
        return Reply(tr.gettext(QUESTIONS[form.step]), buttons=((*skip, cancel),))
    if form.step == "audiences":
        return Reply(
            tr.gettext("Who is it for? Tap each group it is meant for, then Done; "
                       "or Everyone."),
            buttons=(*in_rows(_choices(form.audiences, AUDIENCES, "aud", tr)),
                     (Button(tr.gettext("Everyone"), "pf:all"),
                      Button(tr.gettext("Done"), "pf:done")), (cancel,)))
    if form.step in ("missions", "topics"):
        allowed, verb = (MISSIONS, "m") if form.step == "missions" else (TOPICS, "t")
        chosen = form.missions if form.step == "missions" else form.topics
        text = (tr.gettext("Tap the missions of the learning city this offer serves "
                           "(at least one), then Done.") if form.step == "missions" else
                tr.gettext("Tap the topics of this offer, then Done."))
        per_row = 1 if form.step == "missions" else 2
        return Reply(text, buttons=(*in_rows(_choices(chosen, allowed, verb, tr), per_row),
                                    (Button(tr.gettext("Done"), "pf:back"),)))
    return summary(form, tr)


def _price(cell: str, tr: Translator) -> str:
    return tr.gettext("Free") if Decimal(cell) == 0 else f"{cell} €"


def summary(form: Form, tr: Translator) -> Reply:
    """The whole offer as it will be proposed, with Confirm, the codes to change, Cancel."""
    cells = form.cells
    where = ", ".join(cells[c] for c in ("address", "neighbourhood") if cells.get(c))
    shown = {
        "title": cells.get("title", ""), "provider": cells.get("provider", ""),
        "description": cells.get("description", ""), "schedule": cells.get("schedule", ""),
        "where": tr.gettext("Online") if cells.get("format") == "online" else where,
        "price": _price(cells["price_eur"], tr) if cells.get("price_eur") else "",
        "url": cells.get("url", ""),
        "audiences": ", ".join(tr.gettext(AUDIENCES[c]) for c in form.audiences)
        or tr.gettext("Everyone"),
        "missions": ", ".join(tr.gettext(MISSIONS[c]) for c in form.missions),
        "topics": ", ".join(tr.gettext(TOPICS[c]) for c in form.topics) or "-",
    }
    lines = [f"{tr.gettext(SUMMARY_LABELS[name])}: {value}"
             for name, value in shown.items() if value]
    lines.append("")
    lines.append(tr.gettext("Missions and topics are my guess from your words: change them if "
                            "needed. Once confirmed, a maintainer reviews the offer."))
    return Reply(
        "\n".join(lines), title=tr.gettext("Your offer"),
        buttons=((Button(tr.gettext("Confirm"), "pf:ok"),),
                 (Button(tr.gettext("Change missions"), "pf:mis"),
                  Button(tr.gettext("Change topics"), "pf:top")),
                 (Button(tr.gettext("Cancel"), "pf:cancel"),)))


def offer(form: Form, offer_id: str) -> Offer:
    """The confirmed form as one offer of id ``offer_id`` (every cell was checked already)."""
    row = {**form.cells, "id": offer_id, "missions": ";".join(form.missions),
           "topics": ";".join(form.topics), "audiences": ";".join(form.audiences)}
    result = parse_row(row)
    if not isinstance(result, Offer):
        raise ValueError(f"the form does not make an offer: {result}")
    return result
