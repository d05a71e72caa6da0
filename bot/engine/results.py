"""Results: the best offers for the answers so far, page by page, or honest alternatives.

When nothing fits, the citizen is told so, shown what comes closest when one answer is left
aside (and which one), and given a person to ask.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import replace

from bot.engine import cards
from bot.engine.context import Context, Outcome, Record, tr_of
from bot.engine.replies import Button, Reply
from bot.engine.state import Conversation, Step
from catalog.i18n import N_
from catalog.matching import reasons as why
from catalog.matching.matcher import Match, alternatives, match
from catalog.matching.profile import Profile
from catalog.matching.text import infer_topics
from catalog.stats.facts import Found, Kind
from catalog.stats.keywords import search_keywords
from catalog.vocabulary import TOPICS

PAGE = 3
# The furthest page a citizen can reach; stops a forged offset from scanning forever.
MAX_OFFSET = 60

# What the alternatives leave aside, said in a whole sentence (criteria do not translate as
# fragments: articles and cases differ from one language to the next).
RELAXED: dict[str, str] = {
    "topics": N_("Nothing fits all your answers. Leaving your interests aside, "
                 "these come closest:"),
    "text": N_("Nothing fits the words you typed. Leaving them aside, these fit your "
               "other answers:"),
    "free_only": N_("Nothing free fits your answers. Counting paid offers too, "
                    "these come closest:"),
    "online_only": N_("Nothing online fits your answers. Counting offers in person too, "
                      "these come closest:"),
    "near": N_("Nothing fits near the place you chose. Further away, these come closest:"),
    "situations": N_("Nothing fits your situation exactly. These offers are open to everyone:"),
    "age": N_("Nothing fits the age you gave. Leaving the age aside, these come closest:"),
}


# Reasons the card already states on its own lines (where, price): not repeated under "why".
_SHOWN_ELSEWHERE = frozenset({why.DISTANCE, why.FREE, why.PRICE_UNKNOWN, why.ONLINE, why.HYBRID})


def profile_of(state: Conversation, ctx: Context) -> Profile:
    """The matcher's profile for the answers so far."""
    answers = state.answers
    near: tuple[float, float] | None = None
    if answers.where == "location":
        near = answers.location
    elif answers.where == "neighbourhood" and answers.neighbourhood:
        near = ctx.neighbourhoods.get(answers.neighbourhood)
    return Profile(
        age=answers.age,
        child_ages=answers.child_ages if answers.who != "me" else (),
        situations=frozenset(answers.situations),
        topics=frozenset(answers.topics),
        text=answers.text,
        near=near,
        free_only=answers.free_only,
        online_only=answers.where == "online",
        lang=state.language,
    )


def relax(state: Conversation, dropped: str) -> Conversation | None:
    """The answers without the criterion ``dropped`` (as named by the matcher)."""
    match dropped:
        case "topics":
            return state.with_answers(topics=())
        case "text":
            return state.with_answers(text="")
        case "free_only":
            return state.with_answers(free_only=False)
        case "online_only" | "near":
            return state.with_answers(where=None, location=None, neighbourhood=None)
        case "situations":
            return state.with_answers(situations=())
        case "age":
            return state.with_answers(age=None, age_bracket=None, child_ages=())
    return None


def _card(found: Match, state: Conversation, ctx: Context) -> Reply:
    tr = tr_of(state)
    return cards.card(
        found.offer,
        tr,
        saved=found.offer.id in ctx.favourites,
        reasons=[reason.text(tr) for reason in found.reasons
                 if reason.msgid not in _SHOWN_ELSEWHERE],
        distance_km=found.distance_km,
        now=ctx.local_now,
    )


