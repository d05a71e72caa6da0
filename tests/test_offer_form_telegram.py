"""End to end through the fake Bot API (issue 17): the guided /propose form. A partner describes
one offer question by question in their language; a bad link is refused with its reason and
asked again; the inferred topics are shown and changed; Confirm queues it as a file's proposal,
approved from the command line into the catalogue, where matching finds it. The form survives a
restart, /cancel closes it, /forget erases it."""

from __future__ import annotations

import asyncio
import json

import pytest
import pytest_asyncio
from conftest import DATA
from fakeapi import BotMessage, FakeBotApi, SimUser
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from telegram_helpers import bot_settings, has, running_bot

from bot.chats.database import Database
from bot.chats.models import OfferForm
from bot.cli.main import main
from bot.engine.offer_form import QUESTIONS as QUESTION
from bot.settings import BotSettings
from catalog.i18n import Translator, translator
from catalog.maintenance import proposals
from catalog.maintenance.importer import import_file
from catalog.store.db import SessionMaker

pytestmark = pytest.mark.asyncio

MAINTAINER, PARTNER = 2001, 3001
fr, uk = translator("fr"), translator("uk")
OFFER_ID = "prop-1-atelier-de-programmation-pour-debutants"


@pytest_asyncio.fixture
async def database(engine: AsyncEngine, sessions: SessionMaker) -> Database:
    async with sessions() as session:
        data = (DATA / "catalog" / "valid.csv").read_bytes()
        await import_file(session=session, data=data, source="valid.csv", actor="test")
    return Database(engine=engine, sessions=sessions)


@pytest.fixture
def settings(server: FakeBotApi, database_url: str) -> BotSettings:
    return bot_settings(server, database_url, maintainer_ids=[MAINTAINER])


async def asked(user: SimUser, tr: Translator, step: str) -> BotMessage:
    return await user.wait_for(has(tr.gettext(QUESTION[step])))


async def begin(user: SimUser, tr: Translator) -> None:
    await user.send_text("/propose")
    choices = await user.wait_for(lambda m: m.has_button(tr.gettext("Describe one offer here")))
    await user.press(tr.gettext("Describe one offer here"), choices)
    await asked(user, tr, "title")


async def forms(database: Database) -> list[OfferForm]:
    async with database.sessions() as session:
        return list((await session.exec(select(OfferForm))).all())


