"""Typed answers: what the citizen wrote at a question, as the understanding layer reads it.

Every question takes typed text (``bot.understanding``): an answer is taken as if its button
were pressed; a navigation word ("retour", "назад", "c'est tout") navigates; a learning need
typed out of turn is kept as interest words and the same question is asked again; anything
else gets "I did not understand" with the closest options. A typed text is never a search that
skips the remaining questions.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from bot.engine import questions
from bot.engine.context import Context, Outcome, tr_of
from bot.engine.replies import Reply, in_rows
from bot.engine.state import AGE_BRACKETS, MAX_AGE, MAX_CHILDREN, Conversation, Step
from bot.understanding import closest, understand
from bot.understanding.normalise import fold
from catalog.vocabulary import AUDIENCES, TOPICS

# The question of the contract (``tremplin understand --question``) asked at each step.
ASKED: dict[Step, str] = {
    Step.WHO: "who", Step.CHILD_AGES: "child_ages", Step.AGE: "age",
    Step.SITUATION: "situation", Step.INTERESTS: "interests", Step.WHERE: "where",
    Step.NEIGHBOURHOOD: "where",
}
# The typed brackets of the contract, as the age buttons' codes.
_BRACKETS: dict[tuple[int, int | None], str] = {
    (0, 17): "u18", (18, 25): "18-25", (26, 44): "26-44", (45, 59): "45-59", (60, None): "60+"}
_SHOWN = 80  # characters of a not understood text quoted back
_NUMBER = re.compile(r"\d+")


def read(state: Conversation, typed: str, ctx: Context) -> Outcome | None:
    """``typed`` at the current question; ``None`` when no question is being asked."""
    question = ASKED.get(state.step)
    if question is None:
        return None
    found = understand(question, typed, state.language,
                       neighbourhoods=ctx.neighbourhoods, city=ctx.city)
    value = found.value or {}
    match found.kind:
        case "answer":
            return _answer(state, value, typed, ctx) or _unclear(state, typed, ctx)
        case "nav":
            return navigate(state, str(value.get("nav")), ctx)
        case "need":
            return _need(state, str(value.get("words", typed)), ctx)
    return _out_of_range(state, typed, ctx) or _unclear(state, typed, ctx)


def navigate(state: Conversation, where: str, ctx: Context) -> Outcome:
    """Back, skip, done (the questions with several choices) or restart, typed or as /back."""
    match where:
        case questions.BACK if state.step == Step.WHO:
            return questions.ask(state, ctx)  # nothing before the first question: asked again
        case questions.BACK:
            return questions.back(state, ctx)
        case questions.DONE:
            return questions.advance(state, ctx)
        case "restart":
            return questions.ask(replace(state, step=Step.WHO, editing=False), ctx)
    return questions.advance(state, ctx, skipped=True)


def _answer(state: Conversation, value: dict[str, Any], typed: str,
            ctx: Context) -> Outcome | None:
    """The answer taken as its button would be; ``None`` when it does not fit the question."""
    tr = tr_of(state)
    match state.step:
        case Step.WHO if "who" in value:
            return questions.press(state, str(value["who"]), ctx)
        case Step.AGE if "age" in value:
            if not 0 <= int(value["age"]) <= MAX_AGE:
                return questions.ask(state, ctx, Reply(tr.gettext(
                    "Please type an age between 0 and {maximum}.").format(maximum=MAX_AGE)))
            return questions.advance(state.with_answers(age=int(value["age"]), age_bracket=None),
                                     ctx)
        case Step.AGE if "age_range" in value:
            low, high = value["age_range"]
            bracket = _BRACKETS.get((low, high))
            if bracket in AGE_BRACKETS:
                return questions.press(state, bracket, ctx)
            # Another span ("in my thirties"): the age in its middle, or its start when open.
            age = min(low if high is None else (low + high) // 2, MAX_AGE)
            return questions.advance(state.with_answers(age=age, age_bracket=None), ctx)
        case Step.CHILD_AGES if value.get("child_ages"):
            ages = [int(age) for age in value["child_ages"]]
            if any(not 0 <= age <= questions.MAX_CHILD_AGE for age in ages):
                return questions.ask(state, ctx, Reply(tr.gettext(
                    "Please type ages between 0 and {maximum}.").format(
                        maximum=questions.MAX_CHILD_AGE)))
            unique = tuple(sorted(set(ages)))[:MAX_CHILDREN]
            return questions.advance(state.with_answers(child_ages=unique), ctx)
        case Step.SITUATION if "situations" in value:
            chosen = {str(code) for code in value["situations"]}
            situations = tuple(code for code in AUDIENCES if code in chosen)
            return questions.advance(state.with_answers(situations=situations), ctx)
        case Step.INTERESTS if value.get("topics"):
            chosen = set(state.answers.topics) | {str(code) for code in value["topics"]}
            topics = tuple(code for code in TOPICS if code in chosen)
            # The words are kept too: "conférences d'histoire" says more than "history".
            changed = state.with_answers(topics=topics, text=typed)
            noted = Reply(tr.gettext("Noted: “{text}”.").format(text=changed.answers.text))
            return questions.advance(changed, ctx).after(noted)
        case Step.WHERE | Step.NEIGHBOURHOOD if value.get("where") in ("online", "anywhere"):
            return questions.press(replace(state, step=Step.WHERE), str(value["where"]), ctx)
        case Step.WHERE | Step.NEIGHBOURHOOD if value.get("neighbourhood") in ctx.neighbourhoods:
            return questions.pick_neighbourhood(state, str(value["neighbourhood"]), ctx)
    return None


def _out_of_range(state: Conversation, typed: str, ctx: Context) -> Outcome | None:
    """An age no one has ("250"), or a child's age past the children's offers: say the range."""
    numbers = [int(found) for found in _NUMBER.findall(fold(typed))]
    tr = tr_of(state)
    if state.step == Step.AGE and any(number > MAX_AGE for number in numbers):
        return questions.ask(state, ctx, Reply(tr.gettext(
            "Please type an age between 0 and {maximum}.").format(maximum=MAX_AGE)))
    if state.step == Step.CHILD_AGES and any(n > questions.MAX_CHILD_AGE for n in numbers):
        return questions.ask(state, ctx, Reply(tr.gettext(
            "Please type ages between 0 and {maximum}.").format(maximum=questions.MAX_CHILD_AGE)))
    return None


def _need(state: Conversation, words: str, ctx: Context) -> Outcome:
    """A learning need: the interests' words; at other questions, the same question again."""
    tr = tr_of(state)
    kept = state.with_answers(text=words)
    noted = Reply(tr.gettext("Noted: “{text}”.").format(text=kept.answers.text))
    if state.step == Step.INTERESTS:
        return questions.advance(kept, ctx).after(noted)
    return questions.ask(kept, ctx, noted)


def _unclear(state: Conversation, typed: str, ctx: Context) -> Outcome:
    """Not understood: said plainly, with the options nearest to the text, then the question."""
    tr = tr_of(state)
    options = [button for row in questions.prompt(state, ctx).buttons for button in row
               if not button.label.startswith(questions.TICK)]
    nearest = [options[i] for i in closest(typed, [button.label for button in options])]
    shown = typed if len(typed) <= _SHOWN else typed[:_SHOWN] + "…"
    said = Reply(tr.gettext("I did not understand “{text}”.").format(text=shown),
                 buttons=in_rows(nearest) if nearest else ())
    return questions.ask(state, ctx, said)

