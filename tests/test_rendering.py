"""Telegram rendering: lead-in texts joined with the message that follows them."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram.rendering import TEXT_LIMIT, Chunk, joined

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Me", callback_data="who:me")]])


def test_a_lead_in_goes_above_the_next_message_with_its_keyboard() -> None:
    lead = Chunk(html="Hello &amp; welcome", plain="Hello & welcome")
    question = Chunk(html="<b>Who?</b>", plain="Who?", markup=KEYBOARD)
    together = joined(lead, question)
    assert together == Chunk(html="Hello &amp; welcome\n\n<b>Who?</b>",
                             plain="Hello & welcome\n\nWho?", markup=KEYBOARD)


def test_a_message_with_a_keyboard_is_never_joined_to_the_next() -> None:
    first = Chunk(html="Pick one", plain="Pick one", markup=KEYBOARD)
    assert joined(first, Chunk(html="next", plain="next")) is None


def test_texts_that_would_not_fit_in_one_message_stay_apart() -> None:
    lead = Chunk(html="a" * 100, plain="a" * 100)
    fits = Chunk(html="b" * (TEXT_LIMIT - 102), plain="b" * (TEXT_LIMIT - 102))
    assert joined(lead, fits) is not None
    too_long = Chunk(html="b" * (TEXT_LIMIT - 101), plain="b" * (TEXT_LIMIT - 101))
    assert joined(lead, too_long) is None