async def test_a_partner_describes_one_offer_in_french_approved_then_matched(
    server: FakeBotApi, database: Database, settings: BotSettings, database_url: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    partner = server.user(PARTNER, "Paule", language_code="fr")
    maintainer = server.user(MAINTAINER, "Maud", language_code="fr")
    monkeypatch.setenv("TREMPLIN_TELEGRAM_TOKEN", server.token)
    monkeypatch.setenv("TREMPLIN_TELEGRAM_API_URL", server.url)

    def tremplin(*args: str) -> int:
        return main(["--database-url", database_url, *args])

    async with running_bot(settings, database):
        await begin(partner, fr)
        # A typed answer is the form's, not a search.
        await partner.send_text("Atelier de programmation pour débutants")
        await asked(partner, fr, "provider")
        await partner.send_text("Club <Code> & Co")
        await asked(partner, fr, "description")
        await partner.send_text("Apprendre à coder pas à pas.")
        await asked(partner, fr, "schedule")
        await partner.send_text("mercredis 14h-16h")
        await asked(partner, fr, "where")
        await partner.send_text("12 rue Blatin")
        await asked(partner, fr, "price")
        await partner.send_text("gratuit")
        await asked(partner, fr, "url")
        await partner.send_text("ftp://example.org/code")
        refused = await partner.wait_for(has(fr.gettext("I cannot keep this answer: {reason}")
                                             .split("{")[0]))
        assert "ftp://example.org/code" in (refused.text or "")
        await asked(partner, fr, "url")  # the same question again, nothing lost
        await partner.send_text("https://example.org/code")
        groups = await partner.wait_for(lambda m: m.has_button(fr.gettext("Student")))
        await partner.press(fr.gettext("Student"), groups)
        ticked = await partner.wait_for(lambda m: m.edited and m.has_button(
            "✅ " + fr.gettext("Student")))
        await partner.press(fr.gettext("Done"), ticked)
        card = await partner.wait_for(has(fr.gettext("Your offer")))
        text = card.text or ""
        assert "Club <Code> & Co" in text and "12 rue Blatin" in text  # escaped, shown as typed
        assert f"{fr.gettext('Topics')}: {fr.gettext('Digital skills')}" in text  # inferred
        assert fr.gettext("Free") in text and fr.gettext("Student") in text
        await partner.press(fr.gettext("Change topics"), card)
        topics = await partner.wait_for(lambda m: m.edited and m.has_button(
            "✅ " + fr.gettext("Digital skills")))
        await partner.press(fr.gettext("Science"), topics)
        topics = await partner.wait_for(lambda m: m.edited and m.has_button(
            "✅ " + fr.gettext("Science")))
        await partner.press(fr.gettext("Done"), topics)
        card = await partner.wait_for(lambda m: m.edited and fr.gettext("Science") in (
            m.text or ""))
        await partner.press(fr.gettext("Confirm"), card)
        await partner.wait_for(has(fr.gettext(
            "Thank you! Your proposal #{id} awaits review by the catalogue's maintainers; I "
            "will tell you their answer.").format(id=1)))
        notice = await maintainer.wait_for(lambda m: m.has_button(fr.gettext("Approve")))
        assert "Proposal #1" in (notice.text or "") and "1 added" in (notice.text or "")
        assert await forms(database) == []
        capsys.readouterr()
        assert await asyncio.to_thread(tremplin, "catalog", "proposals", "--json") == 0
        assert json.loads(capsys.readouterr().out) == {
            "proposals": [{"id": 1, "status": "pending", "offers": [OFFER_ID]}]}
        assert await asyncio.to_thread(tremplin, "catalog", "proposals", "approve", "1") == 0
        await partner.wait_for(has("(décrite dans la conversation) a été approuvée"))
    capsys.readouterr()
    assert await asyncio.to_thread(
        tremplin, "match", "--text", "programmation", "--json") == 0
    (found, *_) = json.loads(capsys.readouterr().out)["results"]
    assert found["id"] == OFFER_ID and found["title"] == "Atelier de programmation pour débutants"
    assert server.violations == []


async def test_in_ukrainian_the_form_survives_a_restart_and_cancel_closes_it(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    partner = server.user(PARTNER, "Olena", language_code="uk")
    async with running_bot(settings, database):
        await begin(partner, uk)
        await partner.send_text("Розмовний клуб англійської мови")
        await asked(partner, uk, "provider")
        await partner.send_text("Бібліотека")
    async with running_bot(settings, database):  # a restart: the answers are in the database
        await asked(partner, uk, "description")
        await partner.send_text("Говоримо англійською щотижня.")
        for step in ("schedule", "where"):
            await partner.press(uk.gettext("Skip"), await asked(partner, uk, step))
        await asked(partner, uk, "price")
        await partner.send_text("безкоштовно")
        await partner.press(uk.gettext("Skip"), await asked(partner, uk, "url"))
        groups = await partner.wait_for(lambda m: m.has_button(uk.gettext("Everyone")))
        await partner.press(uk.gettext("Everyone"), groups)
        card = await partner.wait_for(has(uk.gettext("Your offer")))
        assert "Розмовний клуб англійської мови" in (card.text or "")
        assert uk.gettext("Free") in (card.text or "")
        assert uk.gettext("Foreign languages") in (card.text or "")  # inferred from Ukrainian
        await partner.send_text("/cancel")
        await partner.wait_for(has(uk.gettext("The offer was not sent. /propose starts again.")))
        assert await forms(database) == []
        # Its buttons are now those of a closed form.
        await partner.press(uk.gettext("Confirm"), card)
        await partner.wait_for(has(uk.gettext("This form is closed. /propose starts again.")))
    async with database.sessions() as session:
        assert await proposals.proposals(session=session) == []
    assert server.violations == []


async def test_forget_erases_a_form_in_progress(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    partner = server.user(PARTNER, "Paule", language_code="fr")
    async with running_bot(settings, database):
        await begin(partner, fr)
        await partner.send_text("Atelier tricot")
        await asked(partner, fr, "provider")
        assert [form.state["cells"] for form in await forms(database)] == [
            {"title": "Atelier tricot"}]
        await partner.send_text("/forget")
        confirm = await partner.wait_for(lambda m: m.has_button(fr.gettext(
            "Yes, erase everything")))
        await partner.press(fr.gettext("Yes, erase everything"), confirm)
        await partner.wait_for(lambda m: not m.has_button(fr.gettext("Yes, erase everything"))
                               and m.text is not None)
        assert await forms(database) == []
        # A typed text is the conversation's again.
        await partner.send_text("Atelier couture")
        reply = await partner.wait_for()
        assert fr.gettext(QUESTION["provider"]) not in (reply.text or "")
    assert server.violations == []
