"""The Mermaid diagram next to the engine: exactly the states the code has, and exactly its
moves: every arrow is a real transition of the engine, every transition is an arrow."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conversation_helpers import context

from bot.engine.dialogue import step
from bot.engine.inputs import Command, Input, Press, Start, Text
from bot.engine.questions import QUESTIONS, transitions
from bot.engine.state import Answers, Conversation, Step

DIAGRAM = Path(__file__).resolve().parent.parent / "bot" / "engine" / "conversation.mmd"
_TRANSITION = re.compile(r"^\s*(\[\*\]|\w+)\s*-->\s*(\[\*\]|\w+)\s*(?::.*)?$")
_STATE = re.compile(r"^\s*state\s+(?:\"[^\"]*\"\s+as\s+)?(\w+)")


def diagram_states() -> tuple[set[str], list[tuple[str, str]]]:
    """The states the diagram names, and its transitions."""
    states: set[str] = set()
    transitions: list[tuple[str, str]] = []
    for line in DIAGRAM.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("%%"):
            continue
        if found := _TRANSITION.match(line):
            transitions.append((found[1], found[2]))
            states |= {found[1], found[2]} - {"[*]"}
        elif found := _STATE.match(line):
            states.add(found[1])
    return states, transitions


def test_the_diagram_is_a_mermaid_state_diagram() -> None:
    assert "stateDiagram-v2" in DIAGRAM.read_text(encoding="utf-8")


def test_every_state_in_the_code_is_in_the_diagram_and_vice_versa() -> None:
    states, _ = diagram_states()
    assert states == {step.value for step in Step}


def test_every_state_is_reachable_and_can_be_left() -> None:
    states, transitions = diagram_states()
    sources = {source for source, _ in transitions}
    targets = {target for _, target in transitions}
    assert states <= targets and states <= sources


# ---- the arrows are the engine's own moves

# Arrows that are not moves between questions, each with the input that makes it from a
# conversation at its first state; the test replays it through the real engine.
_CANCEL = (Command("cancel"),)
WITNESSES: dict[tuple[str, str], tuple[Input, ...]] = {
    ("idle", "who"): (Start(),),
    ("idle", "results"): (Text("atelier informatique"),),
    ("situation", "situation"): (Press("situation:student"),),
    ("interests", "interests"): (Press("interests:digital"),),
    ("where", "neighbourhood"): (Press("where:neighbourhood"),),
    ("results", "results"): (Text("atelier informatique"),),
    ("results", "who"): (Press("go:refine"),),
    **{("results", question): (Press(f"edit:{question}"),)
       for question in ("who", "child_ages", "age", "situation", "interests", "where")},
    **{(state, "idle"): _CANCEL
       for state in ("who", "child_ages", "age", "situation", "interests", "where",
                     "neighbourhood", "results")},
    ("idle", "[*]"): (Command("forget"), Press("forget:yes")),
    ("results", "[*]"): (Command("forget"), Press("forget:yes")),
}


def _diagram_edges() -> set[tuple[str, str]]:
    return set(diagram_states()[1])


def _replay(source: str, inputs: tuple[Input, ...]) -> str:
    """The state the engine is in after ``inputs`` from a conversation at ``source``."""
    ctx = context()
    state = Conversation(step=Step(source), language="en", greeted=True,
                         answers=Answers(who="me", age=30))
    for event in inputs:
        outcome = step(state, event, ctx)
        if outcome.forgets:
            return "[*]"
        state = outcome.state
    return state.step.value


def test_every_move_between_questions_is_an_arrow() -> None:
    moves = {(a.value, b.value) for a, b in transitions()}
    assert moves - _diagram_edges() == set()


def test_every_arrow_is_a_move_of_the_engine() -> None:
    moves = {(a.value, b.value) for a, b in transitions()}
    unexplained = _diagram_edges() - moves - set(WITNESSES) - {("[*]", "idle")}
    assert unexplained == set()
    assert Conversation().step == Step.IDLE  # [*] --> idle


@pytest.mark.parametrize(("edge", "inputs"), list(WITNESSES.items()), ids=str)
def test_each_other_arrow_is_what_the_engine_does(
    edge: tuple[str, str], inputs: tuple[Input, ...]
) -> None:
    assert edge in _diagram_edges()
    source, target = edge
    assert _replay(source, inputs) == target


def test_every_state_can_be_cancelled_and_every_question_edited_in_the_diagram() -> None:
    # The moves made by commands and buttons from many states, as the engine allows them.
    edges = _diagram_edges()
    for question in QUESTIONS - {Step.NEIGHBOURHOOD}:
        assert _replay("results", (Press(f"edit:{question.value}"),)) == question.value
        assert ("results", question.value) in edges
    for state in set(Step) - {Step.IDLE}:
        assert _replay(state.value, _CANCEL) == "idle"
        assert (state.value, "idle") in edges
