"""``tremplin jobs run NAME [--today YYYY-MM-DD]``: a daily job of the bot, now, on demand.

``alerts`` writes the digests due and sends the outbox through the Bot API (a Bot of its own,
paced like the bot's; one sender at a time: while the bot or another run sends the outbox,
it says so and exits 0, and it waits out, at most 30 s, the lease of a sender that was killed,
then sends what that one left); ``followups`` writes the "how did it go?" questions due, and
sends them the same way; ``stats`` rolls the statistics up and purges old raw events;
``conversations`` erases the conversations idle for ``TREMPLIN_CONVERSATION_RETENTION_DAYS``
(their answers and typed words). They print
counts only. ``--today`` fixes the date (for tests and demos): the job then runs as at noon in
the city's time zone, outside the quiet hours. Exit codes: 0 success, 1 runtime failure, 2 bad
usage (an unknown job, no token to send with).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.chats.database import open_database
from bot.settings import BotSettings
from catalog.store.models import utcnow
from catalog.store.snapshot import CatalogSnapshot

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
JOBS = ("alerts", "followups", "stats", "conversations")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``jobs run NAME [--today YYYY-MM-DD]``."""
    jobs = commands.add_parser("jobs", help="run one of the bot's daily jobs now")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", required=True)
    run_ = jobs_commands.add_parser(
        "run", help="run a job: alerts (new offers), followups (how did it go?), "
        "stats (purge), conversations (erase idle)")
    run_.add_argument("name", choices=JOBS)
    run_.add_argument("--today", type=date.fromisoformat, default=None,
                      help="the date to run as, YYYY-MM-DD (default: now)")


def _now(settings: BotSettings, today: date | None) -> datetime:
    if today is None:
        return utcnow()
    return datetime.combine(today, time(12), tzinfo=ZoneInfo(settings.timezone))


async def run(args: argparse.Namespace, settings: BotSettings) -> int:
    """Run the job named on the command line; print its counts."""
    if args.name in ("alerts", "followups"):
        return await _alerts(settings, args.today, args.name)
    if args.name == "conversations":
        return await _conversations(settings, args.today)
    return await _stats(settings, args.today)


async def _alerts(settings: BotSettings, today: date | None, name: str) -> int:
    from bot.alerts import job
    from bot.telegram.alerts_sender import standalone_sender

    if settings.telegram_token is None:
        print(f"tremplin: TREMPLIN_TELEGRAM_TOKEN is not set: {name} cannot be sent",
              file=sys.stderr)
        return EXIT_USAGE
    database = await open_database(settings.database_url, load_sample=False)
    try:
        async with standalone_sender(settings) as send:
            if name == "followups":
                report = await job.run_followups(database=database, catalog=CatalogSnapshot(),
                                                 settings=settings, send=send,
                                                 now=_now(settings, today))
            else:
                report = await job.run(database=database, catalog=CatalogSnapshot(),
                                       settings=settings, send=send, now=_now(settings, today),
                                       today=today)
    finally:
        await database.close()
    print(report.line())
    return EXIT_OK


async def _stats(settings: BotSettings, today: date | None) -> int:
    from catalog.stats.aggregates import purge

    database = await open_database(settings.database_url, load_sample=False)
    try:
        async with database.sessions() as session:
            purged = await purge(session=session, today=today or date.today(),
                                 retention_days=settings.stats_retention_days)
    finally:
        await database.close()
    print(f"stats: {purged.days_rolled_up} days rolled up, "
          f"{purged.events_deleted} events deleted")
    return EXIT_OK


async def _conversations(settings: BotSettings, today: date | None) -> int:
    from bot.chats.conversations import purge_idle

    database = await open_database(settings.database_url, load_sample=False)
    try:
        erased = await purge_idle(database=database,
                                  retention_days=settings.conversation_retention_days,
                                  now=None if today is None else _now(settings, today))
    finally:
        await database.close()
    print(f"conversations: {erased} idle for over {settings.conversation_retention_days} days "
          "erased")
    return EXIT_OK
