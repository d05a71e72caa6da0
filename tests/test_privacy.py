"""Privacy (issue 14, items 14-17): what is kept of typed text, and for how long."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conversation_helpers import Chat

from bot.engine.inputs import Command, Text
from bot.engine.state import MAX_TEXT, Conversation, Step, keep_text

PERSONAL = "cours d'anglais, appelez-moi au 06 12 34 56 78 ou zoe@example.org"


def _kept(state: Conversation) -> str:
    return str(state.to_json())


@pytest.mark.parametrize(("typed", "kept"), [
    (PERSONAL, "cours d'anglais, appelez-moi au ou"),
    ("+33 6 12 34 56 78 anglais", "anglais"),
    ("poterie https://x.org/moi @zoe_k", "poterie"),
    ("dossier 1234567890123 couture", "dossier couture"),
    # What the matcher reads stays: ages and postcodes.
    *[(typed, typed) for typed in ("natation pour mes enfants de 6 et 8 ans 63000",)],
])
def test_typed_text_loses_phone_numbers_and_addresses(typed: str, kept: str) -> None:
    assert keep_text(typed) == kept


def test_typed_text_is_capped_at_a_word() -> None:
    kept = keep_text("poterie " * 100)
    assert len(kept) <= MAX_TEXT and kept.endswith("poterie")
    assert len(keep_text("x" * 1000)) == MAX_TEXT


def test_typed_words_at_the_interests_are_kept_without_personal_data() -> None:
    chat = Chat(language="fr")
    chat.state = replace(Conversation(language="fr", greeted=True), step=Step.INTERESTS)
    chat.send(Text(PERSONAL))
    assert "anglais" in chat.state.answers.text
    for personal in ("06", "zoe", "example.org"):
        assert personal not in _kept(chat.state)
        assert personal not in chat.text()  # nor said back as "noted"


def test_a_search_is_kept_without_personal_data() -> None:
    chat = Chat(language="fr")
    chat.send(Command("search", PERSONAL))
    assert "anglais" in chat.state.answers.text
    assert "12 34" not in _kept(chat.state) and "@" not in _kept(chat.state)


def test_a_state_stored_before_is_scrubbed_when_read() -> None:
    stored = Conversation().to_json()
    stored["answers"]["text"] = PERSONAL + " " + "x" * 600
    text = Conversation.from_json(stored).answers.text
    assert "zoe" not in text and "06" not in text and len(text) <= MAX_TEXT
