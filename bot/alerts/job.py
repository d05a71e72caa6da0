"""The alerts job: write the week's digests, then send the outbox, never in the quiet hours.

In the bot, a plain asyncio task ticks at start and then every hour (like
``bot.telegram.stats_job``): outside the quiet hours, the digests are written once a day across
replicas (a database lease), and the outbox is sent at every tick, so that what a crash or a
restart left unsent goes out at the next one. The outbox has one sender at a time across
replicas and ``jobs run`` (the sender lease, :mod:`bot.alerts.lease`): a tick that finds a live
sender at work leaves the outbox to it. ``tremplin jobs run alerts`` runs :func:`run`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.alerts import followups
from bot.alerts.compose import compose
from bot.alerts.outbox import Delivered, Sender, deliver
from bot.chats.conversations import mark_inactive
from bot.chats.ticker import HOUR, Ticker
from catalog.settings import Settings
from catalog.store.db import Database
from catalog.store.leases import run_once
from catalog.store.models import utcnow
from catalog.store.snapshot import CatalogSnapshot

logger = logging.getLogger(__name__)

JOB_NAME = "alerts"
FOLLOWUPS_JOB = "followups"


@dataclass(frozen=True, slots=True)
class Report:
    """What one run did: counts only (``tremplin jobs run alerts`` prints them)."""

    quiet: bool
    written: int
    delivered: Delivered
    job: str = JOB_NAME

    def line(self) -> str:
        sent = self.delivered
        text = (f"{self.job}: {self.written} written, {sent.sent} sent, {sent.blocked} blocked, "
                f"{sent.failed} failed, {sent.waiting} waiting")
        if sent.taken_back:
            text += f" ({sent.taken_back} taken back from a sender that stopped)"
        if sent.elsewhere:
            text += " (another sender is at work: it sends the outbox)"
        return text + (" (quiet hours: nothing sent)" if self.quiet else "")


def _on_blocked(database: Database, settings: Settings) -> Callable[[int], Awaitable[None]]:
    async def blocked(user_id: int) -> None:
        await mark_inactive(database=database, user_id=user_id, settings=settings)
    return blocked


async def send_outbox(*, database: Database, settings: Settings, send: Sender,
                      now: Callable[[], datetime] = utcnow,
                      stop: asyncio.Event | None = None) -> Delivered:
    """Send what the outbox holds, unless it is night in the city."""
    if settings.is_quiet(now()):
        return Delivered()
    return await deliver(database=database, send=send,
                         on_blocked=_on_blocked(database, settings), clock=now, stop=stop)


def city_day(settings: Settings, now: datetime) -> date:
    """The date in the city at ``now``."""
    return now.astimezone(ZoneInfo(settings.timezone)).date()


async def run(*, database: Database, catalog: CatalogSnapshot, settings: Settings,
              send: Sender, now: datetime | None = None, today: date | None = None) -> Report:
    """Write the digests due, then send the outbox (nothing sent in the quiet hours)."""
    moment = now or utcnow()
    composed = await compose(database=database, catalog=catalog, now=moment,
                             today=today or city_day(settings, moment))
    quiet = settings.is_quiet(moment)
    delivered = Delivered() if quiet else await send_outbox(
        database=database, settings=settings, send=send, now=lambda: moment)
    report = Report(quiet=quiet, written=composed.written, delivered=delivered)
    logger.info("event=alerts_run written=%d sent=%d blocked=%d failed=%d waiting=%d quiet=%s",
                report.written, delivered.sent, delivered.blocked, delivered.failed,
                delivered.waiting, quiet)
    return report


async def run_followups(*, database: Database, catalog: CatalogSnapshot, settings: Settings,
                        send: Sender, now: datetime | None = None) -> Report:
    """Write the follow-up questions due, then send the outbox (nothing sent at night)."""
    moment = now or utcnow()
    written = await followups.compose(database=database, catalog=catalog, now=moment)
    quiet = settings.is_quiet(moment)
    delivered = Delivered() if quiet else await send_outbox(
        database=database, settings=settings, send=send, now=lambda: moment)
    logger.info("event=followups_run written=%d sent=%d quiet=%s", written, delivered.sent, quiet)
    return Report(quiet=quiet, written=written, delivered=delivered, job=FOLLOWUPS_JOB)


class AlertsJob:
    """Every hour: outside the quiet hours, the day's digests and follow-up questions (each
    once a day across replicas), then the outbox."""

    def __init__(self, *, settings: Settings, send: Sender, every: float = HOUR,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._settings = settings
        self._send = send
        self._clock = clock
        self._ticker = Ticker("alerts", every=every)

    async def tick(self, database: Database, catalog: CatalogSnapshot) -> Delivered:
        """One tick; what was sent (nothing at night)."""
        now = self._clock()
        if self._settings.is_quiet(now):
            return Delivered()

        async def write() -> None:
            await compose(database=database, catalog=catalog, now=now,
                          today=city_day(self._settings, now))

        async def ask() -> None:
            await followups.compose(database=database, catalog=catalog, now=now)

        await run_once(sessions=database.sessions, name=JOB_NAME, period=timedelta(days=1),
                       job=write, clock=self._clock)
        await run_once(sessions=database.sessions, name=FOLLOWUPS_JOB, period=timedelta(days=1),
                       job=ask, clock=self._clock)
        return await send_outbox(database=database, settings=self._settings, send=self._send,
                                 now=self._clock, stop=self._ticker.stopping)

    def start(self, database: Database, catalog: CatalogSnapshot) -> None:
        """Tick now, then every hour, until :meth:`stop`."""
        self._ticker.start(lambda: self.tick(database, catalog))

    async def stop(self) -> None:
        """Stop ticking; a send in progress gets a few seconds to finish (:class:`Ticker`)."""
        await self._ticker.stop()
