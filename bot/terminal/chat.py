"""``tremplin chat``: the conversation in the terminal, for trying it and for scripts.

Each reply is printed with its buttons lettered across the whole answer (a, b, c...); the citizen
types a button's letter or label, their own words, a ``/command``, or a position as ``LAT, LON``.
Letters, not numbers: a number is an answer ("2" at the child's age is a child of 2, not the
second button), so the keys of the buttons never collide with what a citizen types. Standard
input may be piped (one answer per line); the chat ends cleanly at the end of input.
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TextIO

from bot.chats.conversations import process
from bot.chats.database import open_database
from bot.engine.inputs import Command, Input, Press, SharedLocation, Start, Text
from bot.engine.replies import Button, Document, Reply
from catalog.i18n import Translator, translator
from catalog.matching.text import fold
from catalog.settings import Settings
from catalog.store.snapshot import CatalogSnapshot

# The terminal is one citizen talking in one chat.
TERMINAL_ID = 0
_POSITION = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,;]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
_TICK = "✓ "
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def key(position: int) -> str:
    """The letters of the button at ``position`` (0-based): a..z, then aa, ab..."""
    if position < len(_LETTERS):
        return _LETTERS[position]
    return key(position // len(_LETTERS) - 1) + _LETTERS[position % len(_LETTERS)]


def saved_document(document: Document) -> str:
    """Where the terminal saved a file the bot sent (a calendar), to open it from there."""
    folder = Path(tempfile.gettempdir()) / "tremplin"
    folder.mkdir(exist_ok=True)
    path = folder / Path(document.file_name).name
    path.write_bytes(document.content)
    return str(path)


def render(replies: Sequence[Reply], tr: Translator | None = None) -> tuple[str, list[Button]]:
    """The text to print for ``replies``, and the lettered buttons it shows, in order."""
    tr = tr or translator(None)
    lines: list[str] = []
    numbered: list[Button] = []
    for reply in replies:
        if reply.title:
            lines.append(f"== {reply.title} ==")
        lines.append(reply.text)
        if reply.venue is not None:
            venue = reply.venue
            lines.append(f"   [map] {venue.latitude:.5f}, {venue.longitude:.5f} "
                         f"https://www.openstreetmap.org/?mlat={venue.latitude:.5f}"
                         f"&mlon={venue.longitude:.5f}")
        if reply.document is not None:
            lines.append(f"   [{reply.document.file_name}] {saved_document(reply.document)}")
        for row in reply.buttons:
            cells: list[str] = []
            for button in row:
                if button.url:
                    cells.append(f"[{button.label}: {button.url}]")
                else:
                    numbered.append(button)
                    cells.append(f"{key(len(numbered) - 1)}. {button.label}")
            lines.append("   " + "   ".join(cells))
        if reply.ask_location:
            lines.append("   " + tr.gettext(
                "(To share a position, type it as LATITUDE, LONGITUDE, for example: "
                "45.7772, 3.0870)"))
        lines.append("")
    return "\n".join(lines), numbered


def _label(text: str) -> str:
    return fold(text.removeprefix(_TICK)).strip()


class CtrlC:
    """The chat's SIGINT handler: Ctrl-C ends the chat at the first press, without a traceback.

    ``asyncio.run``'s own handler only cancels the main task, which a blocking read of stdin
    never notices (on a terminal the first press was lost; on a pipe the read ended as if the
    input had, and the pending cancellation then broke the closing of the database). Here a
    press during a read interrupts it at once; during a step, the step ends first (a few
    milliseconds) and the chat stops before the next read. A second press interrupts anything.
    """

    def __init__(self) -> None:
        self.pressed = False
        self._reading = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self._reading or self.pressed:
            raise KeyboardInterrupt
        self.pressed = True

    def read(self, read_line: Callable[[], str]) -> str:
        """``read_line()``, or :class:`KeyboardInterrupt` once Ctrl-C has been pressed."""
        self._reading = True
        try:
            if self.pressed:
                raise KeyboardInterrupt
            return read_line()
        finally:
            self._reading = False

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Handle SIGINT within the block (from the main thread; elsewhere, leave it be)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.signal(signal.SIGINT, self)
        try:
            yield
        finally:
            if previous is not None:  # None: a handler not installed from Python, left as it was
                signal.signal(signal.SIGINT, previous)


def read_input(line: str, buttons: Sequence[Button]) -> Input | None:
    """What the typed ``line`` means: a button (by letter or label), a command, a position, text."""
    text = line.strip()
    if not text:
        return None
    if text.startswith("/"):
        name, _, argument = text[1:].partition(" ")
        if name.lower() == "start":
            return Start(argument.strip() or None)
        return Command(name.lower(), argument.strip())
    keys = {key(position): button for position, button in enumerate(buttons)}
    chosen = keys.get(text.lower())
    if chosen is not None:
        return Press(chosen.action) if chosen.action else None
    wanted = _label(text)
    for button in buttons:
        if button.action and _label(button.label) == wanted:
            return Press(button.action)
    position = _POSITION.match(text)
    if position:
        return SharedLocation(float(position.group(1)), float(position.group(2)))
    return Text(text)


async def chat(
    *,
    settings: Settings,
    language: str | None,
    read_line: Callable[[], str],
    out: TextIO,
    echo: bool,
) -> int:
    """Run the conversation until the end of input (0) or Ctrl-C (1); the exit status."""
    ctrl_c = CtrlC()
    with ctrl_c.installed():
        return await _chat(
            settings=settings, language=language, read_line=read_line, out=out, echo=echo,
            ctrl_c=ctrl_c,
        )


async def _chat(
    *,
    settings: Settings,
    language: str | None,
    read_line: Callable[[], str],
    out: TextIO,
    echo: bool,
    ctrl_c: CtrlC,
) -> int:
    database = await open_database(settings.database_url)
    snapshot = CatalogSnapshot()

    async def send(event: Input) -> list[Reply]:
        return await process(
            database=database, chat_id=TERMINAL_ID, user_id=TERMINAL_ID,
            language_code=language, event=event, catalog=snapshot, settings=settings,
        )

    try:
        if language:
            # An explicit --lang wins over the language remembered from an earlier chat.
            await send(Command("language", language))
        # The hint about typing a position follows --lang (the replies follow the citizen).
        tr = translator(language)
        text, buttons = render(await send(Start()), tr)
        print(text, file=out)
        while True:
            print("> ", end="", file=out, flush=True)
            try:
                line = ctrl_c.read(read_line)
            except KeyboardInterrupt:  # the database is closed below, quietly
                print(file=out)
                return 1
            if not line:  # end of input
                print(file=out)
                return 0
            if echo:
                print(line.rstrip("\n"), file=out)
            event = read_input(line, buttons)
            if event is None:
                continue
            text, buttons = render(await send(event), tr)
            print(text, file=out)
    finally:
        await database.close()


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """``tremplin chat [--lang CODE]``."""
    stdin = sys.stdin
    return await chat(
        # The terminal is for trying Tremplin and for scripts: its sessions are nobody's usage,
        # so they stay out of the statistics even where a pseudonym key is configured.
        settings=settings.model_copy(update={"pseudonym_key": None}),
        language=getattr(args, "lang", None),
        read_line=stdin.readline,
        out=sys.stdout,
        echo=not stdin.isatty(),
    )
