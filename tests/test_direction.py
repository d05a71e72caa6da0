"""Arabic replies read right to left, whatever their lines start with."""

from __future__ import annotations

from conversation_helpers import Chat

from bot.engine.direction import RLM, for_reading
from bot.engine.inputs import Command, Start
from bot.engine.replies import Button, Reply


def test_every_line_of_an_arabic_reply_starts_right_to_left() -> None:
    reply = Reply("Atelier numérique\n12,50 €\n\u200fمرحبا", title="Médiathèque",
                  buttons=((Button("تخطي", "x"),),))
    (marked,) = for_reading((reply,), "ar")
    assert all(line.startswith(RLM) for line in marked.text.split("\n"))
    assert marked.text.count(RLM) == 3  # a line already marked is not marked twice
    assert marked.title == RLM + "Médiathèque"
    assert marked.buttons == reply.buttons


def test_left_to_right_languages_are_untouched() -> None:
    reply = Reply("Bonjour\nHello", title="Titre")
    for language in ("fr", "en", "es", "pt", "tr", "uk"):
        assert for_reading((reply,), language) == (reply,)


def test_the_engine_marks_arabic_conversations() -> None:
    chat = Chat(language="ar")
    chat.send(Start())
    outcome = chat.send(Command("search", "informatique"))
    lines = [line for reply in outcome.replies for line in reply.text.split("\n")]
    assert lines and all(line.startswith(RLM) for line in lines)
    english = Chat(language="en")
    english.send(Start())
    assert not any(RLM in reply.text for reply in english.send(Command("help")).replies)
