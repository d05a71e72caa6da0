"""What a citizen told us: the input of the matcher."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.i18n import DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Profile:
    """A citizen's answers; every field is optional (each question can be skipped).

    ``age`` is the citizen's own age; ``child_ages`` the ages of the children the learning is
    for (from the "who is it for" question, or stated in free text by the matcher).
    """

    age: int | None = None
    child_ages: tuple[int, ...] = ()
    situations: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    text: str = ""
    near: tuple[float, float] | None = None
    free_only: bool = False
    online_only: bool = False
    lang: str = DEFAULT_LANGUAGE
