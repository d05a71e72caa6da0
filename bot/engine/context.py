"""What one engine step reads besides the state (:class:`Context`) and what it returns.

The engine is pure: the world it needs comes in a :class:`Context`, and what it wants done to
the world (save a favourite, erase a user, note a fact for the statistics...) goes out as
effects in the :class:`Outcome`,
applied by the storage in the same transaction as the new state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from functools import cached_property

from bot.engine.replies import Reply
from bot.engine.state import Conversation
from catalog.i18n import Translator, translator
from catalog.matching.matcher import CatalogIndex


@dataclass(frozen=True)
class Context:
    """The catalogue, today's date, the citizen's saved offers and the city's settings."""

    index: CatalogIndex
    today: date
    # The city's local time (naive, TREMPLIN_TIMEZONE): the next session, today's opening hours.
    # None: the start of ``today``.
    now: datetime | None = None
    timezone: str = "Europe/Paris"  # the city's (TREMPLIN_TIMEZONE), for calendar files
    favourites: tuple[str, ...] = ()
    city: str = "Clermont-Ferrand"
    contact: str = ""
    # Whether the citizen asked to be told about new offers (/alerts).
    alerts: bool = False
    # Whether the citizen lets the bot ask how an offer went (/followups; on unless turned off).
    followups: bool = True
    # Days without a message after which the conversation is erased (/privacy says so).
    retention_days: int = 30

    @property
    def local_now(self) -> datetime:
        return self.now if self.now is not None else datetime.combine(self.today, time())

    @cached_property
    def neighbourhoods(self) -> dict[str, tuple[float, float]]:
        """The catalogue's neighbourhoods and their centres."""
        return dict(sorted(self.index.neighbourhoods().items()))


@dataclass(frozen=True, slots=True)
class SaveFavourite:
    offer_id: str


@dataclass(frozen=True, slots=True)
class RemoveFavourite:
    offer_id: str


@dataclass(frozen=True, slots=True)
class ForgetUser:
    """Erase every row about the citizen; the conversation itself is not stored again."""


@dataclass(frozen=True, slots=True)
class SetLanguage:
    language: str


@dataclass(frozen=True, slots=True)
class Record:
    """A fact for the usage statistics (``catalog.stats.facts.Kind``): codes and offer ids only,
    never the citizen's words; the storage adds the pseudonymous user, the day, the language."""

    kind: str
    facts: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SetAlerts:
    """Subscribe to alerts on new offers with ``watch`` (``bot.engine.alerts.watch_of``), or
    unsubscribe (``None``)."""

    watch: Mapping[str, object] | None


@dataclass(frozen=True, slots=True)
class SetFollowUps:
    """Turn the citizen's follow-ups on or off (off erases those not asked yet)."""

    on: bool


@dataclass(frozen=True, slots=True)
class AnswerFollowUp:
    """A follow-up's answer (``answer``) or, after "I could not", why (``reason``): kept only
    if that follow-up was asked and not yet answered; counted in the statistics then."""

    offer_id: str
    missions: tuple[str, ...]
    answer: str | None = None
    reason: str | None = None


Effect = (SaveFavourite | RemoveFavourite | ForgetUser | SetLanguage | Record | SetAlerts
          | SetFollowUps | AnswerFollowUp)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one step: the new state, the replies in order, the effects to apply."""

    state: Conversation
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = field(default=())

    @property
    def forgets(self) -> bool:
        """Whether the citizen asked to be erased (the state is then not stored again)."""
        return any(isinstance(effect, ForgetUser) for effect in self.effects)

    def after(self, *replies: Reply, effects: tuple[Effect, ...] = ()) -> Outcome:
        """The same outcome with ``replies`` (and ``effects``) coming first."""
        return replace(self, replies=replies + self.replies, effects=effects + self.effects)


def tr_of(state: Conversation) -> Translator:
    """The translator of the conversation's language."""
    return translator(state.language)
