"""Alerts on new offers: the engine's switch, the weekly digests and the outbox that sends each
message once (through a recording sender here; through the fake Bot API in
test_alerts_telegram.py). Run on PostgreSQL too with TREMPLIN_TEST_DATABASE_URL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conversation_helpers import context, make_offer
from sqlalchemy import func
from sqlmodel import col, select

from bot.alerts import job, lease
from bot.alerts.compose import compose
from bot.alerts.outbox import Delivery, deliver
from bot.chats.conversations import process
from bot.chats.models import AlertOutbox, AlertSubscription, AlertTold, Citizen
from bot.cli.main import main
from bot.engine import alerts
from bot.engine.context import SetAlerts
from bot.engine.dialogue import step
from bot.engine.inputs import Command, Input, Press
from bot.engine.replies import Reply
from bot.engine.state import Conversation
from catalog.i18n import translator
from catalog.maintenance.importer import import_offers
from catalog.offer import LocalText, Offer
from catalog.settings import Settings
from catalog.store.db import Database
from catalog.store.leases import JobLease
from catalog.store.snapshot import CatalogSnapshot

TODAY = date(2026, 12, 3)
NOON = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)  # 12:00 in Paris
SUBSCRIBER, OTHER = 7_100_000_001, 7_100_000_002


# --- The engine: consent, what is kept, the switch -------------------------------------------


def _run(state: Conversation, event: Input, **ctx: object) -> tuple[Conversation, list[Reply],
                                                                       tuple[object, ...]]:
    outcome = step(state, event, context(**ctx))  # type: ignore[arg-type]
    return outcome.state, list(outcome.replies), outcome.effects


def test_results_offer_alerts_and_the_consent_says_what_is_kept() -> None:
    state = Conversation(language="en", greeted=True)
    state, replies, _ = _run(state, Command("search", "computer lessons"))
    footer = replies[-1]
    assert ("Tell me about new offers like these", "alerts:ask") in [
        (b.label, b.action) for b in footer.all_buttons()]
    _, asked, effects = _run(state, Press("alerts:ask"))
    assert asked[0].text == translator("en").gettext(alerts.KEPT)
    assert effects == ()  # nothing is kept before the explicit yes
    _, done, effects = _run(state, Press("alerts:on"))
    assert "at most once a week" in done[0].text
    assert effects == (SetAlerts({"topics": [], "situations": [], "words": "computer lessons",
                                  "age": None, "child_ages": [], "where": None,
                                  "free_only": False}),)
    # Once subscribed, the results offer no second subscription.
    _, again, _ = _run(state, Press("go:results"), alerts=True)
    assert "alerts:ask" not in [b.action for b in again[-1].all_buttons()]


def test_the_typed_text_is_never_kept_only_its_keywords() -> None:
    state = Conversation(language="en", greeted=True)
    state, _, _ = _run(state, Command("search", "cooking, call me 06 12 34 56 78 jo@mail.fr"))
    _, _, effects = _run(state, Command("alerts", "on"))
    (effect,) = effects
    assert isinstance(effect, SetAlerts) and effect.watch is not None
    assert effect.watch["words"] == "call cooking"  # no number, no address


def test_alerts_need_something_to_watch_and_say_their_state() -> None:
    state = Conversation(language="en", greeted=True)
    _, replies, effects = _run(state, Command("alerts", "on"))
    assert effects == () and replies[0].text.startswith("Tell me first")
    _, off, _ = _run(state, Command("alerts"))
    assert off[0].text.startswith("Alerts are off.")
    _, on, _ = _run(state, Command("alerts"), alerts=True)
    assert on[0].text.startswith("Alerts are on")
    assert "alerts:off" in [b.action for b in on[0].all_buttons()]
    _, stopped, effects = _run(state, Command("alerts", "off"), alerts=True)
    assert effects == (SetAlerts(None),) and stopped[0].text.startswith("Alerts are off.")
    _, privacy, _ = _run(state, Command("privacy"))
    assert "/alerts" in privacy[0].text


# --- The job on a database ------------------------------------------------------------------


def _settings(database_url: str, **fields: object) -> Settings:
    return Settings(_env_file=None, database_url=database_url, **fields)  # type: ignore[arg-type]


def _smartphone(offer_id: str = "alert-new-1") -> Offer:
    return make_offer(offer_id, title="Atelier smartphone", keywords=("smartphone",),
                      translations={"en": LocalText("Smartphone workshop", "Use your phone.")})


async def _say(database: Database, settings: Settings, user: int, *events: Input) -> None:
    for event in events:
        await process(database=database, chat_id=user, user_id=user, language_code="en",
                      event=event, catalog=CatalogSnapshot(), settings=settings, today=TODAY)


async def _subscribe(database: Database, settings: Settings, user: int) -> None:
    await _say(database, settings, user, Command("search", "smartphone"),
               Command("alerts", "on"))


async def _import(database: Database, *offers: Offer) -> None:
    async with database.sessions() as session:
        await import_offers(session=session, offers=list(offers), source="new.csv",
                            checksum="x", format="csv", actor="test")


class Recorder:
    """A sender that records what it was given; ``crash_at`` raises at that call instead,
    ``hang_at`` never answers that call (``hung`` is set: the process is stopped there)."""

    def __init__(self, crash_at: int | None = None, pause: float = 0.0,
                 hang_at: int | None = None) -> None:
        self.sent: list[tuple[int, Reply]] = []
        self.calls = 0
        self.crash_at = crash_at
        self.hang_at = hang_at
        self.pause = pause
        self.first = asyncio.Event()
        self.hung = asyncio.Event()

    async def __call__(self, chat_id: int, reply: Reply) -> Delivery:
        self.calls += 1
        if self.calls == self.crash_at:
            raise RuntimeError("the process dies here")
        if self.calls == self.hang_at:
            self.hung.set()
            await asyncio.Event().wait()
        await asyncio.sleep(self.pause)
        self.sent.append((chat_id, reply))
        self.first.set()
        return Delivery.SENT


async def _run_job(database: Database, settings: Settings, send: Recorder,
                   now: datetime = NOON) -> job.Report:
    return await job.run(database=database, catalog=CatalogSnapshot(), settings=settings,
                         send=send, now=now, today=now.date())


@pytest.mark.asyncio
async def test_a_subscriber_is_told_once_and_nobody_else(
    database: Database, database_url: str
) -> None:
    settings = _settings(database_url)
    await _subscribe(database, settings, SUBSCRIBER)
    await _say(database, settings, OTHER, Command("search", "smartphone"))
    await _import(database, _smartphone())

    sender = Recorder()
    report = await _run_job(database, settings, sender)
    assert (report.written, report.delivered.sent) == (1, 1)
    ((chat, digest),) = sender.sent
    assert chat == SUBSCRIBER
    assert "Smartphone workshop" in digest.text
    assert ("Stop these alerts", "alerts:off") in [(b.label, b.action)
                                                    for b in digest.all_buttons()]
    assert "d:alert-new-1" in [b.action for b in digest.all_buttons()]

    again = await _run_job(database, settings, sender, NOON + timedelta(days=8))
    assert (again.written, again.delivered.sent, len(sender.sent)) == (0, 0, 1)


@pytest.mark.asyncio
async def test_at_most_one_digest_a_week_of_the_best_three(
    database: Database, database_url: str
) -> None:
    settings = _settings(database_url)
    await _subscribe(database, settings, SUBSCRIBER)
    await _import(database, *(_smartphone(f"alert-new-{n}") for n in range(5)))
    sender = Recorder()
    await _run_job(database, settings, sender)
    ((_, digest),) = sender.sent
    assert digest.text.count("Smartphone workshop") == 3
    assert "go:results" in [b.action for b in digest.all_buttons()]  # "more"
    await _run_job(database, settings, sender, NOON + timedelta(days=3))
    assert len(sender.sent) == 1  # within the week: the two others wait
    await _run_job(database, settings, sender, NOON + timedelta(days=7))
    assert len(sender.sent) == 2 and sender.sent[1][1].text.count("Smartphone workshop") == 2


@pytest.mark.asyncio
async def test_alerts_off_stops_them_and_forget_erases_everything(
    database: Database, database_url: str
) -> None:
    settings = _settings(database_url)
    await _subscribe(database, settings, SUBSCRIBER)
    await _say(database, settings, SUBSCRIBER, Press("alerts:off"))
    await _import(database, _smartphone())
    sender = Recorder()
    await _run_job(database, settings, sender)
    assert sender.sent == []

    await _subscribe(database, settings, SUBSCRIBER)
    await _import(database, _smartphone("alert-new-2"))
    await compose(database=database, catalog=CatalogSnapshot(), now=NOON, today=TODAY)
    await _say(database, settings, SUBSCRIBER, Command("forget"), Press("forget:yes"))
    async with database.sessions() as session:
        for table in (AlertSubscription, AlertTold, AlertOutbox):
            count = (await session.exec(select(func.count()).select_from(table))).one()
            assert count == 0, table.__name__


@pytest.mark.asyncio
async def test_never_at_night_in_the_city(database: Database, database_url: str) -> None:
    settings = _settings(database_url, timezone="Europe/Paris", quiet_hours="21-8")
    await _subscribe(database, settings, SUBSCRIBER)
    await _import(database, _smartphone())
    sender = Recorder()
    night = datetime(2026, 12, 3, 22, 30, tzinfo=UTC)  # 23:30 in Paris
    report = await _run_job(database, settings, sender, night)
    assert report.quiet and report.written == 1 and sender.sent == []
    morning = datetime(2026, 12, 4, 7, 30, tzinfo=UTC)  # 8:30 in Paris
    assert (await _run_job(database, settings, sender, morning)).delivered.sent == 1


async def _many_digests(database: Database, settings: Settings, count: int) -> list[int]:
    users = [SUBSCRIBER + n for n in range(count)]
    for user in users:
        await _subscribe(database, settings, user)
    await _import(database, _smartphone())
    composed = await compose(database=database, catalog=CatalogSnapshot(), now=NOON,
                             today=TODAY)
    assert composed.written == count
    return users


@pytest.mark.asyncio
async def test_a_run_that_dies_midway_then_a_rerun_send_each_message_exactly_once(
    database: Database, database_url: str
) -> None:
    settings = _settings(database_url)
    users = await _many_digests(database, settings, 12)
    crashing = Recorder(crash_at=5)
    with pytest.raises(RuntimeError, match="dies here"):
        await deliver(database=database, send=crashing, clock=lambda: NOON, workers=3)
    assert 0 < len(crashing.sent) < len(users)
    rerun = Recorder()
    await deliver(database=database, send=rerun, clock=lambda: NOON)
    chats = sorted(chat for chat, _ in crashing.sent + rerun.sent)
    assert chats == users
    assert (await deliver(database=database, send=rerun, clock=lambda: NOON)).sent == 0


@pytest.mark.asyncio
async def test_a_cancelled_run_loses_nothing(database: Database, database_url: str) -> None:
    settings = _settings(database_url)
    users = await _many_digests(database, settings, 8)
    slow = Recorder(hang_at=4)
    task = asyncio.create_task(deliver(database=database, send=slow, clock=lambda: NOON,
                                       workers=1))
    await slow.hung.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The message in hand when cancelled stayed "sending": the next run takes it back at once
    # (the cancelled run gave the sender lease back) and sends it, never loses it.
    rerun = Recorder()
    report = await deliver(database=database, send=rerun, clock=lambda: NOON)
    assert (len(slow.sent), report.taken_back, report.sent) == (3, 1, 5)
    assert sorted(chat for chat, _ in slow.sent + rerun.sent) == users


@pytest.mark.asyncio
async def test_two_runs_at_once_one_sends_the_other_leaves_it_to_it(
    database: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A heartbeat every 50 ms instead of 10 s: the second run sees the first one alive.
    monkeypatch.setattr(lease, "HEARTBEAT", timedelta(milliseconds=50))
    monkeypatch.setattr(lease, "POLL", 0.02)
    settings = _settings(database_url)
    users = await _many_digests(database, settings, 10)
    first, second = Recorder(pause=0.05), Recorder(pause=0.05)
    reports = await asyncio.gather(
        deliver(database=database, send=first, clock=lambda: NOON, workers=2),
        deliver(database=database, send=second, clock=lambda: NOON, workers=2),
    )
    assert sorted(chat for chat, _ in first.sent + second.sent) == users
    # One sender at a time (Telegram's 30 a second are per bot): the other left at once.
    assert sorted(report.elsewhere for report in reports) == [False, True]
    assert not (first.sent and second.sent)


@pytest.mark.asyncio
async def test_a_blocked_bot_marks_the_citizen_inactive_and_drops_their_queue(
    database: Database, database_url: str
) -> None:
    settings = _settings(database_url)
    await _many_digests(database, settings, 1)

    async def blocked(chat_id: int, reply: Reply) -> Delivery:
        return Delivery.BLOCKED

    report = await job.send_outbox(database=database, settings=settings, send=blocked,
                                   now=lambda: NOON)
    assert report.blocked == 1
    async with database.sessions() as session:
        citizen = (await session.exec(select(Citizen).where(
            col(Citizen.user_id) == SUBSCRIBER))).one()
        statuses = (await session.exec(select(AlertOutbox.status))).all()
    assert citizen.active is False and statuses == ["dropped"]
    # Not reachable: no digest is written for them any more.
    await _import(database, _smartphone("alert-new-2"))
    later = await compose(database=database, catalog=CatalogSnapshot(),
                          now=NOON + timedelta(days=8), today=TODAY)
    assert later.subscribers == 0


def test_quiet_hours_are_validated_and_read_in_the_city_time_zone() -> None:
    settings = Settings(_env_file=None, quiet_hours="22-7", timezone="America/Montreal")
    assert settings.is_quiet(datetime(2026, 12, 3, 4, tzinfo=UTC))  # 23:00 in Montreal
    assert not settings.is_quiet(datetime(2026, 12, 3, 16, tzinfo=UTC))
    assert not Settings(_env_file=None, quiet_hours="0-0").is_quiet(NOON)
    for bad in ("22", "24-6", "a-b"):
        with pytest.raises(ValueError, match="START-END"):
            Settings(_env_file=None, quiet_hours=bad)
    with pytest.raises(ValueError, match="IANA"):
        Settings(_env_file=None, timezone="Mars/Olympus")


@pytest.mark.asyncio
async def test_the_bots_job_writes_once_a_day_across_replicas_and_sleeps_at_night(
    database: Database, database_url: str
) -> None:
    settings = _settings(database_url)
    await _subscribe(database, settings, SUBSCRIBER)
    await _import(database, _smartphone())
    night = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 3:00 in Paris
    sleeper = Recorder()
    sleeping = job.AlertsJob(settings=settings, send=sleeper, clock=lambda: night)
    assert (await sleeping.tick(database, CatalogSnapshot())).sent == 0
    async with database.sessions() as session:  # the night does not use up the day's run
        assert (await session.exec(select(JobLease))).all() == []
    first, second = Recorder(), Recorder()
    replicas = [job.AlertsJob(settings=settings, send=send, clock=lambda: NOON)
                for send in (first, second)]
    await asyncio.gather(*(replica.tick(database, CatalogSnapshot()) for replica in replicas))
    assert len(first.sent) + len(second.sent) == 1 and sleeper.sent == []
    async with database.sessions() as session:
        written = (await session.exec(select(func.count()).select_from(AlertOutbox))).one()
    assert written == 1


def test_jobs_run_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'jobs.db'}"
    monkeypatch.delenv("TREMPLIN_TELEGRAM_TOKEN", raising=False)
    assert main(["--database-url", url, "jobs", "run", "stats", "--today", "2026-12-03"]) == 0
    assert capsys.readouterr().out == "stats: 0 days rolled up, 0 events deleted\n"
    assert main(["--database-url", url, "jobs", "run", "alerts"]) == 2
    assert "TREMPLIN_TELEGRAM_TOKEN" in capsys.readouterr().err
