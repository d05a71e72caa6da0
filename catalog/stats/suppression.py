"""Small-number protection: no published count lets anyone single out a few people.

Primary suppression: a count from 1 to ``threshold - 1`` is published as ``"< threshold"``.
A zero is published: it describes nobody.

Complementary suppression, for a breakdown published with its total (users by language, new
and returning users, searches met and unmet): a hidden cell must not be recoverable as the
total minus the visible cells. Knowing the total, the published cells and the bounds that the
marks give (``< 5``: between 1 and 4; ``≥ 5``: at least 5), each hidden cell has a range of
possible values; while one of those ranges is a single value, the smallest visible cell is
hidden too, and published as ``"≥ threshold"`` (true, and it says no more than that). When no
cell is left to hide, the total itself is published as ``"≥ threshold"``.

What is not protected, by design: differences between counts that are not parts of a total
(two steps of the funnel, two periods asked one after the other). They count conversations or
days, not people sharing an attribute; admins are the city's trusted staff, and the published
exports carry the same marks.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Shown:
    """A count as published: ``count`` when exact, ``None`` when hidden behind ``text``."""

    count: int | None
    text: str

    @property
    def hidden(self) -> bool:
        return self.count is None

    def __str__(self) -> str:
        return self.text


def below(threshold: int) -> Shown:
    return Shown(None, f"< {threshold}")


def at_least(threshold: int) -> Shown:
    return Shown(None, f"≥ {threshold}")


def protect(count: int, threshold: int) -> Shown:
    """``count`` as published on its own (primary suppression only)."""
    if 0 < count < threshold:
        return below(threshold)
    return Shown(count, str(count))


def _pinned(values: Mapping[K, int], hidden: set[K], total: int, threshold: int) -> bool:
    """Whether some hidden cell has exactly one value compatible with what is published."""
    rest = total - sum(value for key, value in values.items() if key not in hidden)
    bounds = {key: (1, threshold - 1) if values[key] < threshold else (threshold, rest)
              for key in hidden}
    low_sum = sum(low for low, _ in bounds.values())
    high_sum = sum(high for _, high in bounds.values())
    for low, high in bounds.values():
        # With one equation (the hidden cells add up to ``rest``) and a range for each cell,
        # a cell can take exactly the values of this interval.
        lowest = max(low, rest - (high_sum - high))
        highest = min(high, rest - (low_sum - low))
        if lowest >= highest:
            return True
    return False


def protect_group(
    cells: Mapping[K, int], total: int, threshold: int
) -> tuple[dict[K, Shown], Shown]:
    """The cells of a breakdown and their total, as published together (see module doc)."""
    shown = {key: protect(value, threshold) for key, value in cells.items()}
    shown_total = protect(total, threshold)
    hidden = {key for key, value in shown.items() if value.hidden}
    if not hidden or shown_total.hidden:
        return shown, shown_total
    while _pinned(cells, hidden, total, threshold):
        visible = sorted((value, str(key), key) for key, value in cells.items()
                         if key not in hidden and value > 0)
        if not visible:
            return shown, at_least(threshold)
        key = visible[0][2]
        hidden.add(key)
        shown[key] = at_least(threshold)
    return shown, shown_total
