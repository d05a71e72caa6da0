"""One input from the citizen, as the engine sees it, and the hygiene applied to its text.

Front ends build these from whatever they receive (a Telegram update, a line in the terminal);
everything in them is untrusted, so :func:`clean` runs on every text before the engine reads it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Longest text the engine keeps from one message: a search is a few words; a 10,000-character
# paste must not slow matching down nor be stored whole.
TEXT_LIMIT = 500
# Longer payloads and actions are forged: Telegram caps both at 64 bytes.
PAYLOAD_LIMIT = 64
COMMAND_LIMIT = 32


@dataclass(frozen=True, slots=True)
class Start:
    """``/start``, maybe with a deep-link payload (``topic-digital``, ``offer-<id>``...)."""

    payload: str | None = None


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command other than ``/start``: ``name`` without the slash, lower case."""

    name: str
    argument: str = ""


@dataclass(frozen=True, slots=True)
class Press:
    """A button pressed: its action string, untrusted (it may be forged or stale)."""

    action: str


@dataclass(frozen=True, slots=True)
class Text:
    """Free text typed by the citizen."""

    text: str


@dataclass(frozen=True, slots=True)
class SharedLocation:
    """A location shared by the citizen."""

    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Unsupported:
    """Something the engine cannot read (``voice``, ``sticker``, ``photo``...)."""

    kind: str


Input = Start | Command | Press | Text | SharedLocation | Unsupported

# Format characters (Cf) are kept: right-to-left marks and zero-width joiners belong to
# Arabic text and to emoji sequences. Other controls, unassigned and surrogate code points go.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn"})


def clean(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text`` in NFC, without control characters, whitespace collapsed, cut to ``limit``."""
    text = unicodedata.normalize("NFC", text[: limit * 4])
    kept = "".join(
        " " if char in "\t\n\r\v\f" else char
        for char in text
        if char in "\t\n\r\v\f" or unicodedata.category(char) not in _DROPPED_CATEGORIES
    )
    return " ".join(kept.split())[:limit].strip()


def sanitise(event: Input) -> Input:
    """The same input with its texts cleaned and its sizes bounded."""
    match event:
        case Text(text=text):
            return Text(clean(text))
        case Command(name=name, argument=argument):
            return Command(clean(name, COMMAND_LIMIT).lower().lstrip("/"), clean(argument))
        case Start(payload=payload):
            return Start(clean(payload, PAYLOAD_LIMIT) if payload else None)
        case Press(action=action):
            return Press(clean(action, PAYLOAD_LIMIT * 2))
        case Unsupported(kind=kind):
            return Unsupported(clean(kind, COMMAND_LIMIT))
        case SharedLocation():
            return event
    raise TypeError(f"not an input: {event!r}")  # pragma: no cover - the union is closed
