"""Alerts end to end: the real PTB Application and ``tremplin jobs run alerts`` against the fake
Bot API server. Subscribe with the buttons, import a new matching offer, run the job: the
subscriber gets exactly one digest, nobody else anything, and a second run nothing."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from conversation_helpers import make_offer
from fakeapi import BotMessage, FakeBotApi, SimUser
from sqlmodel import col, select
from telegram_helpers import bot_settings, has_button, running_bot, walk_to_results

from bot.chats.database import Database
from bot.chats.models import Citizen
from bot.cli.main import main
from catalog.maintenance.importer import import_offers
from catalog.offer import LocalText, Offer

pytestmark = pytest.mark.asyncio

SUBSCRIBER, OTHER, BLOCKER = 8_200_000_001, 8_200_000_002, 8_200_000_003
TODAY = date.today()


def _workshop(offer_id: str) -> Offer:
    return make_offer(offer_id, title="Atelier smartphone", topics=("digital",),
                      translations={"en": LocalText("Smartphone workshop", "Use your phone.")})


async def _import(database: Database, *offers: Offer) -> None:
    async with database.sessions() as session:
        await import_offers(session=session, offers=list(offers), source="new.csv",
                            checksum="x", format="csv", actor="test")


async def _subscribe(user: SimUser) -> None:
    results = await walk_to_results(user, "en")
    await user.press("Tell me about new offers like these", results)
    consent = await user.wait_for(has_button("Yes, tell me"))
    assert "never your own sentences" in (consent.text or "")
    await user.press("Yes, tell me", consent)
    await user.wait_for(lambda m: (m.text or "").startswith("Done: I will tell you"))


async def _jobs_run(server: FakeBotApi, database_url: str, monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str], day: date) -> str:
    monkeypatch.setenv("TREMPLIN_TELEGRAM_TOKEN", server.token)
    monkeypatch.setenv("TREMPLIN_TELEGRAM_API_URL", server.url)
    code = await asyncio.to_thread(main, ["--database-url", database_url, "jobs", "run",
                                          "alerts", "--today", day.isoformat()])
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def _digests(user: SimUser) -> list[BotMessage]:
    return [m for m in user.messages
            if (m.text or "").startswith("New offers that fit your answers:")]


async def test_the_subscriber_is_told_once_nobody_else_and_alerts_off_stops_it(
    server: FakeBotApi, database: Database, database_url: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    subscriber = server.user(SUBSCRIBER, "Sue", language_code="en")
    other = server.user(OTHER, "Otto", language_code="en")
    async with running_bot(bot_settings(server, database_url), database):
        await _subscribe(subscriber)
        await walk_to_results(other, "en")
        await _import(database, _workshop("alert-e2e-1"))

        out = await _jobs_run(server, database_url, monkeypatch, capsys, TODAY)
        assert out.strip() == ("alerts: 1 written, 1 sent, 0 blocked, 0 failed, 0 waiting")
        digest = await subscriber.wait_for(
            lambda m: (m.text or "").startswith("New offers that fit your answers:"))
        assert "Smartphone workshop" in (digest.text or "")
        assert _digests(other) == []

        out = await _jobs_run(server, database_url, monkeypatch, capsys, TODAY)
        assert "0 written, 0 sent" in out
        assert len(_digests(subscriber)) == 1

        # The digest's one-tap stop; a week later a new offer tells nobody.
        await subscriber.press("Stop these alerts", digest)
        await subscriber.wait_for(lambda m: (m.text or "").startswith("Alerts are off."))
        await _import(database, _workshop("alert-e2e-2"))
        out = await _jobs_run(server, database_url, monkeypatch, capsys,
                              TODAY + timedelta(days=8))
        assert "0 written, 0 sent" in out
        await subscriber.expect_no_reply(within=0.3)
    assert len(_digests(subscriber)) == 1


async def test_a_429_is_waited_out_and_a_403_marks_the_citizen_inactive(
    server: FakeBotApi, database: Database, database_url: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    subscriber = server.user(SUBSCRIBER, "Sue", language_code="en")
    blocker = server.user(BLOCKER, "Bo", language_code="en")
    async with running_bot(bot_settings(server, database_url), database):
        await _subscribe(subscriber)
        await _subscribe(blocker)
        await _import(database, _workshop("alert-e2e-1"))
        server.block_user(BLOCKER)
        server.fail_next("sendMessage", 429, retry_after=1, chat_id=SUBSCRIBER)
        out = await _jobs_run(server, database_url, monkeypatch, capsys, TODAY)
        assert "1 sent, 1 blocked, 0 failed, 0 waiting" in out
        await subscriber.wait_for(
            lambda m: (m.text or "").startswith("New offers that fit your answers:"))
    assert len(_digests(subscriber)) == 1 and _digests(blocker) == []
    async with database.sessions() as session:
        citizen = (await session.exec(
            select(Citizen).where(col(Citizen.user_id) == BLOCKER))).one()
    assert citizen.active is False
