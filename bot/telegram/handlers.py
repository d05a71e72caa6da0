"""The Telegram handlers: each update goes through the dialogue engine, then is rendered."""

from __future__ import annotations

import html
import logging

from telegram import Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import ApplicationHandlerStop

from bot.chats.conversations import mark_inactive, process
from bot.chats.retry import retrying
from bot.engine.replies import Reply
from bot.telegram import logs
from bot.telegram.flood import Verdict
from bot.telegram.rendering import Chunk, chunks, joined, location_keyboard
from bot.telegram.services import TremplinContext
from bot.telegram.updates import to_input
from catalog.i18n import translator

logger = logging.getLogger(__name__)


async def guard_private(update: Update, context: TremplinContext) -> None:
    """Outside a private chat: say one line and leave (the bot is personal, by design)."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    if chat.type in (ChatType.GROUP, ChatType.SUPERGROUP) and update.effective_message:
        user = update.effective_user
        tr = translator(user.language_code if user else None)
        await context.bot.send_message(
            chat.id, tr.gettext("I only talk in private chats. Write to me directly!")
        )
        await context.bot.leave_chat(chat.id)
        logger.info("event=left_group")
    raise ApplicationHandlerStop


async def limit_flood(update: Update, context: TremplinContext) -> None:
    """Drop a user's updates over the flood limit, with one warning."""
    user = update.effective_user
    if user is None:
        return
    verdict = context.bot_data.flood.check(user.id)
    if verdict is Verdict.ACCEPT:
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    if verdict is Verdict.WARN:
        tr = translator(user.language_code)
        await context.bot.send_message(
            user.id, tr.gettext("You are going a bit fast! Wait a few seconds, then try again.")
        )
        logger.warning("event=flood user=%s", logs.person(context.settings, user.id))
    raise ApplicationHandlerStop


async def converse(update: Update, context: TremplinContext) -> None:
    """Every private message and button press: one engine step, then its replies."""
    event = to_input(update)
    chat, user = update.effective_chat, update.effective_user
    if event is None or chat is None or user is None:
        return
    query = update.callback_query
    if query is not None:
        # Answered first, whatever follows: Telegram shows a spinner until it is.
        await query.answer()
    async with context.bot_data.locks.hold(chat.id):
        # Retried when the database connection dies mid-step (see bot.chats.retry): the update is
        # already acknowledged to Telegram, so giving up would lose the citizen's answer.
        replies = await retrying(
            lambda: process(
                database=context.database,
                chat_id=chat.id,
                user_id=user.id,
                language_code=user.language_code,
                event=event,
                catalog=context.catalog,
                settings=context.settings,
            )
        )
        pressed = query.message if query and isinstance(query.message, Message) else None
        await _show(context, chat.id, replies, pressed)


async def _show(
    context: TremplinContext,
    chat_id: int,
    replies: list[Reply],
    pressed: Message | None,
) -> None:
    # A text without keyboard waits to be sent with the next message (rendering.joined).
    held: Chunk | None = None

    async def flush() -> None:
        nonlocal held
        if held is not None:
            await _send(context, chat_id, held)
            held = None

    for reply in replies:
        if reply.venue is not None:
            await flush()
            venue = reply.venue
            await context.bot.send_venue(
                chat_id,
                latitude=venue.latitude,
                longitude=venue.longitude,
                title=venue.title[:128] or "…",
                address=venue.address[:256] or venue.title[:256] or "…",
            )
        pieces = chunks(reply)
        if reply.replaces_previous and pressed is not None and len(pieces) == 1:
            await flush()
            await _edit(context, pressed, pieces[0])
            continue
        for piece in pieces:
            if held is not None:
                together = joined(held, piece)
                if together is None:
                    await flush()
                else:
                    held, piece = None, together
            if piece.markup is None:
                held = piece  # nothing is held here any more: sent, or joined into piece
            else:
                await _send(context, chat_id, piece)
        if reply.document is not None:  # after its text: a calendar file (sendDocument)
            await flush()
            document = reply.document
            await context.bot.send_document(
                chat_id, document=document.content, filename=document.file_name)
        if reply.ask_location:
            await flush()
            # Telegram's location button lives in a reply keyboard, which cannot share a
            # message with the inline keyboard above: it comes with a message of its own.
            await context.bot.send_message(
                chat_id, reply.ask_location, reply_markup=location_keyboard(reply.ask_location)
            )
    await flush()


async def _send(context: TremplinContext, chat_id: int, piece: Chunk) -> None:
    await context.bot.send_message(
        chat_id,
        piece.html,
        parse_mode=ParseMode.HTML,
        reply_markup=piece.markup,
        link_preview_options=None,
    )


async def _edit(context: TremplinContext, message: Message, piece: Chunk) -> None:
    """Edit the pressed message in place, unless the edit would change nothing."""
    text = message.text or ""
    if text != piece.plain and text.endswith("\n\n" + piece.plain):
        # A lead-in joined above this question (bot.telegram.rendering.joined) stays above it.
        lead = text[: -len(piece.plain) - 2]
        piece = joined(Chunk(html=html.escape(lead), plain=lead), piece) or piece
    if message.text == piece.plain and message.reply_markup == piece.markup:
        return
    try:
        await context.bot.edit_message_text(
            piece.html,
            chat_id=message.chat_id,
            message_id=message.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=piece.markup,  # type: ignore[arg-type]
        )
    except BadRequest as error:
        # A message too old to edit: show the new keyboard as a new message instead.
        if "not modified" in error.message:
            return
        logger.info("event=edit_failed reason=%s", error.message)
        await _send(context, message.chat_id, piece)


async def on_error(update: object, context: TremplinContext) -> None:
    """The one error handler: a blocked bot marks the user inactive; the rest is logged."""
    error = context.error
    user = update.effective_user if isinstance(update, Update) else None
    user_id = user.id if user else None
    if isinstance(error, Forbidden) and user_id is not None:
        # Retried like a step: right after a database restart, its pooled connection is dead.
        await retrying(lambda: mark_inactive(
            database=context.database, user_id=user_id, settings=context.settings
        ))
        logger.info("event=blocked user=%s", logs.person(context.settings, user_id))
        return
    logger.error("event=update_failed user=%s error=%r", logs.person(context.settings, user_id),
                 error, exc_info=error)
