"""The dialogue engine: one pure step from (state, input) to (state, replies, effects).

No I/O, no Telegram, no database: the storage (``bot.chats.conversations``) loads the state, calls
:func:`step`, applies the effects and saves the new state in one transaction. Every input gets
an answer, and every answer ends with buttons: the citizen is never left without a way forward.
"""

from __future__ import annotations

import math
from dataclasses import replace

from bot.engine import actions, alerts, commands, followups, offers, questions, results, typed
from bot.engine.context import Context, Effect, Outcome, Record, SaveFavourite, tr_of
from bot.engine.direction import for_reading
from bot.engine.inputs import (
    Command,
    Input,
    Press,
    SharedLocation,
    Start,
    Text,
    Unsupported,
    sanitise,
)
from bot.engine.replies import ACTION_LIMIT, Reply
from bot.engine.state import Conversation, Step
from bot.understanding import understand
from catalog.geo import haversine_km
from catalog.i18n import LANGUAGES
from catalog.offer import Offer
from catalog.stats.facts import Kind

__all__ = ["Context", "Effect", "Outcome", "step"]

# Before these steps, a shared location is noted and the questions go on.
_BEFORE_WHERE = frozenset({Step.WHO, Step.CHILD_AGES, Step.AGE, Step.SITUATION, Step.INTERESTS})
# Navigation as a command, at a question: /back, and its French spelling.
_NAV_COMMANDS = {"back": questions.BACK, "retour": questions.BACK, "skip": questions.SKIP,
                 "passer": questions.SKIP}
# A location further than this from every place of the catalogue says nothing about which
# offers are near: the citizen is elsewhere (or the position is wrong), so "anywhere" is used.
FAR_KM = 50.0


def step(state: Conversation, event: Input, context: Context) -> Outcome:
    """The conversation's answer to one input."""
    outcome = _answer(state, event, context)
    replies = for_reading(outcome.replies, outcome.state.language)
    return outcome if replies == outcome.replies else replace(outcome, replies=replies)


def _answer(state: Conversation, event: Input, context: Context) -> Outcome:
    event = sanitise(event)
    if state.pending == "forget" and isinstance(event, Text):
        # "yes", "oui", "evet", "нет" typed answer the confirmation as its buttons would.
        answer = _confirmation(state, event.text, context)
        if answer is not None:
            event = Press(f"forget:{answer}")
    confirming = isinstance(event, Press) and event.action.startswith("forget:")
    if state.pending and not confirming:
        # Anything but the confirmation buttons abandons the confirmation.
        state = replace(state, pending=None)
    outcome = _dispatch(state, event, context)
    if outcome.forgets or outcome.state.greeted:
        return outcome
    # A first message that is not /start (a typed question, an old button) is greeted too.
    greeted = replace(outcome, state=replace(outcome.state, greeted=True))
    return greeted.after(commands.greeting(outcome.state, context))


def _dispatch(state: Conversation, event: Input, ctx: Context) -> Outcome:
    match event:
        case Start(payload=payload):
            return commands.start(state, payload, ctx)
        case Command(name=name) if name in _NAV_COMMANDS and state.step in typed.ASKED:
            return typed.navigate(state, _NAV_COMMANDS[name], ctx)
        case Command(name=name, argument=argument):
            return commands.run(state, name, argument, ctx)
        case Press(action=action):
            return _press(state, action, ctx) or _expired(state, ctx)
        case Text(text=text):
            if not text:
                return _say(state, ctx, tr_of(state).gettext(
                    "I did not get any text. Type a few words, or use the buttons."))
            # At a question the text answers it; elsewhere (results, idle) it is a search.
            return typed.read(state, text, ctx) or commands.search(state, text, ctx)
        case SharedLocation(latitude=latitude, longitude=longitude):
            return _location(state, latitude, longitude, ctx)
        case Unsupported():
            return _say(state, ctx, tr_of(state).gettext(
                "I can only read text, buttons and locations. Please type your answer, "
                "or use the buttons."))
    raise TypeError(f"not an input: {event!r}")  # pragma: no cover - the union is closed


def _confirmation(state: Conversation, text: str, ctx: Context) -> str | None:
    """``yes`` or ``no`` for a typed answer to "erase everything?", ``None`` for other text."""
    found = understand("confirm", text, state.language, neighbourhoods=ctx.neighbourhoods,
                       city=ctx.city)
    if found.kind != "answer" or found.value is None:
        return None
    return "yes" if found.value.get("confirm") is True else "no"


def _say(state: Conversation, ctx: Context, text: str) -> Outcome:
    return Outcome(state, (Reply(text), *commands.here(state, ctx)))


def _expired(state: Conversation, ctx: Context) -> Outcome:
    return _say(state, ctx, tr_of(state).gettext("This button has expired. Here is where we are:"))


