"""Telegram rendering: lead-in texts joined with the message that follows them."""

from __future__ import annotations

import html

from fakeapi.html import parse_html
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram.rendering import TEXT_LIMIT, Chunk, joined, pack

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


# ---- packing lines of Telegram HTML


def _plain_words(html_text: str) -> list[str]:
    return parse_html(html_text).text.split()


def test_a_line_longer_than_a_message_is_cut_between_elements() -> None:
    # /catalog with 250 offers of one title: their ids in one <code> element, 4,500 characters.
    ids = ", ".join(f"atelier-numerique-{number:04d}" for number in range(250))
    line = f"  Atelier &amp; cie: <code>{ids}</code> <b>fin</b>"
    messages = pack(["<b>Catalogue check</b>", line, "• Same title: 1"])
    assert len(messages) == 3
    for message in messages:
        assert len(message) <= TEXT_LIMIT
        parse_html(message)  # raises on a cut element or entity
    assert messages[0] == "<b>Catalogue check</b>"
    assert messages[1].startswith("  Atelier &amp; cie: <code>atelier-numerique-0000,")
    assert messages[2].startswith("<code>atelier-numerique-")
    words = [word for message in messages for word in _plain_words(message)]
    assert words == _plain_words("\n".join(["<b>Catalogue check</b>", line, "• Same title: 1"]))


def test_plain_text_is_cut_between_words_without_reading_markup() -> None:
    line = " ".join(["<b>"] + ["word"] * 2_000)
    messages = pack([line], markup=False)
    assert all(len(message) <= TEXT_LIMIT for message in messages)
    assert " ".join(messages).split() == line.split()  # nothing added, nothing lost


_TAGS = ("b", "i", "u", "s", "code", "tg-spoiler")
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)


@st.composite
def _html_line(draw: st.DrawFn) -> str:
    """A line of Telegram HTML: escaped text in nested elements, some links."""
    parts = []
    for _ in range(draw(st.integers(0, 8))):
        text = html.escape(draw(_text)) * draw(st.integers(1, 12))
        for tag in draw(st.lists(st.sampled_from(_TAGS), max_size=2, unique=True)):
            text = f"<{tag}>{text}</{tag}>"
        if draw(st.booleans()):
            text = f'<a href="https://example.org/{draw(st.integers(0, 99))}">{text}</a>'
        parts.append(text)
    return draw(st.sampled_from(["", " ", ", "])).join(parts)


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(_html_line(), max_size=6), limit=st.integers(200, TEXT_LIMIT))
def test_packed_messages_are_valid_html_within_the_limit(lines: list[str], limit: int) -> None:
    messages = pack(lines, limit)
    for message in messages:
        assert len(message) <= limit
        parse_html(message)
    words = [word for message in messages for word in _plain_words(message)]
    assert "".join(words) == "".join(_plain_words("\n".join(lines)))
