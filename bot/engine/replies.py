"""What the engine asks a front end to show: plain text and abstract buttons, never markup.

Front ends escape and format these (HTML for Telegram, numbered lines in the terminal); the
engine never knows which one renders it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Telegram's limit on callback data; every action the engine makes fits (checked by a test).
ACTION_LIMIT = 64


@dataclass(frozen=True, slots=True)
class Button:
    """A button: ``action`` comes back as a ``Press`` (ASCII, <= 64 bytes); ``url`` opens a page."""

    label: str
    action: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Venue:
    """A place to show on a map."""

    latitude: float
    longitude: float
    title: str
    address: str


@dataclass(frozen=True, slots=True)
class Document:
    """A file to send (a calendar): its name, media type and bytes."""

    file_name: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Reply:
    """One message.

    ``replaces_previous``: the reply re-renders the keyboard just pressed (a multi-select
    toggle); a front end that can edits that message instead of sending a new one.
    ``ask_location``: the label of the front end's "share my location" control to offer with
    this message (translated, like every label), or ``None``.
    """

    text: str
    title: str | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()
    ask_location: str | None = None
    venue: Venue | None = None
    document: Document | None = None
    replaces_previous: bool = False

    def all_buttons(self) -> list[Button]:
        """The buttons row after row, in reading order."""
        return [button for row in self.buttons for button in row]


def in_rows(buttons: list[Button], per_row: int = 2) -> tuple[tuple[Button, ...], ...]:
    """``buttons`` laid out ``per_row`` to a row (short labels side by side on a phone)."""
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))