def _location(state: Conversation, latitude: float, longitude: float, ctx: Context) -> Outcome:
    tr = tr_of(state)
    if not (math.isfinite(latitude) and math.isfinite(longitude)
            and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        return _say(state, ctx, tr.gettext("This location does not look right."))
    point = (latitude, longitude)
    places = ctx.neighbourhoods.values()
    if places and min(haversine_km(point, place) for place in places) > FAR_KM:
        anywhere = state.with_answers(where="anywhere", location=None, neighbourhood=None)
        far = Reply(tr.gettext("This place is far from {city}: I will look for offers anywhere "
                               "in {city}.").format(city=ctx.city))
        if state.step in _BEFORE_WHERE:
            return Outcome(anywhere, (far, *commands.here(anywhere, ctx)))
        return results.show(anywhere, ctx).after(far, effects=_where_answered(anywhere))
    located = state.with_answers(where="location", location=point, neighbourhood=None)
    if state.step in _BEFORE_WHERE:
        return _say(located, ctx, tr.gettext("Thank you, I noted your location."))
    return results.show(located, ctx).after(effects=_where_answered(located))


def _where_answered(state: Conversation) -> tuple[Effect, ...]:
    """A location shared at the "where" question answers it (elsewhere it changes it)."""
    if state.step in (Step.WHERE, Step.NEIGHBOURHOOD):
        return (questions.answered(state),)
    return ()


def _press(state: Conversation, action: str, ctx: Context) -> Outcome | None:
    """A button; ``None`` when it is forged, malformed or stale."""
    if not action.isascii() or len(action.encode()) > ACTION_LIMIT:
        return None
    verb, argument = actions.split(action)
    match verb:
        case "go":
            return _go(state, argument, ctx)
        case "more" if state.step == Step.RESULTS:
            return results.show(state, ctx, offset=state.offset + results.PAGE)
        case "free" if argument in ("on", "off"):
            return results.show(state.with_answers(free_only=argument == "on"), ctx)
        case "relax":
            relaxed = results.relax(state, argument)
            return results.show(relaxed, ctx) if relaxed else None
        case "lang" if argument in LANGUAGES:
            return commands.set_language(state, argument, ctx)
        case "forget":
            return commands.confirm_forget(state, ctx, argument)
        case "alerts":
            return alerts.press(state, argument, ctx)
        case followups.ANSWER | followups.WHY | "followups":
            return followups.press(state, verb, argument, ctx)
        case "edit":
            return commands.edit(state, argument, ctx)
        case _ if verb in actions.OFFER_VERBS:
            return _offer(state, verb, argument, ctx)
        case _ if verb == state.step.value and state.step in questions.QUESTIONS:
            return questions.press(state, argument, ctx)
    return None


def _go(state: Conversation, where: str, ctx: Context) -> Outcome | None:
    match where:
        case "start":
            return commands.start(state, None, ctx, greet=False)
        case "refine":
            return questions.ask(replace(state, step=Step.WHO, editing=False), ctx)
        case "results":
            # From a results page (its details, /profile...), back to that same page.
            offset = state.offset if state.step == Step.RESULTS else 0
            return results.show(state, ctx, offset=offset)
        case "favs":
            return offers.favourites(state, ctx, commands.menu(state))
        case "help":
            return commands.show_help(state, ctx)
        case "forget":
            return commands.ask_forget(state)
    return None


def _offer(state: Conversation, verb: str, ref: str, ctx: Context) -> Outcome | None:
    offer_id = offers.resolve(ref, ctx)
    if offer_id is None:
        return None
    if verb == actions.UNSAVE:
        return offers.unsave(state, offer_id, ctx)
    offer = ctx.index.get(offer_id)
    if offer is None:
        return _say(state, ctx, tr_of(state).gettext("This offer is no longer available."))
    if verb == actions.SAVE:
        saved = offers.save(state, offer_id, ctx)
        # Counted only when it was saved now (not already saved, nor the list full).
        if not any(isinstance(effect, SaveFavourite) for effect in saved.effects):
            return saved
        return saved.after(effects=(_about(Kind.SAVED, offer),))
    if verb == actions.MAP:
        shown = offers.show_map(state, offer, ctx)
        return shown.after(effects=(_about(Kind.MAP, offer),)) if shown else None
    if verb == actions.CALENDAR:
        return offers.calendar(state, offer, ctx)
    return offers.details(state, offer, ctx).after(effects=(_about(Kind.OPENED, offer),))


def _about(kind: Kind, offer: Offer) -> Record:
    """The statistics' fact of an action on one offer."""
    return Record(kind, {"offer": offer.id, "missions": offer.missions})
