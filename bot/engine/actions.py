"""Button actions: short ASCII strings the engine makes and, on a press, reads back.

Every action fits Telegram's 64 bytes of callback data. A press is untrusted: a client can send
any string, and an old keyboard sends actions of a step the citizen has left, so every parser
here returns ``None`` rather than guessing.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from bot.engine.replies import ACTION_LIMIT

# Offer actions: details, save, unsave, map, add to calendar.
DETAILS, SAVE, UNSAVE, MAP, CALENDAR = "d", "s", "u", "m", "k"
OFFER_VERBS = frozenset({DETAILS, SAVE, UNSAVE, MAP, CALENDAR})
# Offer ids are 1-64 characters; those that do not fit beside a verb travel as a checksum.
_HASHED = "#"
_ID_ROOM = ACTION_LIMIT - 2


def _checksum(text: str) -> str:
    return f"{zlib.crc32(text.encode()):08x}"


def offer_action(verb: str, offer_id: str) -> str:
    """The action of ``verb`` on one offer: ``d:<id>``, or ``d:#<crc32>`` for a long id."""
    ref = offer_id if len(offer_id) <= _ID_ROOM and not offer_id.startswith(_HASHED) else (
        _HASHED + _checksum(offer_id)
    )
    return f"{verb}:{ref}"


def resolve_offer(ref: str, candidates: Iterable[str]) -> str | None:
    """The offer id among ``candidates`` that ``ref`` (from :func:`offer_action`) names."""
    if not ref.startswith(_HASHED):
        return ref if ref in candidates else None
    wanted = ref[1:]
    return next((offer_id for offer_id in candidates if _checksum(offer_id) == wanted), None)


def name_action(prefix: str, name: str) -> str:
    """A compact, stable action for a free name (a neighbourhood): ``prefix:<crc32>``."""
    return f"{prefix}:{_checksum(name)}"


def resolve_name(value: str, names: Iterable[str]) -> str | None:
    """The name among ``names`` whose checksum is ``value``."""
    return next((name for name in names if _checksum(name) == value), None)


def split(action: str) -> tuple[str, str]:
    """``"verb:argument"`` -> ``("verb", "argument")``; an action with no colon has no argument."""
    verb, _, argument = action.partition(":")
    return verb, argument
