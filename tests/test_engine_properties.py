"""Property-based tests of the pure engine: any sequence of inputs, any state.

Invariants, after every step: it never raises; every reply has non-empty text; every button
has a label and exactly one of an action (ASCII, <= 64 bytes) or a link; the citizen always
has a way forward, defined as: the LAST reply of every answer carries at least one button
(questions that also take typed answers say so in words, and still offer back/skip); the state
survives a JSON round trip. And from every state, /help lists the commands, /cancel stops the
questions, /forget asks for confirmation and "yes" erases.
"""

from __future__ import annotations

import json
from dataclasses import replace

from conversation_helpers import context
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from bot.engine.commands import COMMANDS
from bot.engine.context import ForgetUser, Outcome, RemoveFavourite, SaveFavourite
from bot.engine.dialogue import step
from bot.engine.inputs import Command, Input, Press, SharedLocation, Start, Text, Unsupported
from bot.engine.replies import ACTION_LIMIT, Reply
from bot.engine.state import Conversation, Step
from catalog.i18n import LANGUAGES

CONTEXT = context()

NASTY_TEXTS = [
    "", " ", "x" * 10_000, "🎨🎶👩‍👩‍👧‍👦🏳️‍🌈", "أريد تعلم الفرنسية", "\u202e\u200fטקסט",
    "\x00\x01\x1b[2J\x7f", "\ud800 lone surrogate", "e\u0301", "3 and 7", "3 et 7 ans", "34",
    "999", "centre ville", "anglais", "/help", "Ｆｕｌｌｗｉｄｔｈ", "\n\n\t",
    "cours de cuisine pas cher pour mon fils de 6 ans",
]
texts = st.one_of(st.sampled_from(NASTY_TEXTS), st.text(max_size=80))
PREFIXES = [
    "who:", "child_ages:", "age:", "situation:", "interests:", "where:", "neighbourhood:", "d:",
    "s:", "u:", "m:", "d:#", "lang:", "edit:", "relax:", "go:", "forget:", "free:", "more", "",
]
forged = st.one_of(
    st.text(max_size=100),
    st.builds(lambda prefix, rest: prefix + rest, st.sampled_from(PREFIXES), st.text(max_size=80)),
)
COMMAND_NAMES = [name for name, _ in COMMANDS] + ["favourites", "aide", "frobnicate", "", "Start"]


def check(outcome: Outcome) -> None:
    """The invariants of one step's answer."""
    assert outcome.replies, "no reply"
    for reply in outcome.replies:
        assert isinstance(reply, Reply)
        assert reply.text.strip(), f"empty text in {reply}"
        for button in reply.all_buttons():
            assert button.label.strip()
            assert (button.action is None) != (button.url is None), button
            if button.action is not None:
                assert button.action.isascii(), button.action
                assert len(button.action.encode()) <= ACTION_LIMIT, button.action
    assert outcome.replies[-1].all_buttons(), "no way forward"
    stored = json.loads(json.dumps(outcome.state.to_json()))
    assert Conversation.from_json(stored) == outcome.state


class ConversationMachine(RuleBasedStateMachine):
    """A citizen doing anything at all, in any language."""

    def __init__(self) -> None:
        super().__init__()
        self.state = Conversation()
        self.favourites: list[str] = []
        self.replies: tuple[Reply, ...] = ()

    def send(self, event: Input) -> Outcome:
        outcome = step(self.state, event, replace(CONTEXT, favourites=tuple(self.favourites)))
        check(outcome)
        for effect in outcome.effects:
            if isinstance(effect, SaveFavourite) and effect.offer_id not in self.favourites:
                self.favourites.append(effect.offer_id)
            elif isinstance(effect, RemoveFavourite) and effect.offer_id in self.favourites:
                self.favourites.remove(effect.offer_id)
            elif isinstance(effect, ForgetUser):
                self.favourites.clear()
        self.state, self.replies = outcome.state, outcome.replies
        return outcome

    @initialize(language=st.sampled_from(LANGUAGES), start=st.booleans())
    def begin(self, language: str, start: bool) -> None:
        self.state = Conversation(language=language)
        if start:
            self.send(Start())

    @rule(text=texts)
    def type_text(self, text: str) -> None:
        self.send(Text(text))

    @rule(data=st.data())
    def press_a_shown_button(self, data: st.DataObject) -> None:
        actions = [b.action for r in self.replies for b in r.all_buttons() if b.action]
        if actions:
            self.send(Press(data.draw(st.sampled_from(actions))))

    @rule(action=forged)
    def press_a_forged_button(self, action: str) -> None:
        self.send(Press(action))

    @rule(name=st.sampled_from(COMMAND_NAMES), argument=texts)
    def command(self, name: str, argument: str) -> None:
        self.send(Command(name, argument))

    @rule(payload=st.one_of(st.none(), st.sampled_from(["topic-digital", "mission-family",
                                                         "offer-cf-mille-formes-ateliers"]),
                            st.text(max_size=100)))
    def start(self, payload: str | None) -> None:
        self.send(Start(payload))

    @rule(latitude=st.floats(), longitude=st.floats())
    def share_location(self, latitude: float, longitude: float) -> None:
        self.send(SharedLocation(latitude, longitude))

    @rule(kind=st.sampled_from(["voice", "sticker", "photo", "", "x" * 100]))
    def unsupported(self, kind: str) -> None:
        self.send(Unsupported(kind))

    @rule()
    def help_lists_every_command(self) -> None:
        before = self.state
        outcome = self.send(Command("help"))
        text = outcome.replies[-1].text
        assert all(f"/{name}" in text for name, _ in COMMANDS)
        assert outcome.state.answers == before.answers

    @rule()
    def cancel_stops(self) -> None:
        before = self.state
        outcome = self.send(Command("cancel"))
        assert outcome.state.step == Step.IDLE
        assert outcome.state.answers == before.answers

    @rule(confirm=st.booleans())
    def forget_asks_then_erases(self, confirm: bool) -> None:
        outcome = self.send(Command("forget"))
        assert outcome.state.pending == "forget"
        outcome = self.send(Press("forget:yes" if confirm else "forget:no"))
        assert (ForgetUser() in outcome.effects) == confirm
        assert outcome.state.pending is None

    @invariant()
    def language_is_kept(self) -> None:
        assert self.state.language in LANGUAGES


ConversationMachine.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestConversation = ConversationMachine.TestCase
