"""Offers past their review date, in Telegram: after ``/catalog`` a maintainer gets them with a
Confirm button each, which confirms the offer as ``tremplin catalog confirm ID`` does (the same
audited import, undone by ``tremplin catalog rollback``); a hidden offer is then shown again.

A button is ``c:<offer id>`` (``c:#<crc32>`` for a long id, as the conversation's offer actions),
re-checked on a press: only maintainers may confirm, and only an offer still in the catalogue.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from html import escape

from babel.dates import format_date
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.chats.database import Database
from bot.engine.actions import offer_action, resolve_offer
from bot.settings import BotSettings
from bot.telegram import logs, partners
from bot.telegram.rendering import pack
from bot.telegram.services import TremplinContext
from catalog.i18n import Translator, translator
from catalog.maintenance import roles
from catalog.maintenance.check import is_hidden, is_stale
from catalog.maintenance.confirm import UnknownOffers, confirm_offers
from catalog.offer import Offer
from catalog.store.db import read_only
from catalog.store.offers import load_offers

logger = logging.getLogger(__name__)

VERB = "c"
BUTTON_PATTERN = rf"^{VERB}:.{{1,62}}$"
SHOWN = 10  # offers, and buttons, in the message; the command line lists them all
_TITLE = 40  # characters of a title in the list


def _day(day: date | None, tr: Translator) -> str:
    return str(format_date(day, "long", locale=tr.locale)) if day else "?"


def _to_confirm(offers: list[Offer], today: date) -> list[Offer]:
    """The stale offers, those hidden from citizens first, each group by id."""
    stale = [offer for offer in offers if is_stale(offer, today)]
    return sorted(stale, key=lambda offer: (not is_hidden(offer, today), offer.id))


def stale_lines(tr: Translator, offers: list[Offer], today: date) -> list[str]:
    """The message's lines (HTML): how many offers to confirm, the first :data:`SHOWN` of them,
    and where to find the others."""
    lines = [escape(tr.ngettext(
        "{n} offer is past its review date: confirm it if it is still true.",
        "{n} offers are past their review date: confirm those still true.",
        len(offers)).format(n=len(offers)))]
    for offer in offers[:SHOWN]:
        state = (tr.gettext("hidden from citizens") if is_hidden(offer, today)
                 else tr.gettext("still shown"))
        updated = tr.gettext("updated on {date}").format(date=_day(offer.updated_on, tr))
        lines.append(f"<code>{escape(offer.id)}</code> {escape(offer.title[:_TITLE])}"
                     f" ({escape(updated)}; {escape(state)})")
    more = len(offers) - SHOWN
    if more > 0:
        lines.append(escape(tr.ngettext(
            "…and {n} more: tremplin catalog check lists it.",
            "…and {n} more: tremplin catalog check lists them all.", more).format(n=more)))
    return lines


def _buttons(tr: Translator, offers: list[Offer]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(tr.gettext("Confirm {id}").format(id=offer.id),
                              callback_data=offer_action(VERB, offer.id))]
        for offer in offers[:SHOWN]
    ])


async def send_stale(context: TremplinContext, chat_id: int, tr: Translator, today: date) -> None:
    """The offers to confirm on ``today``, with their buttons (nothing when none is stale)."""
    async with context.database.sessions() as session:
        offers = _to_confirm(await load_offers(session=await read_only(session)), today)
    await _send(context.bot, chat_id, tr, offers, today)


async def _send(bot: Bot, chat_id: int, tr: Translator, offers: list[Offer], today: date) -> None:
    if not offers:
        return
    pieces = pack(stale_lines(tr, offers, today))
    for number, piece in enumerate(pieces, start=1):
        markup = _buttons(tr, offers) if number == len(pieces) else None
        await bot.send_message(chat_id, piece, parse_mode=ParseMode.HTML, reply_markup=markup)


def newly_due(offers: list[Offer], today: date) -> list[Offer]:
    """The offers that went past their review date, or out of citizens' sight, on ``today``."""
    yesterday = today - timedelta(days=1)
    return _to_confirm([
        offer for offer in offers
        if (is_stale(offer, today) and not is_stale(offer, yesterday))
        or (is_hidden(offer, today) and not is_hidden(offer, yesterday))], today)


async def send_newly_due(bot: Bot, database: Database, settings: BotSettings) -> int:
    """Tell every maintainer, in the language they chose, which offers went past their review
    (or were hidden from citizens) today, with a Confirm button each; the bot's daily job.
    Only today's: the whole list stays one ``/catalog`` away, and is not repeated every day."""
    today = settings.today()
    async with database.sessions() as session:
        due = newly_due(await load_offers(session=await read_only(session)), today)
        if not due:
            return 0
        maintainers = await roles.maintainer_ids(session=session,
                                                 configured=settings.maintainer_ids)
        chosen = await partners.chosen_languages(session, maintainers)
    for maintainer in maintainers:
        try:
            await _send(bot, maintainer, translator(chosen.get(maintainer)), due, today)
        except Exception:  # a maintainer who blocked the bot must not stop the others
            logger.exception("event=newly_due_failed")
    logger.info("event=newly_due offers=%d", len(due))
    return len(due)


async def on_button(update: Update, context: TremplinContext) -> None:
    """A maintainer's Confirm: the offer confirmed today, and the new date in the answer."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not re.fullmatch(BUTTON_PATTERN, query.data or ""):
        return
    tr = translator(user.language_code)
    async with context.database.sessions() as session:
        allowed = await roles.is_maintainer(
            session=session, user_id=user.id, configured=context.settings.maintainer_ids)
    if not allowed:  # a forged press: the button is only ever sent to maintainers
        await query.answer(tr.gettext("Only catalogue maintainers can do this."), show_alert=True)
        return
    today = context.settings.today()
    ref = (query.data or "").partition(":")[2]
    async with context.database.sessions() as session:
        offer_id = resolve_offer(ref, [offer.id for offer in await load_offers(session=session)])
        if offer_id is None:
            await query.answer(tr.gettext("This offer is no longer in the catalogue."),
                               show_alert=True)
            return
        try:
            await confirm_offers(session=session, ids=[offer_id], today=today,
                                 actor=f"telegram:{user.id}")
        except UnknownOffers:  # retired between the two statements
            await query.answer(tr.gettext("This offer is no longer in the catalogue."),
                               show_alert=True)
            return
    context.catalog.invalidate()
    logger.info("event=offer_confirmed user=%s", logs.person(context.settings, user.id))
    done = tr.gettext("{id} confirmed: updated on {date}.").format(id=offer_id,
                                                                 date=_day(today, tr))
    await query.answer(done[:200], show_alert=True)
