"""Reading a Telegram update as one engine input."""

from __future__ import annotations

from telegram import Message, Update

from bot.engine.inputs import Command, Input, Press, SharedLocation, Start, Text, Unsupported

# Message kinds the engine cannot read; each gets a kind answer rather than silence.
_UNSUPPORTED = (
    "voice",
    "audio",
    "video",
    "video_note",
    "sticker",
    "photo",
    "animation",
    "document",
    "contact",
    "poll",
    "dice",
)


def _command(message: Message) -> Input | None:
    text = message.text or ""
    if not text.startswith("/"):
        return None
    head, _, argument = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()  # "/help@TremplinBot" in a client that adds it
    if name == "start":
        return Start(payload=argument.strip() or None)
    return Command(name=name, argument=argument.strip())


def to_input(update: Update) -> Input | None:
    """The engine input of ``update``, or ``None`` when there is nothing to answer."""
    if update.callback_query is not None:
        return Press(action=update.callback_query.data or "")
    message = update.message
    if message is None:
        return None
    if message.location is not None:
        return SharedLocation(message.location.latitude, message.location.longitude)
    if message.text is not None:
        return _command(message) or Text(text=message.text)
    for kind in _UNSUPPORTED:
        if getattr(message, kind, None):
            return Unsupported(kind=kind)
    return Unsupported(kind="other")
