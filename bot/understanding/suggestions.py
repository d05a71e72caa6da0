"""The options nearest to a text that was not understood, offered as buttons."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process

from bot.understanding.normalise import fold

# Below this similarity (0-100) an option is no suggestion, only noise.
_FLOOR = 55


def closest(text: str, labels: Sequence[str], *, limit: int = 3) -> list[int]:
    """The positions in ``labels`` of the ones nearest to ``text``, best first (maybe none)."""
    folded = fold(text).strip()
    if not folded or not labels:
        return []
    found = process.extract(folded, [fold(label) for label in labels], scorer=fuzz.WRatio,
                            limit=limit, score_cutoff=_FLOOR)
    return [position for _, _, position in found]
