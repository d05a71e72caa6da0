"""End to end: the real PTB Application, long polling a fake Bot API server over HTTP.

Every test ends by checking that the fake server saw no request the real Telegram would refuse.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from babel.messages.pofile import read_po
from fakeapi import FakeBotApi
from sqlmodel import select
from telegram_helpers import bot_settings, has_button, running_bot, walk_to_results

from bot.chats.database import Database
from bot.chats.models import Citizen
from catalog.i18n import LANGUAGES, locales_dir, translator
from catalog.offer import Offer
from catalog.store.offers import load_offers

pytestmark = pytest.mark.asyncio

LOCALES = locales_dir()




@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_full_conversation_to_results(
    server: FakeBotApi, database: Database, database_url: str, lang: str
) -> None:
    tr = translator(lang)
    user = server.user(1001, "Alice", language_code=lang)
    async with running_bot(bot_settings(server, database_url), database):
        closing = await walk_to_results(user, lang)
        cards = [m for m in user.messages if m.has_button(tr.gettext("Save"))]
        assert 3 <= len(cards) <= 5
        assert all(tr.gettext("Price: {price}").split("{")[0] in (m.text or "") for m in cards)
        assert closing.has_button(tr.gettext("More results"))
        # The lead-in rides on the first card rather than costing a message of its own.
        lead_in = tr.gettext("Here are the offers that fit you best:")
        assert (cards[0].text or "").startswith(lead_in)
        # Save the last card, then find it in /favorites.
        last = cards[-1]
        title = (last.text or "").splitlines()[0]
        await user.press(tr.gettext("Save"), last)
        await user.wait_for(has_button(tr.gettext("Remove from saved")))
        await user.send_text("/favorites")
        favourite = await user.wait_for(lambda m: title in (m.text or ""))
        assert favourite.has_button(tr.gettext("Remove from saved"))
        # Every callback query was answered.
        assert len(user.callback_answers) == len(server.calls("answerCallbackQuery"))


async def test_the_greeting_and_the_first_question_are_one_message(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    user = server.user(1012, "Gus", language_code="en")
    async with running_bot(bot_settings(server, database_url), database):
        await user.send_text("/start")
        question = await user.wait_for(has_button("Me"))
        assert (question.text or "").startswith("Hello! I am Tremplin.")
        assert "\n\nWho is it for?" in (question.text or "")
        assert [m.text for m in user.messages] == [question.text]


async def test_a_tick_keeps_the_note_above_the_question(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    user = server.user(1013, "Ivy", language_code="en")
    async with running_bot(bot_settings(server, database_url), database):
        await user.send_text("/start")
        await user.press("Me", await user.wait_for(has_button("Me")))
        await user.press("26 to 44", await user.wait_for(has_button("26 to 44")))
        await user.wait_for(has_button("Job seeker"))
        await user.send_sticker()
        noted = await user.wait_for(
            lambda m: has_button("Job seeker")(m) and "I can only read text" in (m.text or ""))
        before = noted.text
        await user.press("Job seeker", noted)
        ticked = await user.wait_for(lambda m: m.edited and m.has_button("✓ Job seeker"))
        assert ticked.text == before


async def test_map_button_sends_a_venue(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    user = server.user(1002, "Bob", language_code="en")
    async with running_bot(bot_settings(server, database_url), database):
        await walk_to_results(user, "en")
        with_map = [m for m in user.messages if m.has_button("Map")]
        assert with_map, "the sample catalogue has offers with coordinates"
        await user.press("Map", with_map[0])
        venue = await user.wait_for(lambda m: m.kind == "venue")
        assert venue["venue"]["location"]["latitude"]


async def test_deep_link_preselects_a_topic(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    tr = translator("en")
    user = server.user(1003, "Chloé", language_code="en")
    async with running_bot(bot_settings(server, database_url), database):
        await user.send_text("/start topic-digital")
        await user.wait_for(lambda m: bool(m.buttons))
        await user.send_text("/profile")
        profile = await user.wait_for(lambda m: tr.gettext("Digital skills") in (m.text or ""))
        assert profile.text
        # An invalid payload falls back to a normal start.
        await user.send_text("/start not-a-payload-%%%")
        await user.wait_for(has_button(tr.gettext("Me")))


async def test_forget_erases_the_user(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    tr = translator("en")
    user = server.user(1004, "Dan", language_code="en")
    async with running_bot(bot_settings(server, database_url), database):
        await walk_to_results(user, "en")
        await user.send_text("/forget")
        confirm = await user.wait_for(lambda m: len(m.buttons) >= 2)
        await user.press(confirm.buttons[0]["callback_data"], confirm)
        await user.wait_for(lambda m: "erased" in (m.text or "").lower() or m.edited)
    async with database.sessions() as session:
        rows = (await session.exec(select(Citizen).where(Citizen.user_id == 1004))).all()
    assert rows == []
    assert tr.gettext("Me")


async def test_group_chat_is_left(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    user = server.user(1005, "Eve", language_code="en")
    group = server.group(-100777, "Learners")
    async with running_bot(bot_settings(server, database_url), database):
        await user.send_text("/start", chat=group)
        await group.wait_for(lambda m: "private" in (m.text or ""))
        for _ in range(50):
            if group.left:
                break
            await asyncio.sleep(0.1)
    assert group.left
    assert server.calls("leaveChat")


async def test_forged_callback_gets_a_polite_answer(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    user = server.user(1006, "Fred", language_code="en")
    async with running_bot(bot_settings(server, database_url), database):
        await user.send_text("/start")
        await user.wait_for(lambda m: bool(m.buttons))
        for forged in ("x" * 64, "s:does-not-exist", "age:999", "", "💥"):
            query = await user.press_data(forged)
            await user.wait_callback_answer(query)
            reply = await user.wait_reply()
            assert reply.text
            if not reply.buttons:  # the apology, then a fresh keyboard
                assert (await user.wait_reply()).buttons


async def test_long_message_and_unsupported_content(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    user = server.user(1007, "Gus", language_code="fr")
    async with running_bot(bot_settings(server, database_url), database):
        await user.send_text("apprendre " * 2000)  # 20,000 characters
        assert (await user.wait_reply()).text
        await user.send_sticker()
        assert (await user.wait_reply()).text
        await user.send_voice()
        assert (await user.wait_reply()).text


async def test_rate_limited_then_success(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    user = server.user(1008, "Hana", language_code="en")
    server.fail_next("sendMessage", status=429, retry_after=1)
    server.fail_next("sendMessage", status=502)
    async with running_bot(bot_settings(server, database_url), database):
        await user.send_text("/start")
        await user.wait_for(has_button("Me"), timeout=10)
    assert server.pending_faults == []


async def test_blocked_user_is_marked_inactive(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    user = server.user(1009, "Ivy", language_code="en")
    other = server.user(1010, "Jo", language_code="en")
    async with running_bot(bot_settings(server, database_url), database):
        server.block_user(user.id)
        await user.send_text("/start")
        # The bot goes on serving everyone else.
        await other.send_text("/start")
        await other.wait_for(has_button("Me"))
        for _ in range(50):
            async with database.sessions() as session:
                citizen = (
                    await session.exec(select(Citizen).where(Citizen.user_id == 1009))
                ).first()
            if citizen is not None and not citizen.active:
                break
            await other.expect_no_reply(within=0.1)
        assert citizen is not None and not citizen.active


async def test_restart_resumes_at_the_same_step(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    tr = translator("en")
    user = server.user(1011, "Kim", language_code="en")
    settings = bot_settings(server, database_url)
    async with running_bot(settings, database):
        await user.send_text("/start")
        await user.wait_for(has_button("Me"))
        await user.press("Me")
        situation_asked = await user.wait_for(has_button(tr.gettext("26 to 44")))
    # A new Application on the same database: the old keyboard still works.
    async with running_bot(settings, database):
        await user.press(tr.gettext("26 to 44"), situation_asked)
        await user.wait_for(has_button(tr.gettext("Job seeker")))


async def test_commands_are_registered_per_language(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    async with running_bot(bot_settings(server, database_url), database):
        pass
    for lang in LANGUAGES:
        assert "search" in server.my_commands(lang)
    assert "help" in server.my_commands()


def _french_fragments() -> set[str]:
    """Pieces of the French interface, which a conversation in another language never shows."""
    with (LOCALES / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        french = read_po(fp, locale="fr")
    fragments: set[str] = set()
    for message in french:
        if not message.id or isinstance(message.id, tuple):
            continue
        assert isinstance(message.string, str)
        if message.string == message.id:
            continue  # the same in French and English ("Tremplin", "OK")
        fragments.update(
            piece.strip() for piece in re.split(r"\{[^{}]*\}", message.string)
            if len(piece.strip()) >= 6
        )
    return fragments


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "fr"])
async def test_the_conversation_speaks_the_citizen_language(
    server: FakeBotApi, database: Database, database_url: str, lang: str
) -> None:
    tr = translator(lang)
    user = server.user(1100 + LANGUAGES.index(lang), "Ana", language_code=lang)
    async with running_bot(bot_settings(server, database_url), database):
        # The walk presses every button by its label in ``lang``: an untranslated label fails.
        await walk_to_results(user, lang)
        for command in ("/profile", "/privacy", "/help", "/nonsense"):
            await user.send_text(command)
            await user.wait_reply()
    offers = {offer.title for offer in await _offers(database)}
    leftovers = _french_fragments()
    for message in user.messages:
        shown = "\n".join([message.text or "", *message.button_texts])
        if any(title in shown for title in offers):
            # A card: its catalogue text may be French (no translation); the labels may not.
            shown = "\n".join(
                line for line in shown.splitlines() if not any(t in line for t in offers)
            )
        found = [fragment for fragment in leftovers if fragment in shown]
        assert not found, (lang, found, shown)
    assert tr.gettext("Skip") in {b for m in user.messages for b in m.button_texts}


async def _offers(database: Database) -> list[Offer]:
    async with database.sessions() as session:
        return await load_offers(session=session)
