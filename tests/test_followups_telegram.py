"""Follow-ups end to end: the real PTB Application and ``tremplin jobs run followups`` against
the fake Bot API. A citizen opens an offer's details; ten days later one question asks how it
went, once; the answer (and why they could not go) is kept once and counted in the statistics;
``/followups off`` stops them; ``/forget`` erases them."""

from __future__ import annotations

import asyncio
import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from fakeapi import BotMessage, FakeBotApi, SimUser
from sqlmodel import col, select
from stats_helpers import KEY
from telegram_helpers import bot_settings, has_button, running_bot, walk_to_results

from bot.chats.database import Database
from bot.chats.models import FollowUp, FollowUpPerson
from bot.cli.main import main
from catalog.stats.events import StatsEvent

pytestmark = pytest.mark.asyncio

ASKED, REFUSER = 8_300_000_001, 8_300_000_002
TODAY = date.today()
QUESTION = "About ten days ago you looked at"


async def _jobs_run(server: FakeBotApi, database_url: str, monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str], day: date) -> str:
    monkeypatch.setenv("TREMPLIN_TELEGRAM_TOKEN", server.token)
    monkeypatch.setenv("TREMPLIN_TELEGRAM_API_URL", server.url)
    code = await asyncio.to_thread(main, ["--database-url", database_url, "jobs", "run",
                                          "followups", "--today", day.isoformat()])
    out = capsys.readouterr().out
    assert code == 0, out
    return out.strip()


async def _open_details(user: SimUser) -> None:
    await walk_to_results(user, "en")
    card = next(m for m in reversed(user.messages) if m.has_button("Details"))
    await user.press("Details", card)
    await user.wait_for(has_button("Save"))


def _questions(user: SimUser) -> list[BotMessage]:
    return [m for m in user.messages if (m.text or "").startswith(QUESTION)]


async def _rows(database: Database, user_id: int) -> tuple[list[FollowUp], list[FollowUpPerson]]:
    async with database.sessions() as session:
        asked = (await session.exec(select(FollowUp).where(col(FollowUp.user_id) == user_id))).all()
        person = (await session.exec(
            select(FollowUpPerson).where(col(FollowUpPerson.user_id) == user_id))).all()
    return list(asked), list(person)


async def _facts(database: Database, kind: str) -> list[dict[str, object]]:
    async with database.sessions() as session:
        rows = (await session.exec(select(StatsEvent).where(col(StatsEvent.kind) == kind))).all()
    return [dict(row.facts) for row in rows]


async def test_a_followup_is_asked_once_its_answer_counted_and_forget_erases_it(
    server: FakeBotApi, database: Database, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    user = server.user(ASKED, "Ada", language_code="en")
    async with running_bot(bot_settings(server, database_url, pseudonym_key=KEY), database):
        await _open_details(user)
        # Too early: nothing; ten days later: one question, which offers to stop them.
        assert await _jobs_run(server, database_url, monkeypatch, capsys,
                               TODAY + timedelta(days=5)) == (
            "followups: 0 written, 0 sent, 0 blocked, 0 failed, 0 waiting")
        assert await _jobs_run(server, database_url, monkeypatch, capsys,
                               TODAY + timedelta(days=11)) == (
            "followups: 1 written, 1 sent, 0 blocked, 0 failed, 0 waiting")
        question = await user.wait_for(lambda m: (m.text or "").startswith(QUESTION))
        assert question.has_button("Stop these questions")
        assert question.has_button("I went, it was useful")
        # Never twice about one offer, whatever the day.
        for later in (11, 30):
            out = await _jobs_run(server, database_url, monkeypatch, capsys,
                                  TODAY + timedelta(days=later))
            assert out.startswith("followups: 0 written, 0 sent")

        await user.press("I could not", question)
        reasons = await user.wait_for(has_button("Too far"))
        await user.press("Too far", reasons)
        await user.wait_for(lambda m: (m.text or "").startswith("Thank you: this helps"))
        # A second tap on the old question is not counted again.
        await user.press("I went, it was useful", question)
        await user.wait_for(lambda m: (m.text or "").startswith("Thank you! I am glad"))
        assert len(_questions(user)) == 1

        answers = await _facts(database, "followup")
        assert [(f["answer"], bool(f["offer"])) for f in answers] == [("could_not", True)]
        assert [f["reason"] for f in await _facts(database, "followup_why")] == ["far"]
        asked, _person = await _rows(database, ASKED)
        assert [(row.answer, row.reason) for row in asked] == [("could_not", "far")]
        # tremplin stats shows them (a threshold of 1: this test's one person).
        monkeypatch.setenv("TREMPLIN_PSEUDONYM_KEY", KEY)
        monkeypatch.setenv("TREMPLIN_STATS_MIN_COUNT", "1")
        code = await asyncio.to_thread(main, ["--database-url", database_url, "stats",
                                              "--csv", str(tmp_path / "stats.csv")])
        assert code == 0
        assert "How it went (follow-ups): 1 answers" in capsys.readouterr().out
        with (tmp_path / "stats.csv").open(encoding="utf-8") as file:
            figures = {tuple(row[:3]): row[3] for row in csv.reader(file)}
        assert figures["followups", "could_not", "people"] == "1"
        assert figures["followups", "useful", "people"] == "0"
        assert figures["followup_reasons", "far", "people"] == "1"
        by_mission = {key[1]: value for key, value in figures.items()
                      if key[0] == "followup_missions" and key[2] == "could_not"}
        assert by_mission and set(by_mission.values()) == {"1"}
        assert figures["followup_offers", asked[0].offer_id, "why_far"] == "1"

        await user.send_text("/forget")
        await user.press("Yes, erase everything", await user.wait_for(
            has_button("Yes, erase everything")))
        await user.wait_for(lambda m: "erased" in (m.text or "").casefold())
    assert await _rows(database, ASKED) == ([], [])
    # Pseudonymised aggregates stay; the raw events went with the citizen.
    assert await _facts(database, "followup") == []


async def test_followups_off_stops_them_and_erases_what_was_waiting(
    server: FakeBotApi, database: Database, database_url: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    user = server.user(REFUSER, "Rex", language_code="en")
    async with running_bot(bot_settings(server, database_url), database):
        await _open_details(user)
        await user.send_text("/followups")
        await user.wait_for(lambda m: (m.text or "").startswith("Follow-ups are on."))
        await user.send_text("/followups off")
        await user.wait_for(lambda m: (m.text or "").startswith("Follow-ups are off. I erased"))
        assert (await _rows(database, REFUSER))[0] == []
        # Looked at again: not noted while they are off.
        card = next(m for m in reversed(user.messages) if m.has_button("Details"))
        await user.press("Details", card)
        await user.wait_for(has_button("Back to the results"))
        out = await _jobs_run(server, database_url, monkeypatch, capsys,
                              TODAY + timedelta(days=11))
        assert out.startswith("followups: 0 written, 0 sent")
        await user.send_text("/followups")
        await user.wait_for(lambda m: (m.text or "").startswith("Follow-ups are off."))
    assert _questions(user) == []
    asked, person = await _rows(database, REFUSER)
    assert asked == [] and [p.enabled for p in person] == [False]
