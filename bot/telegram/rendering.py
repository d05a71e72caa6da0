"""Telegram rendering of the engine's replies: HTML-escaped text, keyboards, size limits."""

from __future__ import annotations

import html
import logging
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from telegram.constants import MessageLimit

from bot.engine.replies import Button, Reply

logger = logging.getLogger(__name__)

# Telegram counts the limit on the text after entity parsing; keeping a margin under 4096 on
# the plain text (before escaping) is always safe, whatever the markup adds.
TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH - 96
CALLBACK_DATA_LIMIT = 64
BUTTON_LABEL_LIMIT = 64


@dataclass(frozen=True, slots=True)
class Chunk:
    """One Telegram message: its HTML, its plain text (to detect no-op edits) and its markup."""

    html: str
    plain: str
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters, preferring paragraph breaks."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    pieces.append(rest)
    return [piece for piece in pieces if piece] or [""]


def pack(lines: Iterable[str], limit: int = TEXT_LIMIT, *, markup: bool = True) -> list[str]:
    """Join lines into as few messages as fit ``limit`` characters each.

    A line longer than a message is cut between words; with ``markup`` (Telegram HTML) a cut
    never falls inside a tag or an entity, and the elements open at a cut are closed before it
    and opened again after it: Telegram refuses a whole message with a broken element.
    """
    messages: list[str] = []
    current = ""
    for line in lines:
        pieces = _cut(line, limit, markup) if len(line) > limit else [line]
        for piece in pieces:
            if current and len(current) + 1 + len(piece) > limit:
                messages.append(current)
                current = piece
            else:
                current = f"{current}\n{piece}" if current else piece
    return [*messages, current] if current else messages


# A tag, an entity, spaces, a word, or a lone "<" or "&" (not expected in escaped HTML).
_HTML_TOKEN = re.compile(r"<[^<>]*>|&#?\w{1,32};|\s+|[^<&\s]+|[<&]")
_TEXT_TOKEN = re.compile(r"\s+|\S+")
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][\w-]*)")


def _cut(line: str, limit: int, markup: bool) -> list[str]:
    """``line`` in pieces of at most ``limit`` characters, each piece's elements balanced."""
    tokens = deque((_HTML_TOKEN if markup else _TEXT_TOKEN).findall(line))
    pieces: list[str] = []
    opened: list[tuple[str, str]] = []  # (name, opening tag) of the elements open here
    current, fresh = "", True  # fresh: nothing but reopened tags in ``current`` yet
    while tokens:
        token = tokens.popleft()
        is_tag = markup and token.startswith("<") and token.endswith(">")
        after = _after(opened, token) if is_tag else opened
        room = limit - len(current) - sum(len(name) + 3 for name, _ in after)
        if len(token) > room:
            if not fresh:
                closing = "".join(f"</{name}>" for name, _ in reversed(opened))
                pieces.append(current.rstrip() + closing)
                current, fresh = "".join(tag for _, tag in opened), True
                if not token.isspace():
                    tokens.appendleft(token)
                continue
            if not is_tag and not (markup and token.startswith("&")) and room > 0:
                # A word longer than a message (or than what is left beside the tags):
                # cut it anywhere. An entity is never cut.
                tokens.appendleft(token[room:])
                token = token[:room]
        if fresh and pieces and token.isspace():  # no piece after a cut starts with spaces
            continue
        current += token
        opened = after
        fresh = fresh and is_tag and not token.startswith("</")
    if not fresh:
        pieces.append(current)
    return pieces


def _after(opened: list[tuple[str, str]], token: str) -> list[tuple[str, str]]:
    """The elements open once ``token`` (a tag or text) has been read."""
    name = _TAG_NAME.match(token) if token.startswith("<") else None
    if name is None or token.endswith("/>"):
        return opened
    if token.startswith("</"):
        for index in range(len(opened) - 1, -1, -1):
            if opened[index][0].lower() == name.group(1).lower():
                return opened[:index] + opened[index + 1 :]
        return opened
    return [*opened, (name.group(1), token)]


def _button(button: Button) -> InlineKeyboardButton | None:
    label = button.label.strip()[:BUTTON_LABEL_LIMIT] or "…"
    if button.url:
        return InlineKeyboardButton(label, url=button.url)
    if button.action and len(button.action.encode()) <= CALLBACK_DATA_LIMIT:
        return InlineKeyboardButton(label, callback_data=button.action)
    # The engine keeps actions short; a longer one would be refused by Telegram as a whole
    # message, so it is dropped (and logged) rather than losing the reply.
    logger.warning("button dropped: action longer than %d bytes", CALLBACK_DATA_LIMIT)
    return None


def inline_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    rows = []
    for row in reply.buttons:
        buttons = [rendered for rendered in map(_button, row) if rendered is not None]
        if buttons:
            rows.append(buttons)
    return InlineKeyboardMarkup(rows) if rows else None


def location_keyboard(label: str) -> ReplyKeyboardMarkup:
    """The one-time reply keyboard with Telegram's "share my location" button."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(label, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def chunks(reply: Reply) -> list[Chunk]:
    """The messages that show ``reply``: the keyboard goes with the last piece."""
    heading = (reply.title or "")[:512]
    # The title heads the first piece: the pieces leave room for it, or the first message
    # would exceed Telegram's limit (a 512-character title on 4,000 characters of text).
    pieces = split_text(reply.text or "…", TEXT_LIMIT - len(heading) - 1)
    result: list[Chunk] = []
    for number, piece in enumerate(pieces):
        first, last = number == 0, number == len(pieces) - 1
        title = heading if first and heading else None
        if title:
            html_text = f"<b>{html.escape(title)}</b>\n{html.escape(piece)}"
            plain = f"{title}\n{piece}"
        else:
            html_text, plain = html.escape(piece), piece
        markup = inline_keyboard(reply) if last else None
        result.append(Chunk(html=html_text, plain=plain, markup=markup))
    return result


def joined(first: Chunk, second: Chunk) -> Chunk | None:
    """``first`` (a text without keyboard) and ``second`` as one message, or ``None`` when
    they would not fit in one.

    Telegram shows each message as its own bubble and each costs a request: a short lead-in
    ("Hello!", "Here are the offers...") reads better, and costs less, above what follows.
    """
    if first.markup is not None or len(first.plain) + 2 + len(second.plain) > TEXT_LIMIT:
        return None
    return Chunk(
        html=f"{first.html}\n\n{second.html}",
        plain=f"{first.plain}\n\n{second.plain}",
        markup=second.markup,
    )
