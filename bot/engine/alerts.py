"""Alerts on new offers, the citizen's side: ``/alerts``, consent, and the digest they receive.

A subscription keeps what the alerts match on and nothing more (:func:`watch_of`): the codes of
the answers and the keywords of what was typed, stripped of personal data; never the typed text
itself nor a shared location. The job that writes and sends digests is ``bot.alerts``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.engine import actions
from bot.engine.context import Context, Outcome, SetAlerts, tr_of
from bot.engine.replies import Button, Reply
from bot.engine.state import Conversation
from catalog.i18n import N_, translator
from catalog.matching.profile import Profile
from catalog.offer import Offer
from catalog.stats.keywords import search_keywords

# The consent, in one sentence of what is kept (also in /privacy).
KEPT = N_("With alerts on, I keep the codes of your answers, the keywords you typed (never "
          "your own sentences), your language and when I last wrote to you, and I write at "
          "most once a week, never at night.")
# The digest's offers, best first; the rest wait for the "more" button.
DIGEST_SIZE = 3
_LABEL = 40


def watch_of(state: Conversation) -> dict[str, object] | None:
    """What a subscription keeps of the answers; ``None`` when they say nothing to watch for
    (neither an interest nor a keyword)."""
    answers = state.answers
    words = search_keywords(answers.text)
    if not answers.topics and not words:
        return None
    where: str | None = None
    if answers.where == "online":
        where = "online"
    elif answers.where == "neighbourhood" and answers.neighbourhood:
        where = answers.neighbourhood
    return {
        "topics": list(answers.topics),
        "situations": list(answers.situations),
        "words": words,
        "age": answers.age,
        "child_ages": list(answers.child_ages) if answers.who != "me" else [],
        "where": where,
        "free_only": answers.free_only,
    }


def _ints(value: object) -> tuple[int, ...]:
    return tuple(item for item in value if isinstance(item, int)) if isinstance(
        value, list) else ()


def _codes(value: object) -> frozenset[str]:
    return frozenset(item for item in value if isinstance(item, str)) if isinstance(
        value, list) else frozenset()


def profile_of(watch: Mapping[str, object], language: str,
               neighbourhoods: Mapping[str, tuple[float, float]]) -> Profile:
    """The matcher's profile of a stored ``watch`` (read defensively: it is stored JSON)."""
    where = watch.get("where")
    age = watch.get("age")
    words = watch.get("words")
    return Profile(
        age=age if isinstance(age, int) else None,
        child_ages=_ints(watch.get("child_ages")),
        situations=_codes(watch.get("situations")),
        topics=_codes(watch.get("topics")),
        text=words if isinstance(words, str) else "",
        near=neighbourhoods.get(where) if isinstance(where, str) else None,
        free_only=watch.get("free_only") is True,
        online_only=where == "online",
        lang=language,
    )


def _menu(state: Conversation) -> tuple[Button, ...]:
    tr = tr_of(state)
    return (Button(tr.gettext("See offers"), "go:results"),
            Button(tr.gettext("Change my answers"), "go:refine"))


def status(state: Conversation, ctx: Context) -> Outcome:
    """``/alerts``: whether they are on, what they keep, and the switch."""
    tr = tr_of(state)
    if ctx.alerts:
        text = tr.gettext("Alerts are on: I tell you about new offers that fit your answers.")
        switch = Button(tr.gettext("Stop these alerts"), "alerts:off")
    else:
        text = tr.gettext("Alerts are off.")
        switch = Button(tr.gettext("Tell me about new offers like these"), "alerts:on")
    return Outcome(state, (Reply(f"{text}\n{tr.gettext(KEPT)}",
                                 buttons=((switch,), _menu(state))),))


def ask(state: Conversation, ctx: Context) -> Outcome:
    """The results' button: what would be kept, and the explicit yes."""
    if ctx.alerts:
        return status(state, ctx)
    tr = tr_of(state)
    buttons = ((Button(tr.gettext("Yes, tell me"), "alerts:on"),
                Button(tr.gettext("No, thank you"), "go:results")),)
    return Outcome(state, (Reply(tr.gettext(KEPT), buttons=buttons),))


def turn_on(state: Conversation, ctx: Context) -> Outcome:
    """Subscribe with the answers so far (``/alerts on`` or the consent's yes)."""
    tr = tr_of(state)
    watch = watch_of(state)
    if watch is None:
        text = tr.gettext("Tell me first what you would like to learn: answer the questions, "
                          "or type a few words.")
        return Outcome(state, (Reply(text, buttons=(_menu(state),)),))
    text = "\n".join((
        tr.gettext("Done: I will tell you about new offers that fit your answers."),
        tr.gettext(KEPT),
        tr.gettext("/alerts off stops them at any time."),
    ))
    buttons = ((Button(tr.gettext("Stop these alerts"), "alerts:off"),), _menu(state))
    return Outcome(state, (Reply(text, buttons=buttons),), (SetAlerts(watch),))


def turn_off(state: Conversation, ctx: Context) -> Outcome:
    """Unsubscribe: what alerts kept, and messages not sent yet, are erased."""
    tr = tr_of(state)
    text = tr.gettext("Alerts are off. I erased what they kept about you.")
    return Outcome(state, (Reply(text, buttons=(_menu(state),)),), (SetAlerts(None),))


def command(state: Conversation, argument: str, ctx: Context) -> Outcome:
    """``/alerts``, ``/alerts on``, ``/alerts off``."""
    match argument.strip().casefold():
        case "on":
            return turn_on(state, ctx)
        case "off":
            return turn_off(state, ctx)
    return status(state, ctx)


def press(state: Conversation, argument: str, ctx: Context) -> Outcome | None:
    """The buttons ``alerts:ask``, ``alerts:on`` and ``alerts:off``; ``None`` for others."""
    match argument:
        case "ask":
            return ask(state, ctx)
        case "on":
            return turn_on(state, ctx)
        case "off":
            return turn_off(state, ctx)
    return None


def digest(language: str, offers: Sequence[Offer], *, more: bool) -> Reply:
    """The weekly message: the best new offers (at most :data:`DIGEST_SIZE`), a button to open
    each, "more", and the one-tap stop."""
    tr = translator(language)
    shown = list(offers)[:DIGEST_SIZE]
    lines = [tr.gettext("New offers that fit your answers:")]
    lines += [f"• {offer.title_in(language)} — {offer.provider}" for offer in shown]
    lines.append(tr.gettext("/alerts off stops them at any time."))
    rows: list[tuple[Button, ...]] = [
        (Button(_short(offer.title_in(language)), actions.offer_action(actions.DETAILS, offer.id)),)
        for offer in shown
    ]
    if more:
        rows.append((Button(tr.gettext("More offers"), "go:results"),))
    rows.append((Button(tr.gettext("Stop these alerts"), "alerts:off"),))
    return Reply("\n".join(lines), buttons=tuple(rows))


def _short(title: str) -> str:
    return title if len(title) <= _LABEL else title[: _LABEL - 1].rstrip() + "…"
