"""Follow-ups, the citizen's side: "how did it go?" about an offer they looked at, and the switch.

About ten days after a citizen opened an offer's details, saved it or asked its map, the job
(``bot.alerts.followups``) sends :func:`question` once. Its buttons come back here: the answer
(and, for "I could not", a second tap for why) goes out as an :class:`AnswerFollowUp` effect,
which the storage keeps only for a follow-up really asked and not yet answered.
"""

from __future__ import annotations

from bot.engine import actions
from bot.engine.context import AnswerFollowUp, Context, Outcome, SetFollowUps, tr_of
from bot.engine.replies import ACTION_LIMIT, Button, Reply
from bot.engine.state import Conversation
from catalog.i18n import N_, Translator, translator
from catalog.offer import Offer

# What is kept, in one sentence (also in /privacy).
KEPT = N_("About ten days after you open, save or ask the map of an offer, I ask you once how "
          "it went, at most once a week: I keep that offer and the date until then, and your "
          "answer's code. /followups off stops it and erases them.")
# Button codes: an answer (``fu:<code>:<offer>``), then why they could not (``fw:...``).
ANSWER, WHY = "fu", "fw"
_ANSWERS: dict[str, tuple[str, str]] = {
    "y": ("useful", N_("I went, it was useful")),
    "n": ("not_for_me", N_("I went, not for me")),
    "w": ("not_yet", N_("Not yet")),
    "c": ("could_not", N_("I could not")),
}
_REASONS: dict[str, tuple[str, str]] = {
    "f": ("far", N_("Too far")),
    "u": ("full", N_("It was full")),
    "p": ("price", N_("The price")),
    "t": ("times", N_("The times")),
    "l": ("language", N_("The language")),
    "a": ("access", N_("Not accessible")),
    "o": ("other", N_("Something else")),
}
_HASHED = "#"


def _action(verb: str, code: str, offer_id: str) -> str:
    """``fu:<code>:<offer id>``, or the id's checksum when it does not fit in 64 bytes."""
    prefix = f"{verb}:{code}:"
    if len(prefix) + len(offer_id) <= ACTION_LIMIT and not offer_id.startswith(_HASHED):
        return prefix + offer_id
    return prefix + actions.offer_action("", offer_id)[1:]


def _offer_id(ref: str, ctx: Context) -> str | None:
    if not ref.startswith(_HASHED):
        return ref or None
    return actions.resolve_offer(ref, (offer.id for offer in ctx.index.offers))


def _menu(tr: Translator) -> tuple[Button, ...]:
    return (Button(tr.gettext("See offers"), "go:results"),
            Button(tr.gettext("Change my answers"), "go:refine"))


def question(language: str, offer: Offer, *, first: bool) -> Reply:
    """The one message about ``offer``; the first one ever also offers to stop them."""
    tr = translator(language)
    lines = [tr.gettext("About ten days ago you looked at “{title}” ({provider}). How did it "
                        "go?").format(title=offer.title_in(language), provider=offer.provider)]
    rows = [(Button(tr.gettext(_ANSWERS[code][1]), _action(ANSWER, code, offer.id)),)
            for code in _ANSWERS]
    if first:
        lines.append(tr.gettext("I ask only once per offer, at most once a week. /followups off "
                                "stops these questions."))
        rows.append((Button(tr.gettext("Stop these questions"), "followups:off"),))
    return Reply("\n".join(lines), buttons=tuple(rows))


def _missions(offer_id: str, ctx: Context) -> tuple[str, ...]:
    offer = ctx.index.get(offer_id)
    return offer.missions if offer is not None else ()


def answer(state: Conversation, argument: str, ctx: Context) -> Outcome | None:
    """A tap on one of the question's buttons; ``None`` for a forged one."""
    code, _, ref = argument.partition(":")
    offer_id = _offer_id(ref, ctx)
    if code not in _ANSWERS or offer_id is None:
        return None
    tr = tr_of(state)
    given, _label = _ANSWERS[code]
    effect = AnswerFollowUp(offer_id, _missions(offer_id, ctx), answer=given)
    if given == "could_not":
        rows = tuple((Button(tr.gettext(label), _action(WHY, reason, offer_id)),)
                     for reason, (_code, label) in _REASONS.items())
        reply = Reply(tr.gettext("I am sorry. What stopped you?"), buttons=rows)
        return Outcome(state, (reply,), (effect,))
    text = {
        "useful": tr.gettext("Thank you! I am glad it was useful."),
        "not_for_me": tr.gettext("Thank you for telling me. Shall we look for something else?"),
        "not_yet": tr.gettext("Thank you. The offer is in your results when you are ready."),
    }[given]
    return Outcome(state, (Reply(text, buttons=(_menu(tr),)),), (effect,))


def why(state: Conversation, argument: str, ctx: Context) -> Outcome | None:
    """The second tap after "I could not"; ``None`` for a forged one."""
    code, _, ref = argument.partition(":")
    offer_id = _offer_id(ref, ctx)
    if code not in _REASONS or offer_id is None:
        return None
    tr = tr_of(state)
    effect = AnswerFollowUp(offer_id, _missions(offer_id, ctx), reason=_REASONS[code][0])
    text = tr.gettext("Thank you: this helps the city make its offers easier to reach.")
    return Outcome(state, (Reply(text, buttons=(_menu(tr),)),), (effect,))


def command(state: Conversation, argument: str, ctx: Context) -> Outcome:
    """``/followups`` (state), ``/followups on``, ``/followups off``; and their buttons."""
    tr = tr_of(state)
    match argument.strip().casefold():
        case "on":
            text = tr.gettext("Done: I will ask how an offer went, once per offer, at most once "
                              "a week.")
            switch = Button(tr.gettext("Stop these questions"), "followups:off")
            return Outcome(state, (Reply(f"{text}\n{tr.gettext(KEPT)}",
                                         buttons=((switch,), _menu(tr))),), (SetFollowUps(True),))
        case "off":
            text = tr.gettext("Follow-ups are off. I erased the offers I was going to ask you "
                              "about.")
            switch = Button(tr.gettext("Ask me how it went"), "followups:on")
            return Outcome(state, (Reply(text, buttons=((switch,), _menu(tr))),),
                           (SetFollowUps(False),))
    if ctx.followups:
        text = tr.gettext("Follow-ups are on.")
        switch = Button(tr.gettext("Stop these questions"), "followups:off")
    else:
        text = tr.gettext("Follow-ups are off.")
        switch = Button(tr.gettext("Ask me how it went"), "followups:on")
    return Outcome(state, (Reply(f"{text}\n{tr.gettext(KEPT)}",
                                 buttons=((switch,), _menu(tr))),))


def press(state: Conversation, verb: str, argument: str, ctx: Context) -> Outcome | None:
    """The buttons ``fu:...``, ``fw:...`` and ``followups:on|off``; ``None`` for others."""
    match verb:
        case "fu":
            return answer(state, argument, ctx)
        case "fw":
            return why(state, argument, ctx)
        case "followups" if argument in ("on", "off"):
            return command(state, argument, ctx)
    return None
