"""Right-to-left languages: every line of a reply starts with a right-to-left mark.

A client lays each paragraph out in the direction of its first strong character. An Arabic
line that starts with a French offer title, a number or a price would be laid out left to
right, with its Arabic words out of order; the invisible RIGHT-TO-LEFT MARK (U+200F) makes
every line start right to left. Button labels are left alone: each is one short phrase,
laid out on its own.
"""

from __future__ import annotations

from dataclasses import replace

from bot.engine.replies import Reply

RTL_LANGUAGES = frozenset({"ar"})
RLM = "\u200f"


def _marked(text: str) -> str:
    return "\n".join(line if line.startswith(RLM) else RLM + line for line in text.split("\n"))


def for_reading(replies: tuple[Reply, ...], language: str) -> tuple[Reply, ...]:
    """``replies`` as they should be shown in ``language``."""
    if language not in RTL_LANGUAGES:
        return replies
    return tuple(
        replace(reply, text=_marked(reply.text), title=reply.title and _marked(reply.title))
        for reply in replies
    )
