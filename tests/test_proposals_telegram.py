"""End to end through the fake Bot API (issue 17): a partner's file is checked as a maintainer's,
queued, approved from the maintainer's buttons or the command line (the partner is told in their
language), or rejected with a reason; a citizen reports a problem from an offer's details;
/forget erases the person's proposals' and reports' personal data."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import pytest_asyncio
from conftest import DATA
from fakeapi import FakeBotApi
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from telegram_helpers import bot_settings, has, running_bot

from bot.chats.database import Database
from bot.cli.main import main
from bot.settings import BotSettings
from catalog.i18n import translator
from catalog.maintenance import proposals, reports
from catalog.maintenance.audit import history
from catalog.maintenance.importer import import_file
from catalog.store.db import SessionMaker
from catalog.store.offers import load_offers
from catalog.store.partner_models import ProblemReport, Proposal

pytestmark = pytest.mark.asyncio

MAINTAINER, PARTNER = 2001, 3001
VALID = (DATA / "catalog" / "valid.csv").read_bytes()
HEADER, NUM, _, _ = VALID.decode().splitlines()
NEW = "\n".join([HEADER, NUM.replace("num-01", "club-09").replace(
    "Atelier smartphone", "Club de lecture")]).encode()
# An existing offer of another provider, changed: approving needs that diff approved.
CHANGES = "\n".join([HEADER, NUM.replace("Atelier smartphone", "Atelier fermé")]).encode()
BAD = "\n".join([HEADER, NUM.replace("digital;inclusive", "nonsense")]).encode()
en, fr = translator("en"), translator("fr")
# A maintainer who never wrote to the bot gets its buttons in the city's default language.
MAINTAINER_TR = fr
QUEUED = ("Thank you! Your proposal #{id} awaits review by the catalogue's maintainers; I will "
          "tell you their answer.")


@pytest_asyncio.fixture
async def database(engine: AsyncEngine, sessions: SessionMaker) -> Database:
    async with sessions() as session:
        await import_file(session=session, data=VALID, source="valid.csv", actor="test")
    return Database(engine=engine, sessions=sessions)


@pytest.fixture
def settings(server: FakeBotApi, database_url: str) -> BotSettings:
    return bot_settings(server, database_url, maintainer_ids=[MAINTAINER])


async def stored(database: Database) -> set[str]:
    async with database.sessions() as session:
        return {offer.id for offer in await load_offers(session=session)}


async def all_proposals(database: Database) -> list[Proposal]:
    async with database.sessions() as session:
        return await proposals.proposals(session=session)


async def test_a_partners_file_is_queued_then_approved_from_the_buttons(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    partner = server.user(PARTNER, "Paule", language_code="fr")
    maintainer = server.user(MAINTAINER, "Maud", language_code="en")
    async with running_bot(settings, database):
        await partner.send_document("club.csv", NEW, "text/csv")
        await partner.wait_for(has(fr.gettext(QUEUED).format(id=1)))
        notice = await maintainer.wait_for(lambda m: m.has_button(MAINTAINER_TR.gettext("Approve")))
        assert "Proposal #1" in (notice.text or "") and "1 added" in (notice.text or "")
        assert "club-09" not in await stored(database)  # waiting for review
        (queued,) = await all_proposals(database)
        assert queued.status == "pending" and queued.offers == ["club-09"]
        await maintainer.press(MAINTAINER_TR.gettext("Approve"), notice)
        await maintainer.wait_for(lambda m: m.edited and "approved" in (m.text or ""))
        told = await partner.wait_for(has("(club.csv)"))
    assert told.text == fr.gettext(
        "Good news: your proposal #{id} ({source}) was approved; its offers are now in the "
        "catalogue. Thank you!").format(id=1, source="club.csv")
    assert "club-09" in await stored(database)
    async with database.sessions() as session:
        last = (await history(session=session))[0]
    assert last.source == "proposal 1: club.csv" and last.actor == f"telegram:{MAINTAINER}"
    assert [item.status for item in await all_proposals(database)] == ["approved"]
    assert server.violations == []


async def test_rejected_from_the_buttons_with_a_reason_told_in_the_partners_language(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    partner = server.user(PARTNER, "Paule", language_code="fr")
    maintainer = server.user(MAINTAINER, "Maud", language_code="en")
    reason = "it is not a learning offer"
    async with running_bot(settings, database):
        await partner.send_document("club.csv", NEW, "text/csv")
        notice = await maintainer.wait_for(lambda m: m.has_button(MAINTAINER_TR.gettext("Reject")))
        await maintainer.press(MAINTAINER_TR.gettext("Reject"), notice)
        # What follows a press is in the maintainer's own language.
        why = await maintainer.wait_for(lambda m: m.has_button(en.gettext(reason)))
        await maintainer.press(en.gettext(reason), why)
        told = await partner.wait_for(has("(club.csv)"))
    assert told.text == fr.gettext("Your proposal #{id} ({source}) was not accepted: {reason}"
                                   ).format(id=1, source="club.csv", reason=fr.gettext(reason))
    assert "club-09" not in await stored(database)
    (rejected,) = await all_proposals(database)
    assert rejected.status == "rejected" and rejected.reason == reason and rejected.data == b""
    assert server.violations == []


async def test_a_bad_file_is_answered_with_its_errors_and_not_queued(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    partner = server.user(PARTNER, "Paule", language_code="en")
    maintainer = server.user(MAINTAINER, "Maud", language_code="en")
    async with running_bot(settings, database):
        await partner.send_document("club.csv", BAD, "text/csv")
        report = await partner.wait_for(lambda m: m.kind == "document")
    assert report.file is not None and report.file.file_name == "club.csv.problems.txt"
    assert b"club.csv:2:" in report.file.data and b"nonsense" in report.file.data
    assert await all_proposals(database) == []
    assert maintainer.messages == []
    assert server.violations == []


async def test_approved_from_the_command_line_changes_to_existing_offers_shown_first(
    server: FakeBotApi, database: Database, settings: BotSettings, database_url: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    partner = server.user(PARTNER, "Paule", language_code="en")
    server.user(MAINTAINER, "Maud", language_code="en")
    monkeypatch.setenv("TREMPLIN_TELEGRAM_TOKEN", server.token)
    monkeypatch.setenv("TREMPLIN_TELEGRAM_API_URL", server.url)

    def tremplin(*args: str) -> int:
        return main(["--database-url", database_url, "catalog", *args])

    async with running_bot(settings, database):
        await partner.send_document("changes.csv", CHANGES, "text/csv")
        await partner.wait_for(has("#1"))
        capsys.readouterr()
        assert await asyncio.to_thread(tremplin, "proposals", "--json") == 0
        assert json.loads(capsys.readouterr().out) == {
            "proposals": [{"id": 1, "status": "pending", "offers": ["num-01"]}]}
        # The diff to another provider's offer is shown; nothing imported without its approval.
        assert await asyncio.to_thread(tremplin, "proposals", "approve", "1") == 2
        shown = capsys.readouterr()
        assert "num-01: title: 'Atelier smartphone' -> 'Atelier fermé'" in shown.out
        assert "--approve-changes" in shown.err
        assert await asyncio.to_thread(
            tremplin, "proposals", "approve", "1", "--approve-changes") == 0
        told = await partner.wait_for(has("was approved"))
    assert "#1 (changes.csv)" in (told.text or "")
    async with database.sessions() as session:
        offers = {offer.id: offer for offer in await load_offers(session=session)}
    assert offers["num-01"].title == "Atelier fermé"
    assert await asyncio.to_thread(tremplin, "rollback") == 0  # audited, reversible
    async with database.sessions() as session:
        offers = {offer.id: offer for offer in await load_offers(session=session)}
    assert offers["num-01"].title == "Atelier smartphone"
    assert await asyncio.to_thread(tremplin, "proposals", "reject", "1", "--reason", "x") == 2
    assert server.violations == []


async def test_a_report_from_a_card_is_listed_and_forget_erases_personal_data(
    server: FakeBotApi, database: Database, settings: BotSettings, database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    citizen = server.user(PARTNER, "Cid", language_code="en")
    server.user(MAINTAINER, "Maud", language_code="en")
    async with running_bot(settings, database):
        await citizen.send_text("/start offer-num-01")
        card = await citizen.wait_for(lambda m: m.has_button(en.gettext("Report a problem")))
        await citizen.press(en.gettext("Report a problem"), card)
        why = await citizen.wait_for(lambda m: m.has_button(en.gettext("Wrong times")))
        await citizen.press(en.gettext("Wrong times"), why)
        await citizen.wait_for(has(en.gettext(
            "Thank you: the catalogue's maintainers will check this offer.")))
        await citizen.send_document("club.csv", NEW, "text/csv")
        await citizen.wait_for(has("#1"))
        capsys.readouterr()
        assert await asyncio.to_thread(
            main, ["--database-url", database_url, "catalog", "reports", "--json"]) == 0
        (listed,) = json.loads(capsys.readouterr().out)["reports"]
        assert listed["offer"] == "num-01" and listed["reason"] == "times" and listed["at"]
        assert await asyncio.to_thread(
            main, ["--database-url", database_url, "catalog", "check", "--json"]) == 0
        problems = json.loads(capsys.readouterr().out)["problems"]
        assert {"offer": "num-01", "kind": "report",
                "detail": "1 report by citizens: times (1)"} in problems
        await citizen.send_text("/forget")
        confirm = await citizen.wait_for(lambda m: m.has_button(en.gettext(
            "Yes, erase everything")))
        await citizen.press(en.gettext("Yes, erase everything"), confirm)
        await citizen.wait_for(has("Done: I erased everything"))
    assert await all_proposals(database) == []  # the pending proposal and its file are gone
    async with database.sessions() as session:
        (report,) = (await session.exec(select(ProblemReport))).all()
    assert report.user_id is None and report.text == "" and report.reason == "times"
    assert server.violations == []


async def test_limits_per_person(sessions: SessionMaker, engine: AsyncEngine) -> None:
    offers: list[Any] = []
    async with sessions() as session:
        for number in range(proposals.MAX_PENDING):
            await proposals.queue(session=session, user_id=7, chat_id=7, language="en",
                                  source=f"{number}.csv", format="csv", data=b"x",
                                  offers=offers)
        with pytest.raises(proposals.Refused) as refused:
            await proposals.queue(session=session, user_id=7, chat_id=7, language="en",
                                  source="more.csv", format="csv", data=b"x", offers=offers)
        assert refused.value.limit == "pending"
        await proposals.check_limits(session=session, user_id=8)  # another person may


async def test_the_daily_job_sends_the_days_reports_to_the_maintainers(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    maintainer = server.user(MAINTAINER, "Maud", language_code="en")
    async with database.sessions() as session:
        for reason in ("times", "times", "closed"):
            await reports.add(session=session, offer_id="num-01", reason=reason, user_id=5)
    async with running_bot(settings, database):  # the daily housekeeping ticks at start
        digest = await maintainer.wait_for(has("Problem reports from citizens"))
    assert digest.text == "\n".join([
        "Problem reports from citizens, last 24 hours: 3",
        "  num-01: closed ×1", "  num-01: times ×2",
        "tremplin catalog reports lists them all; tremplin catalog check counts them."])
    assert server.violations == []


async def test_propose_offers_a_file_then_explains_and_sends_the_template(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    partner = server.user(PARTNER, "Paule", language_code="en")
    async with running_bot(settings, database):
        await partner.send_text("/propose")
        choices = await partner.wait_for(lambda m: m.has_button(en.gettext("Send a file")))
        await partner.press(en.gettext("Send a file"), choices)
        await partner.wait_for(has(en.gettext(
            "To propose learning offers, fill in this file (one row per offer, in place of the "
            "example row) and send it back to me as CSV, Excel (.xlsx) or JSON. I check it at "
            "once, then a maintainer of the catalogue reviews it; I will tell you their answer.")))
        template = await partner.wait_for(lambda m: m.kind == "document")
        await partner.send_text("/help")
        listed = await partner.wait_for(has("/propose"))
    assert template.file is not None and template.file.data.startswith(b"id,title,")
    assert en.gettext("Propose learning offers for the catalogue") in (listed.text or "")
    assert server.violations == []


async def test_something_else_keeps_a_few_words_scrubbed_then_forget_erases_them(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    citizen = server.user(PARTNER, "Cid", language_code="en")
    async with running_bot(settings, database):
        await citizen.send_text("/start offer-num-01")
        card = await citizen.wait_for(lambda m: m.has_button(en.gettext("Report a problem")))
        await citizen.press(en.gettext("Report a problem"), card)
        why = await citizen.wait_for(lambda m: m.has_button(en.gettext("Something else")))
        await citizen.press(en.gettext("Something else"), why)
        prompt = await citizen.wait_for(has("In a few words, what is wrong?"))
        assert prompt.reply_markup is not None and prompt.reply_markup.get("force_reply")
        await citizen.send_text("Moved to rue Blatin, call me at 06 12 34 56 78",
                                reply_to=prompt.message_id)
        await citizen.wait_for(has(en.gettext(
            "Thank you: the catalogue's maintainers will check this offer.")))
        async with database.sessions() as session:
            (report,) = (await session.exec(select(ProblemReport))).all()
        assert report.reason == "other" and report.offer_id == "num-01"
        assert report.text.startswith("Moved to rue Blatin") and "06" not in report.text
        await citizen.send_text("/forget")
        confirm = await citizen.wait_for(lambda m: m.has_button(en.gettext(
            "Yes, erase everything")))
        await citizen.press(en.gettext("Yes, erase everything"), confirm)
        await citizen.wait_for(has("Done: I erased everything"))
    async with database.sessions() as session:
        (report,) = (await session.exec(select(ProblemReport))).all()
    assert (report.reason, report.text, report.user_id) == ("other", "", None)  # text erased
    assert server.violations == []
