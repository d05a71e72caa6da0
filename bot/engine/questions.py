"""The five questions: how each is asked and how its buttons are read (typed text: ``typed``).

Who it is for (then the children's ages), age, situation, interests, where (then maybe a
neighbourhood). Every question can be skipped and has a way back; the order is derived from the
answers (a parent asking for a child is not asked their own age), never from a history stack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.engine import actions, results
from bot.engine.context import Context, Outcome, Record, tr_of
from bot.engine.replies import Button, Reply, in_rows
from bot.engine.state import AGE_BRACKETS, WHO_CHOICES, Answers, Conversation, Step
from catalog.i18n import N_, Translator
from catalog.stats.facts import Kind, age_bracket
from catalog.vocabulary import AUDIENCES, TOPICS

BACK, SKIP, DONE, NONE = "back", "skip", "done", "none"
TICK = "✓ "
MAX_CHILD_AGE = 25

WHO_LABELS: dict[str, str] = {
    "me": N_("Me"),
    "child": N_("My child"),
    "family": N_("My family"),
}

AGE_LABELS: dict[str, str] = {
    "u18": N_("Under 18"),
    "18-25": N_("18 to 25"),
    "26-44": N_("26 to 44"),
    "45-59": N_("45 to 59"),
    "60+": N_("60 or over"),
}

WHERE_LABELS: dict[str, str] = {
    "neighbourhood": N_("Pick a neighbourhood"),
    "online": N_("Online only"),
    "anywhere": N_("Anywhere in {city}"),
}


def next_step(state: Conversation) -> Step:
    """The question after the current one (``RESULTS`` after the last)."""
    who = state.answers.who
    match state.step:
        case Step.WHO:
            return Step.CHILD_AGES if who in ("child", "family") else Step.AGE
        case Step.CHILD_AGES:
            # Asking for a child, the parent's own age is not needed: we do not collect it.
            return Step.SITUATION if who == "child" else Step.AGE
        case Step.AGE:
            return Step.SITUATION
        case Step.SITUATION:
            return Step.INTERESTS
        case Step.INTERESTS:
            return Step.WHERE
        case _:
            return Step.RESULTS


def previous_step(state: Conversation) -> Step:
    """The question before the current one; the first question has none (``WHO``)."""
    who = state.answers.who
    match state.step:
        case Step.AGE:
            return Step.CHILD_AGES if who in ("child", "family") else Step.WHO
        case Step.SITUATION:
            return Step.CHILD_AGES if who == "child" else Step.AGE
        case Step.INTERESTS:
            return Step.SITUATION
        case Step.WHERE:
            return Step.INTERESTS
        case Step.NEIGHBOURHOOD | Step.RESULTS:
            return Step.WHERE
        case _:
            return Step.WHO


def following_step(state: Conversation) -> Step:
    """Where answering (or skipping) the current question leads: the next question, or the
    results after the last one and after one answer edited from /profile (unless that answer
    needs its follow-up: the children's ages after "my child")."""
    following = next_step(state)
    if state.editing and following != Step.CHILD_AGES:
        return Step.RESULTS
    return following


def transitions() -> frozenset[tuple[Step, Step]]:
    """Every move between the questions, as (from, to): an answer or a skip
    (:func:`following_step`) and "Back" (:func:`previous_step`), for every answer to "who",
    editing or not. ``conversation.mmd`` draws each of them (tests/test_diagram.py)."""
    moves: set[tuple[Step, Step]] = set()
    for step in QUESTIONS:
        for who in (None, *WHO_CHOICES):
            for editing in (False, True):
                state = Conversation(step=step, answers=Answers(who=who), editing=editing)
                moves.add((step, following_step(state)))
                if step != Step.WHO:  # the first question has no "Back" button
                    moves.add((step, previous_step(state)))
    return frozenset(moves)


def _ticked(label: str, on: bool) -> str:
    return TICK + label if on else label


def _nav(state: Conversation, tr: Translator, *, done: bool = False) -> tuple[Button, ...]:
    step = state.step.value
    row = [] if state.step == Step.WHO else [Button(tr.gettext("Back"), f"{step}:{BACK}")]
    row.append(Button(tr.gettext("Skip"), f"{step}:{SKIP}"))
    if done:
        row.append(Button(tr.gettext("Done"), f"{step}:{DONE}"))
    return tuple(row)


def _who(state: Conversation, ctx: Context, tr: Translator) -> Reply:
    buttons = [Button(_ticked(tr.gettext(WHO_LABELS[code]), state.answers.who == code),
                      f"who:{code}") for code in WHO_CHOICES]
    return Reply(tr.gettext("Who is it for?"), buttons=(tuple(buttons), _nav(state, tr)))


def _child_ages(state: Conversation, ctx: Context, tr: Translator) -> Reply:
    if state.answers.who == "child":
        text = tr.gettext("How old is your child? Type the age, for example: 7.")
    else:
        text = tr.gettext("How old are the children? Type their ages, for example: 3 and 7.")
    if state.answers.child_ages:
        ages = ", ".join(map(str, state.answers.child_ages))
        text += "\n" + tr.gettext("Your answer so far: {ages}").format(ages=ages)
    return Reply(text, buttons=(_nav(state, tr),))


def _age(state: Conversation, ctx: Context, tr: Translator) -> Reply:
    answers = state.answers
    if answers.who == "family":
        text = tr.gettext("And how old are you?")
    else:
        text = tr.gettext("How old are you?")
    text += " " + tr.gettext("Pick a range, or type your age.")
    if answers.age is not None and answers.age_bracket is None:
        text += "\n" + tr.gettext("Your answer so far: {age}").format(age=answers.age)
    buttons = [Button(_ticked(tr.gettext(label), answers.age_bracket == code), f"age:{code}")
               for code, label in AGE_LABELS.items()]
    return Reply(text, buttons=(*in_rows(buttons), _nav(state, tr)))


def _situation(state: Conversation, ctx: Context, tr: Translator) -> Reply:
    text = tr.gettext(
        "What is your situation? Tick all that apply, then press Done. "
        "Only if you wish: every answer is optional."
    )
    buttons = [Button(_ticked(tr.gettext(label), code in state.answers.situations),
                      f"situation:{code}") for code, label in AUDIENCES.items()]
    # Disability and being new in France are sensitive: "prefer not to say" and "skip" are
    # always there, and no result ever depends on answering.
    rows = (*in_rows(buttons), (Button(tr.gettext("Prefer not to say"), f"situation:{NONE}"),))
    return Reply(text, buttons=(*rows, _nav(state, tr, done=True)))


def _interests(state: Conversation, ctx: Context, tr: Translator) -> Reply:
    text = tr.gettext(
        "What would you like to learn? Tick one or more topics, then press Done. "
        "Or type it in your own words, for example: “use a smartphone”, “learn English”."
    )
    if state.answers.text:
        text += "\n" + tr.gettext("You wrote: “{text}”").format(text=state.answers.text)
    buttons = [Button(_ticked(tr.gettext(label), code in state.answers.topics),
                      f"interests:{code}") for code, label in TOPICS.items()]
    return Reply(text, buttons=(*in_rows(buttons), _nav(state, tr, done=True)))


def _where(state: Conversation, ctx: Context, tr: Translator) -> Reply:
    answers = state.answers
    text = tr.gettext(
        "Where would you like to learn? Share your location to see what is near you, "
        "or choose below."
    )
    if answers.where == "location" and answers.location:
        text += "\n" + tr.gettext("Your answer so far: near the place you shared.")
    # Sharing a location is the front end's own control (ask_location), not a button.
    choices = [code for code in WHERE_LABELS if code != "neighbourhood" or ctx.neighbourhoods]
    buttons = [Button(_ticked(tr.gettext(WHERE_LABELS[code]).format(city=ctx.city),
                              answers.where == code), f"where:{code}") for code in choices]
    return Reply(
        text,
        buttons=(*in_rows(buttons), _nav(state, tr)),
        ask_location=tr.gettext("📍 Share my location"),
    )


def _neighbourhood(state: Conversation, ctx: Context, tr: Translator) -> Reply:
    answers = state.answers
    buttons = [
        Button(_ticked(name, answers.where == "neighbourhood" and answers.neighbourhood == name),
               actions.name_action(Step.NEIGHBOURHOOD.value, name))
        for name in ctx.neighbourhoods
    ]
    return Reply(tr.gettext("Which neighbourhood?"), buttons=(*in_rows(buttons), _nav(state, tr)))


_PROMPTS: dict[Step, Callable[[Conversation, Context, Translator], Reply]] = {
    Step.WHO: _who,
    Step.CHILD_AGES: _child_ages,
    Step.AGE: _age,
    Step.SITUATION: _situation,
    Step.INTERESTS: _interests,
    Step.WHERE: _where,
    Step.NEIGHBOURHOOD: _neighbourhood,
}
QUESTIONS: frozenset[Step] = frozenset(_PROMPTS)


def prompt(state: Conversation, ctx: Context, *, toggled: bool = False) -> Reply:
    """The current question, its buttons showing the answers already given.

    ``toggled``: the question is shown again after a tick, in place of the previous keyboard.
    """
    reply = _PROMPTS[state.step](state, ctx, tr_of(state))
    return replace(reply, replaces_previous=toggled)


def ask(state: Conversation, ctx: Context, *replies: Reply) -> Outcome:
    """Move to ``state`` and ask its question, after ``replies``."""
    return Outcome(state, (*replies, prompt(state, ctx)))


def answered(state: Conversation, *, skipped: bool = False) -> Record:
    """The statistics' fact that the current question was answered: codes, never words.

    A typed age becomes its bracket; the children's ages, a neighbourhood's name and a
    location are not kept (only that the question was answered, and how: ``where`` codes).
    """
    answers = state.answers
    step = Step.WHERE if state.step == Step.NEIGHBOURHOOD else state.step
    codes: tuple[str, ...] = ()
    if not skipped:
        match step:
            case Step.WHO:
                codes = (answers.who,) if answers.who else ()
            case Step.AGE:
                bracket = answers.age_bracket or age_bracket(answers.age)
                codes = (bracket,) if bracket else ()
            case Step.SITUATION:
                codes = answers.situations
            case Step.INTERESTS:
                codes = answers.topics
            case Step.WHERE:
                codes = (answers.where,) if answers.where else ()
    return Record(Kind.ANSWERED, {"step": step.value, "codes": codes, "skipped": skipped})


def advance(state: Conversation, ctx: Context, *, skipped: bool = False) -> Outcome:
    """The question answered (or skipped): on to the next one, or to the results."""
    following = following_step(state)
    fact = answered(state, skipped=skipped)
    if following == Step.RESULTS:
        return results.show(replace(state, editing=False), ctx).after(effects=(fact,))
    return ask(replace(state, step=following), ctx).after(effects=(fact,))


def back(state: Conversation, ctx: Context) -> Outcome:
    """The previous question, answers kept."""
    return ask(replace(state, step=previous_step(state), editing=False), ctx)


def press(state: Conversation, value: str, ctx: Context) -> Outcome | None:
    """A button of the current question; ``None`` when it is not one of its buttons."""
    if value == BACK and state.step != Step.WHO:
        return back(state, ctx)
    if value == SKIP:
        return advance(state, ctx, skipped=True)
    answers = state.answers
    match state.step:
        case Step.WHO if value in WHO_CHOICES:
            changed = state.with_answers(
                who=value, child_ages=answers.child_ages if value != "me" else ())
            return advance(changed, ctx)
        case Step.AGE if value in AGE_BRACKETS:
            return advance(state.with_answers(age=AGE_BRACKETS[value], age_bracket=value), ctx)
        case Step.SITUATION | Step.INTERESTS if value == DONE:
            return advance(state, ctx)
        case Step.SITUATION if value == NONE:
            return advance(state.with_answers(situations=()), ctx)
        case Step.SITUATION if value in AUDIENCES:
            chosen = _toggle(answers.situations, value, AUDIENCES)
            changed = state.with_answers(situations=chosen)
            return Outcome(changed, (prompt(changed, ctx, toggled=True),))
        case Step.INTERESTS if value in TOPICS:
            changed = state.with_answers(topics=_toggle(answers.topics, value, TOPICS))
            return Outcome(changed, (prompt(changed, ctx, toggled=True),))
        case Step.WHERE if value in ("online", "anywhere"):
            return advance(state.with_answers(where=value, location=None, neighbourhood=None), ctx)
        case Step.WHERE if value == "neighbourhood" and ctx.neighbourhoods:
            return ask(replace(state, step=Step.NEIGHBOURHOOD), ctx)
        case Step.NEIGHBOURHOOD:
            name = actions.resolve_name(value, ctx.neighbourhoods)
            if name is not None:
                return pick_neighbourhood(state, name, ctx)
    return None


def _toggle(chosen: tuple[str, ...], code: str, vocabulary: dict[str, str]) -> tuple[str, ...]:
    flipped = set(chosen) ^ {code}
    # Kept in vocabulary order, so equal selections are equal states.
    return tuple(c for c in vocabulary if c in flipped)


def pick_neighbourhood(state: Conversation, name: str, ctx: Context) -> Outcome:
    """The citizen chose a neighbourhood: search around its centre."""
    changed = state.with_answers(where="neighbourhood", neighbourhood=name, location=None)
    return results.show(replace(changed, editing=False), ctx).after(effects=(answered(changed),))
