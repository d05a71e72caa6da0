"""End to end: /catalog lists the offers past their review date with a Confirm button each; a
maintainer's press confirms the offer (audited, as ``tremplin catalog confirm``) and a hidden one
is shown to citizens again; a citizen's forged press changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import pytest_asyncio
from babel.dates import format_date
from factories import offer
from fakeapi import FakeBotApi
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram_helpers import bot_settings, has, running_bot

from bot.chats.database import Database
from bot.settings import BotSettings
from bot.telegram.application import TremplinApplication
from catalog.i18n import translator
from catalog.maintenance.audit import history
from catalog.maintenance.importer import import_offers
from catalog.matching.matcher import match
from catalog.matching.profile import Profile
from catalog.store.db import SessionMaker
from catalog.store.offers import load_offers

pytestmark = pytest.mark.asyncio

MAINTAINER, CITIZEN = 2101, 3101
HIDDEN = "hidden-" + "x" * 57  # 64 characters: its button carries a checksum instead
LONG_AGO = date(2023, 1, 2)  # past twice any review period of 12 months


@pytest.fixture
def settings(server: FakeBotApi, database_url: str) -> BotSettings:
    return bot_settings(server, database_url, maintainer_ids=[MAINTAINER])


def _months_ago(today: date, months: int) -> date:
    month = today.month - 1 - months
    return date(today.year + month // 12, month % 12 + 1, min(today.day, 28))


@pytest_asyncio.fixture
async def database(engine: AsyncEngine, sessions: SessionMaker, settings: BotSettings) -> Database:
    """One hidden offer, eleven stale but still shown, one fresh."""
    today = settings.today()
    stale = [offer(f"stale-{n:02d}", updated_on=_months_ago(today, 13)) for n in range(11)]
    offers = [offer(HIDDEN, title="Atelier caché", updated_on=LONG_AGO), *stale,
              offer("fresh", updated_on=today)]
    async with sessions() as session:
        await import_offers(session=session, offers=offers, source="f.csv", checksum="",
                            format="csv", actor="test", today=today)
    return Database(engine=engine, sessions=sessions)


async def _shown(application: TremplinApplication, today: date) -> set[str]:
    """The ids a citizen can be shown, from the running bot's own catalogue index."""
    async with application.bot_data.database.sessions() as session:
        index = await application.bot_data.catalog.index(session=session)
    return {found.offer.id for found in match(Profile(), index, today=today, limit=50)}


async def test_a_maintainer_confirms_a_hidden_offer_with_its_button(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    today = settings.today()
    maintainer = server.user(MAINTAINER, "Maud", language_code="en")
    async with running_bot(settings, database) as application:
        assert HIDDEN not in await _shown(application, today)
        await maintainer.send_text("/catalog")
        listed = await maintainer.wait_for(has("12 offers are past their review date"))
        text = listed.text or ""
        # The hidden one first; ten listed, each with its button; the others named by count.
        assert text.index(HIDDEN) < text.index("stale-00") and "stale-09" not in text
        assert "Atelier caché (updated on 2 January 2023; hidden from citizens)" in text
        assert "…and 2 more: tremplin catalog check lists them all." in text
        assert len(listed.buttons) == 10 and listed.button_texts[0] == f"Confirm {HIDDEN}"
        assert all(len(button["callback_data"].encode()) <= 64 for button in listed.buttons)
        query = await maintainer.press(f"Confirm {HIDDEN}", listed)
        answer = await maintainer.wait_callback_answer(query)
        day = format_date(today, "long", locale="en_GB")
        assert answer.text == f"{HIDDEN} confirmed: updated on {day}."
        assert HIDDEN in await _shown(application, today)
    async with database.sessions() as session:
        stored = {item.id: item for item in await load_offers(session=session)}
        assert (await history(session=session))[0].actor == f"telegram:{MAINTAINER}"
    assert stored[HIDDEN].updated_on == today and stored["stale-00"].updated_on != today
    assert server.violations == []


async def test_a_citizens_forged_confirm_is_refused(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    citizen = server.user(CITIZEN, "Cid", language_code="en")
    async with running_bot(settings, database):
        await citizen.send_text("/catalog")  # an unknown command for a citizen
        await citizen.wait_reply()
        query = await citizen.press_data("c:stale-00")
        answer = await citizen.wait_callback_answer(query)
        assert answer.text == "Only catalogue maintainers can do this."
    async with database.sessions() as session:
        stored = {item.id: item for item in await load_offers(session=session)}
        assert len(await history(session=session)) == 1  # the fixture's import only
    assert stored["stale-00"].updated_on != settings.today()
    assert not any("past their review date" in (m.text or "") for m in citizen.messages)
    assert server.violations == []


async def test_the_daily_job_tells_maintainers_what_went_past_its_review_today(
    server: FakeBotApi, engine: AsyncEngine, sessions: SessionMaker, settings: BotSettings
) -> None:
    # One offer went stale today, one was hidden from citizens today; the others were already
    # stale (listed by /catalog, not told again every day) or are fresh.
    today = settings.today()
    newly_stale = next(day for day in (today - timedelta(days=n) for n in range(360, 400))
                       if offer("x", updated_on=day).review_due == today - timedelta(days=1))
    newly_hidden = next(day for day in (today - timedelta(days=n) for n in range(720, 760))
                        if offer("x", updated_on=day).hidden_from == today - timedelta(days=1))
    offers = [offer("went-stale", updated_on=newly_stale),
              offer("went-hidden", updated_on=newly_hidden),
              offer("long-stale", updated_on=_months_ago(today, 14)),
              offer("fresh", updated_on=today)]
    async with sessions() as session:
        await import_offers(session=session, offers=offers, source="f.csv", checksum="",
                            format="csv", actor="test", today=today)
    database = Database(engine=engine, sessions=sessions)
    maintainer = server.user(MAINTAINER, "Maud", language_code="en")
    fr = translator("fr")  # the city's language: this maintainer never chose one in the chat
    async with running_bot(settings, database):  # the daily housekeeping ticks at start
        told = await maintainer.wait_for(has(fr.ngettext(
            "{n} offer is past its review date: confirm it if it is still true.",
            "{n} offers are past their review date: confirm those still true.", 2).format(n=2)))
    text = told.text or ""
    assert text.index("went-hidden") < text.index("went-stale")
    assert "long-stale" not in text and "fresh" not in text
    assert told.button_texts == [fr.gettext("Confirm {id}").format(id=name)
                                 for name in ("went-hidden", "went-stale")]
    assert server.violations == []
