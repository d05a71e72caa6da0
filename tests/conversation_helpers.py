"""Factories for the conversation tests: a context, offers, and a chat driving the pure engine."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import lru_cache
from typing import Any

import factories

from bot.engine.context import Context, ForgetUser, Outcome, RemoveFavourite, SaveFavourite
from bot.engine.dialogue import step
from bot.engine.inputs import Input, Press
from bot.engine.replies import Button, Reply
from bot.engine.state import Conversation
from catalog.formats.csvio import read_csv
from catalog.maintenance.sample import sample_catalogue_path
from catalog.matching.matcher import CatalogIndex
from catalog.offer import LocalText, Offer

TODAY = date(2026, 12, 1)
CONTACT = "Espace Nelson Mandela"


@lru_cache(maxsize=1)
def sample_index() -> CatalogIndex:
    """The index of the sample catalogue shipped with Tremplin."""
    return CatalogIndex(read_csv(sample_catalogue_path().read_bytes()))


def make_offer(offer_id: str = "offer-1", **fields: Any) -> Offer:
    """A free digital workshop at Jaude, translated into English; any field can be given."""
    values: dict[str, Any] = {
        "title": "Atelier numérique",
        "provider": "Médiathèque de Jaude",
        "missions": ("digital",),
        "topics": ("digital",),
        "neighbourhood": "Jaude",
        "translations": {"en": LocalText("Digital workshop", "Learn to use a computer.")},
        "wheelchair_accessible": None,
    }
    return factories.offer(offer_id, **{**values, **fields})


def context(offers: list[Offer] | None = None, **fields: Any) -> Context:
    """A context over the sample catalogue (or ``offers``), on the test date."""
    index = sample_index() if offers is None else CatalogIndex(offers)
    return Context(index=index, today=TODAY, contact=CONTACT, **fields)


class Chat:
    """One citizen talking to the pure engine; favourites are kept as the storage would."""

    def __init__(self, ctx: Context | None = None, language: str = "en") -> None:
        self.ctx = ctx or context()
        self.state = Conversation(language=language)
        self.favourites: list[str] = []
        self.last = Outcome(self.state)

    def send(self, event: Input) -> Outcome:
        """One step; its effects are applied to the favourites."""
        ctx = replace(self.ctx, favourites=tuple(self.favourites))
        outcome = step(self.state, event, ctx)
        for effect in outcome.effects:
            if isinstance(effect, SaveFavourite) and effect.offer_id not in self.favourites:
                self.favourites.append(effect.offer_id)
            elif isinstance(effect, RemoveFavourite) and effect.offer_id in self.favourites:
                self.favourites.remove(effect.offer_id)
            elif isinstance(effect, ForgetUser):
                self.favourites.clear()
        self.state, self.last = outcome.state, outcome
        return outcome

    def buttons(self) -> list[Button]:
        return [button for reply in self.last.replies for button in reply.all_buttons()]

    def button(self, label: str) -> Button:
        """The button of the last replies labelled ``label`` (ticks ignored)."""
        for button in self.buttons():
            if button.label.removeprefix("✓ ") == label:
                return button
        raise AssertionError(f"no button {label!r} in {[b.label for b in self.buttons()]}")

    def press(self, label: str) -> Outcome:
        action = self.button(label).action
        assert action is not None, f"{label!r} is a link"
        return self.send(Press(action))

    @property
    def replies(self) -> tuple[Reply, ...]:
        return self.last.replies

    def text(self) -> str:
        """Every reply's title and text, one after the other."""
        return "\n".join(f"{r.title or ''}\n{r.text}" for r in self.last.replies)

    def cards(self) -> list[Reply]:
        """The replies that show an offer."""
        return [reply for reply in self.last.replies if reply.title]
