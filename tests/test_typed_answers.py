"""End to end through the fake Bot API: the whole questionnaire typed, no button pressed."""

from __future__ import annotations

import pytest
from fakeapi import FakeBotApi, SimUser
from telegram_helpers import bot_settings, has_button, running_bot

from bot.chats.database import Database
from catalog.i18n import translator
from catalog.offer import Offer
from catalog.store.offers import load_offers

pytestmark = pytest.mark.asyncio

# What a citizen types at who, age, situation, interests and where, in their language.
TYPED: dict[str, tuple[str, ...]] = {
    "fr": ("pour moi", "j'ai 34 ans", "demandeur d'emploi", "informatique", "n'importe où"),
    "en": ("for me", "I am 34", "looking for a job", "computer skills", "anywhere"),
    "uk": ("для себе", "34", "шукаю роботу", "цифрові навички", "будь-де"),
    "tr": ("kendim için", "34 yaşındayım", "iş arıyorum", "bilgisayar", "her yerde"),
    "ar": ("لنفسي", "عمري ٣٤", "أبحث عن عمل", "الحاسوب", "في أي مكان"),
}
# A label of the question that each typed answer leads to (the last: the results' closing).
NEXT = ("26 to 44", "Job seeker", "Digital skills", "Anywhere in {city}", "Start over")
CULTURE = frozenset({"history", "arts", "music", "reading"})


async def _type_through(user_texts: tuple[str, ...], user: SimUser, lang: str) -> None:
    """/start, then each text typed at its question; the results' closing must come."""
    tr = translator(lang)
    await user.send_text("/start")
    await user.wait_for(has_button(tr.gettext("Me")))
    for typed, label in zip(user_texts, NEXT, strict=True):
        await user.send_text(typed)
        await user.wait_for(has_button(tr.gettext(label).format(city="Clermont-Ferrand")),
                            timeout=10)


async def _offers(database: Database) -> list[Offer]:
    async with database.sessions() as session:
        return await load_offers(session=session)


@pytest.mark.parametrize("lang", sorted(TYPED))
async def test_the_questionnaire_typed_reaches_results(
    server: FakeBotApi, database: Database, database_url: str, lang: str
) -> None:
    tr = translator(lang)
    user = server.user(1300 + sorted(TYPED).index(lang), "Typist", language_code=lang)
    async with running_bot(bot_settings(server, database_url), database):
        await _type_through(TYPED[lang], user, lang)
    cards = [m for m in user.messages if m.has_button(tr.gettext("Save"))]
    assert cards, [m.text for m in user.messages]
    # Typed answers were never run as a search: no "I did not understand" either.
    said = "\n".join(m.text or "" for m in user.messages)
    for typed in TYPED[lang]:
        assert tr.gettext("I did not understand “{text}”.").format(text=typed) not in said


async def test_a_spanish_retiree_gets_history_or_culture_in_five_inputs(
    server: FakeBotApi, database: Database, database_url: str
) -> None:
    tr = translator("es")
    user = server.user(1400, "Carmen", language_code="es")
    typed = ("para mi", "tengo 70 años", "jubilada", "conferensias de istoria",
             "en cualquier parte")
    async with running_bot(bot_settings(server, database_url), database):
        await _type_through(typed, user, "es")
    by_title = {offer.title_in("es"): offer for offer in await _offers(database)}
    shown = [by_title[title] for m in user.messages if m.has_button(tr.gettext("Save"))
             for title in by_title if (m.text or "").startswith(title)]
    assert shown
    assert any(CULTURE & set(offer.topics) for offer in shown), [o.title for o in shown]
