"""The Mermaid diagram next to the engine names exactly the states the code has."""

from __future__ import annotations

import re
from pathlib import Path

from bot.engine.state import Step

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
