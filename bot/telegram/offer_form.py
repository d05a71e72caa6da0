"""The guided /propose form in Telegram: one offer described question by question
(``bot.engine.offer_form``), kept in the database at every answer, queued on Confirm exactly as a
partner's file of one row (``catalog.maintenance.proposals.queue_offer``).

While a form is open, a typed message is the answer to its question, never a search; /cancel
and /start close it; /forget erases it with everything else.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from sqlalchemy import Connection, delete, select
from telegram import Message, ReplyKeyboardMarkup, Update, User
from telegram.constants import ParseMode

from bot.chats import offer_forms
from bot.chats.models import Citizen
from bot.engine import offer_form
from bot.engine.offer_form import Form, Turn
from bot.engine.replies import Reply
from bot.telegram import handlers, partners
from bot.telegram.rendering import chunks
from bot.telegram.services import TremplinContext
from catalog.i18n import Translator, normalise_language, translator
from catalog.maintenance import proposals
from catalog.store.transactions import run_transaction

logger = logging.getLogger(__name__)

BUTTON_PATTERN = offer_form.PATTERN
# The commands that close a form (and then do what they always do), with their aliases.
LEAVE = ("cancel", "annuler", "start")
CITIZENS = Citizen.__table__  # type: ignore[attr-defined]
# What the form does with the stored form, the partner's translator and language.
Act = Callable[[Form, Translator, str], Turn]


def _language(connection: Connection, user: User) -> str:
    """The language the person chose in the conversation, else their Telegram one."""
    chosen = connection.execute(
        select(CITIZENS.c.language).where(CITIZENS.c.user_id == user.id)).scalar_one_or_none()
    return normalise_language(chosen or user.language_code)


async def _step(context: TremplinContext, user: User, chat_id: int,
                act: Act) -> tuple[Turn, str] | None:
    """``act`` on the person's form, saved in the same transaction; None when no form is open."""

    def transaction(connection: Connection) -> tuple[Turn, str] | None:
        form = offer_forms.load(connection, user_id=user.id)
        if form is None:
            return None
        language = _language(connection, user)
        turn = act(form, translator(language), language)
        offer_forms.save(connection, user_id=user.id, chat_id=chat_id, form=turn.form)
        return turn, language

    return await run_transaction(context.database, transaction)


async def _show(context: TremplinContext, chat_id: int, replies: tuple[Reply, ...],
                pressed: Message | None = None) -> None:
    """The replies, escaped as HTML; a toggled list edits the message pressed."""
    for reply in replies:
        pieces = chunks(reply)
        markup = pieces[0].markup
        if (reply.replaces_previous and pressed is not None and len(pieces) == 1
                and not isinstance(markup, ReplyKeyboardMarkup)):
            await pressed.edit_text(pieces[0].html, parse_mode=ParseMode.HTML,
                                    reply_markup=markup)
            continue
        for piece in pieces:
            await context.bot.send_message(chat_id, piece.html, parse_mode=ParseMode.HTML,
                                           reply_markup=piece.markup)


async def on_text(update: Update, context: TremplinContext) -> None:
    """A typed message: the answer to the open form's question, else the conversation's."""
    message, user = update.message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    text = message.text
    async with context.database.sessions() as session:
        index = await context.catalog.index(session=session)  # kept in memory: no query

    def act(form: Form, tr: Translator, language: str) -> Turn:
        # The neighbourhoods' names are read only at the question "where".
        places = tuple(index.neighbourhoods()) if form.step == "where" else ()
        return offer_form.answer(form, text, tr, language=language, neighbourhoods=places,
                                 city=context.settings.city)

    async with context.bot_data.locks.hold(message.chat_id):
        done = await _step(context, user, message.chat_id, act)
        if done is not None:
            await _show(context, message.chat_id, done[0].replies)
            return
    # No form open: a reply to the "Something else" question, or the conversation's.
    await (partners.on_report_text if message.reply_to_message else handlers.converse)(
        update, context)


async def on_leave(update: Update, context: TremplinContext) -> None:
    """/cancel and /start close an open form (nothing is sent), then do what they always do."""
    message, user = update.message, update.effective_user
    if message is not None and user is not None:
        def transaction(connection: Connection) -> str | None:
            closed = connection.execute(delete(offer_forms.FORMS).where(
                offer_forms.FORMS.c.user_id == user.id)).rowcount
            return _language(connection, user) if closed else None

        async with context.bot_data.locks.hold(message.chat_id):
            language = await run_transaction(context.database, transaction)
        if language is not None:
            await message.reply_text(translator(language).gettext(
                "The offer was not sent. /propose starts again."))
    await handlers.converse(update, context)


async def on_button(update: Update, context: TremplinContext) -> None:
    """The form's buttons, and /propose's two choices (a file, or one offer here)."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not re.fullmatch(offer_form.PATTERN, query.data or ""):
        return
    await query.answer()
    action = query.data or ""
    pressed = query.message if isinstance(query.message, Message) else None
    chat_id = pressed.chat_id if pressed is not None else user.id
    if action in ("pf:file", "pf:new"):
        await _begin(context, user, chat_id, file=action == "pf:file")
        return
    async with context.bot_data.locks.hold(chat_id):
        done = await _step(context, user, chat_id,
                           lambda form, tr, _: offer_form.press(form, action, tr))
        if done is None:  # a button of a form closed meanwhile
            tr = translator(await partners.language_of(context, user))
            await context.bot.send_message(chat_id, tr.gettext(
                "This form is closed. /propose starts again."))
            return
        turn, language = done
        await _show(context, chat_id, turn.replies, pressed)
        if turn.confirmed and turn.form is not None:
            await _queue(context, user, chat_id, turn.form, language)


async def _begin(context: TremplinContext, user: User, chat_id: int, *, file: bool) -> None:
    """The template to fill in, or the form's first question (unless over the limits)."""
    tr = translator(await partners.language_of(context, user))
    if file:
        await partners.send_template(context, chat_id, tr)
        return
    try:
        async with context.database.sessions() as session:
            await proposals.check_limits(session=session, user_id=user.id)
    except proposals.Refused:
        await context.bot.send_message(chat_id, partners.limit_text(tr))
        return
    form = Form()

    def transaction(connection: Connection) -> None:
        offer_forms.save(connection, user_id=user.id, chat_id=chat_id, form=form)

    async with context.bot_data.locks.hold(chat_id):
        await run_transaction(context.database, transaction)
    await _show(context, chat_id, (Reply(tr.gettext(
        "Let us describe your offer, one question at a time; /cancel stops.")),
        offer_form.ask(form, tr)))


async def _queue(context: TremplinContext, user: User, chat_id: int, form: Form,
                 language: str) -> None:
    """The confirmed form as a proposal of one offer (the form closed in the same transaction),
    told to the partner and to the maintainers as a file's."""
    tr = translator(language)
    offer = offer_form.offer(form, "form")
    try:
        async with context.database.sessions() as session:
            await session.exec(delete(offer_forms.FORMS).where(
                offer_forms.FORMS.c.user_id == user.id))
            proposal, plan = await proposals.queue_offer(
                session=session, user_id=user.id, chat_id=chat_id, language=language,
                offer=offer)
    except proposals.Refused:  # the form stays: confirm again later
        await context.bot.send_message(chat_id, partners.limit_text(tr))
        return
    await context.bot.send_message(chat_id, tr.gettext(partners.QUEUED).format(id=proposal.id))
    logger.info("event=proposal_queued proposal=%s offers=1 by=form", proposal.id)
    await partners.tell_maintainers(
        context, proposal, plan.summary(proposal.source, dry_run=False)[-1], [])