def footer(state: Conversation, ctx: Context, text: str, *, more: bool = False,
           relaxed: str | None = None) -> Reply:
    """What next: more results, only free offers, change the answers, start over."""
    tr = tr_of(state)
    rows: list[tuple[Button, ...]] = []
    if more:
        rows.append((Button(tr.gettext("More results"), "more"),))
    if relaxed is not None:
        rows.append((Button(tr.gettext("Search without it"), f"relax:{relaxed}"),))
    free = state.answers.free_only
    rows.append((Button(("✓ " if free else "") + tr.gettext("Only free offers"),
                        "free:off" if free else "free:on"),))
    if not ctx.alerts:
        rows.append((Button(tr.gettext("Tell me about new offers like these"), "alerts:ask"),))
    rows.append((Button(tr.gettext("Change my answers"), "go:refine"),
                 Button(tr.gettext("Start over"), "go:start")))
    return Reply(text, buttons=tuple(rows))


def _contact(state: Conversation, ctx: Context) -> str:
    tr = tr_of(state)
    if not ctx.contact:
        return ""
    return "\n" + tr.gettext("You can also ask a person: {contact}.").format(contact=ctx.contact)


def _facts(state: Conversation, offset: int, outcome: Found,
           found: Sequence[Match], vocabulary: Container[str] = ()) -> tuple[Record, ...]:
    """The statistics' facts of a results page: what was asked (codes), what was shown, and
    the words of a search that found no good result that the lexicon or ``vocabulary`` (the
    catalogue's) know."""
    answers = state.answers
    asked = set(answers.topics) | infer_topics(answers.text)
    shown = Record(Kind.RESULTS, {
        "page": offset // PAGE,
        "outcome": outcome,
        "topics": tuple(code for code in TOPICS if code in asked),
        "situations": answers.situations,
        "offers": {item.offer.id: item.offer.missions for item in found[:PAGE]},
    })
    keywords = (search_keywords(answers.text, vocabulary)
                if outcome in (Found.RELAXED, Found.NONE) else "")
    if not keywords:
        return (shown,)
    return shown, Record(Kind.UNMET_SEARCH, {"keywords": keywords})


def show(state: Conversation, ctx: Context, *, offset: int = 0) -> Outcome:
    """The results page at ``offset`` for the answers so far."""
    tr = tr_of(state)
    offset = max(0, min(offset, MAX_OFFSET))
    state = replace(state, step=Step.RESULTS, offset=offset, editing=False, pending=None)
    profile = profile_of(state, ctx)
    found = match(profile, ctx.index, today=ctx.today, limit=PAGE + 1, offset=offset)
    more = len(found) > PAGE and offset + PAGE <= MAX_OFFSET
    next_text = tr.gettext(
        "Not quite right? Change your answers, or just type what you are looking for.")
    if found:
        header = tr.gettext("Here are the offers that fit you best:") if offset == 0 else (
            tr.gettext("More offers:"))
        if offset == 0 and state.answers.text:
            header += "\n" + tr.gettext("Your words: “{text}”").format(text=state.answers.text)
        shown = [_card(item, state, ctx) for item in found[:PAGE]]
        facts = _facts(state, offset, Found.GOOD if offset == 0 else Found.MORE, found)
        return Outcome(state, (Reply(header), *shown, footer(state, ctx, next_text, more=more)),
                       facts)
    if offset > 0:
        return Outcome(state, (footer(state, ctx, tr.gettext(
            "That is all I have for these answers.") + " " + next_text),),
            _facts(state, offset, Found.END, ()))
    closest = alternatives(profile, ctx.index, today=ctx.today, limit=PAGE)
    if closest is None or not closest.matches:
        text = tr.gettext(
            "I found nothing that fits, even leaving one answer aside. "
            "Try other words, or change your answers."
        )
        return Outcome(state, (footer(state, ctx, text + _contact(state, ctx)),),
                       _facts(state, offset, Found.NONE, (), ctx.index.postings))
    intro = tr.gettext(RELAXED.get(closest.dropped, RELAXED["topics"]))
    shown = [_card(item, state, ctx) for item in closest.matches[:PAGE]]
    relaxed = closest.dropped if closest.dropped in RELAXED else None
    text = tr.gettext("These do not match every answer you gave.") + _contact(state, ctx)
    return Outcome(state, (Reply(intro), *shown, footer(state, ctx, text, relaxed=relaxed)),
                   _facts(state, offset, Found.RELAXED, closest.matches, ctx.index.postings))
