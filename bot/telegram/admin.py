"""``/stats [7|30|90]`` in Telegram, for admins: the chart, then the figures.

Anyone whose id is not in ``TREMPLIN_ADMIN_IDS`` gets exactly what an unknown command gets:
the update goes on to the conversation, which says it does not know ``/stats`` (the command is
in no menu, and nothing tells a citizen that it exists).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from telegram import Update
from telegram.constants import ChatAction

from bot.chats.retry import retrying
from bot.telegram import handlers
from bot.telegram.rendering import pack
from bot.telegram.services import TremplinContext
from catalog.i18n import Translator, translator
from catalog.stats import report as stats_text
from catalog.stats.events import KEY_VARIABLE, stats_key
from catalog.stats.figures import Report, build_report

logger = logging.getLogger(__name__)

PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30


def period(args: list[str] | None) -> int | None:
    """The days asked for (``/stats``, ``/stats 7``...); ``None`` when not one of PERIODS."""
    if not args:
        return DEFAULT_DAYS
    if len(args) == 1 and args[0] in {str(days) for days in PERIODS}:
        return int(args[0])
    return None


async def _report(context: TremplinContext, days: int) -> Report:
    settings = context.settings

    async def read() -> Report:
        async with context.database.sessions() as session:
            index = await context.catalog.index(session=session)
            return await build_report(
                session=session, offers=index.offers, today=date.today(), days=days,
                threshold=settings.stats_min_count, retention_days=settings.stats_retention_days,
            )

    # Read only, so always safe to run again: retried like a citizen's step when its pooled
    # connection died (a PostgreSQL restart), rather than leaving the admin without an answer.
    return await retrying(read)


def _text(context: TremplinContext, report: Report, tr: Translator) -> str:
    text = stats_text.render(report, tr)
    if stats_key(context.settings) is None:
        off = tr.gettext("Statistics are not being recorded: {variable} is not set.")
        text = off.format(variable=KEY_VARIABLE) + "\n\n" + text
    return text


def _chart(report: Report, tr: Translator) -> bytes:
    # matplotlib and Pillow are imported at the first /stats, in the drawing thread: a replica
    # that no admin asks does not load them, and the event loop never waits for the import.
    from catalog.stats import chart

    return chart.render(report, tr)


async def stats(update: Update, context: TremplinContext) -> None:
    """/stats for admins; anyone else's /stats goes on to the conversation."""
    message, user = update.message, update.effective_user
    if message is None or user is None:
        return
    if user.id not in context.settings.admin_ids:
        await handlers.converse(update, context)
        return
    tr = translator(user.language_code)
    days = period(context.args)
    if days is None:
        await context.bot.send_message(message.chat_id, tr.gettext(
            "Usage: /stats 7, /stats 30 or /stats 90 (the last days to count; 30 by default)."))
        return
    await context.bot.send_chat_action(message.chat_id, ChatAction.UPLOAD_PHOTO)
    report = await _report(context, days)
    # Drawing takes a few hundred milliseconds of CPU: off the event loop, citizens come first.
    png = await asyncio.to_thread(_chart, report, tr)
    caption = tr.gettext("Tremplin statistics: the last {days} days").format(days=days)
    await context.bot.send_photo(message.chat_id, photo=png, caption=caption)
    for piece in pack(_text(context, report, tr).splitlines(), markup=False):
        await context.bot.send_message(message.chat_id, piece)
    logger.info("event=stats_sent days=%d", days)
