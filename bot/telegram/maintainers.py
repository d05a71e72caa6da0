"""Catalogue maintainers in Telegram: send a file, read its dry run, apply or cancel; /export,
/catalog; admins /grant and /revoke the role.

Maintainers are the ids of ``TREMPLIN_MAINTAINER_IDS`` and the users an admin granted the role.
For anyone else these handlers hand a command to the conversation, which answers an unknown
command as it does for every citizen; a file is a partner's proposal (``bot.telegram.partners``).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from datetime import date
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ParseMode

from bot.chats.retry import retrying
from bot.telegram import freshness, handlers, logs, partners
from bot.telegram import maintainer_texts as texts
from bot.telegram.rendering import pack
from bot.telegram.services import TremplinContext
from catalog.formats.csvio import write_csv
from catalog.formats.validation import MAX_BYTES, InvalidCatalogue
from catalog.i18n import Translator, translator
from catalog.maintenance import roles
from catalog.maintenance.check import check_catalogue
from catalog.maintenance.importer import (
    OPEN_DATA_FORMATS,
    ImportPlan,
    UnknownFormat,
    content_format,
    file_format,
    import_offers,
    named_format,
    read_file,
)
from catalog.maintenance.pending import (
    Outdated,
    apply_pending,
    drop_pending,
    find_pending,
    save_pending,
    without_retiring,
)
from catalog.store.audit_models import PendingImport
from catalog.store.db import read_only
from catalog.store.offers import load_offers

logger = logging.getLogger(__name__)

# imp:<a(pply)|r(etire too)|c(ancel)>:<token>, at most 21 bytes of Telegram's 64.
BUTTON_PATTERN = r"^imp:[arc]:[A-Za-z0-9_-]{1,16}$"
MAINTAINER_COMMANDS = ("export", "catalog")
ADMIN_COMMANDS = ("grant", "revoke")
COMMANDS = MAINTAINER_COMMANDS + ADMIN_COMMANDS
# Telegram ids fit a signed 64-bit integer, as the database stores them.
MAX_USER_ID = 2**63 - 1


async def _is_maintainer(context: TremplinContext, user_id: int) -> bool:
    async def look_up() -> bool:
        async with context.database.sessions() as session:
            return await roles.is_maintainer(
                session=session, user_id=user_id, configured=context.settings.maintainer_ids
            )

    # The first database use of any citizen's file or command: retried like a step when its
    # pooled connection died (a PostgreSQL restart), rather than failing that update.
    return await retrying(look_up)


async def _say(
    context: TremplinContext,
    chat_id: int,
    lines: list[str],
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Send ``lines`` (HTML) in as few messages as fit; the keyboard goes with the last one."""
    pieces = pack(lines)
    for number, piece in enumerate(pieces, start=1):
        await context.bot.send_message(
            chat_id,
            piece,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if number == len(pieces) else None,
        )


async def _attach(context: TremplinContext, chat_id: int, name: str, lines: list[str]) -> None:
    data = ("\n".join(lines) + "\n").encode("utf-8")
    await context.bot.send_document(chat_id, document=data, filename=name)


def _buttons(tr: Translator, token: str, plan: ImportPlan) -> InlineKeyboardMarkup:
    rows = []
    if without_retiring(plan).changes:
        rows.append([InlineKeyboardButton(tr.gettext("Apply"), callback_data=f"imp:a:{token}")])
    if plan.retired:
        label = tr.ngettext(
            "Apply and retire the {n} absent offer",
            "Apply and retire the {n} absent offers",
            len(plan.retired),
        ).format(n=len(plan.retired))
        rows.append([InlineKeyboardButton(label[:64], callback_data=f"imp:r:{token}")])
    rows.append([InlineKeyboardButton(tr.gettext("Cancel"), callback_data=f"imp:c:{token}")])
    return InlineKeyboardMarkup(rows)


async def _download(context: TremplinContext, message: Message, tr: Translator) -> bytes | None:
    """The document's bytes, unless it is over the size limit (checked before downloading)."""
    document = message.document
    assert document is not None
    too_big = tr.gettext(
        "This file is larger than {limit} MB: I did not read it. Split it, or import it with "
        "the command line."
    ).format(limit=MAX_BYTES // 2**20)
    if document.file_size is not None and document.file_size > MAX_BYTES:
        await message.reply_text(too_big)
        return None
    file = await context.bot.get_file(document.file_id)  # the path, not yet the bytes
    if file.file_size is None or file.file_size > MAX_BYTES:  # size unknown until now
        await message.reply_text(too_big)
        return None
    data = bytes(await file.download_as_bytearray())
    if len(data) > MAX_BYTES:  # a size the message understated
        await message.reply_text(too_big)
        return None
    return data


async def on_document(update: Update, context: TremplinContext) -> None:
    """A file in a private chat: a maintainer's catalogue gets a dry run; anyone else's is a
    proposal, checked the same way and queued for review (bot.telegram.partners)."""
    message, user = update.message, update.effective_user
    if message is None or message.document is None or user is None:
        return
    if not await _is_maintainer(context, user.id):
        await partners.on_document(update, context, _download)
        return
    tr = translator(user.language_code)
    source = (message.document.file_name or "catalogue").replace("/", "_")[-100:]
    # A caption may name the format ("data-inclusion", "hsds"); else the extension, and for
    # JSON the content, tell it.
    named = named_format(message.caption)
    try:
        format = named or file_format(source)
    except UnknownFormat:
        await message.reply_text(
            tr.gettext("I read catalogue files in CSV, Excel (.xlsx), JSON (Tremplin's, "
                       "data·inclusion or Open Referral HSDS) or LHEO (.xml) only.")
        )
        return
    async with context.bot_data.locks.hold(message.chat_id):
        await context.bot.send_chat_action(message.chat_id, ChatAction.TYPING)
        data = await _download(context, message, tr)
        if data is not None:
            if named is None:
                format = await asyncio.to_thread(content_format, data, format)
            await _check_file(context, message.chat_id, user.id, tr, source, format, data)


async def _check_file(
    context: TremplinContext,
    chat_id: int,
    user_id: int,
    tr: Translator,
    source: str,
    format: str,
    data: bytes,
) -> None:
    try:
        reading = await asyncio.to_thread(read_file, data, format, today=context.settings.today())
    except InvalidCatalogue as error:
        services = format in OPEN_DATA_FORMATS
        lines = texts.problem_lines(tr, source, error.problems, error.count, services=services)
        await _say(context, chat_id, lines)
        every = error.report(source)  # the first problems, and how many more
        await _attach(context, chat_id, f"{source}.problems.txt", every)
        return
    checksum = hashlib.sha256(data).hexdigest()
    async with context.database.sessions() as session:
        plan = await import_offers(
            session=session,
            offers=reading.offers,
            source=source,
            checksum=checksum,
            format=format,
            actor=f"telegram:{user_id}",
            replace=True,
            dry_run=True,
            scope=reading.scope,
        )
        if not plan.changes:
            nothing = tr.gettext(
                "Nothing to change: the catalogue already has these offers as they are."
            )
            await context.bot.send_message(chat_id, nothing)
            return
        token = await save_pending(
            session=session,
            user_id=user_id,
            chat_id=chat_id,
            source=source,
            format=format,
            checksum=checksum,
            data=data,
            plan=plan,
        )
    lines = texts.summary_lines(tr, source, plan, reading.inferences, reading.skipped)
    await _say(context, chat_id, lines, _buttons(tr, token, plan))
    report = texts.report_lines(source, plan, reading.inferences, reading.skipped)
    await _attach(context, chat_id, f"{source}.dry-run.txt", report)


async def on_button(update: Update, context: TremplinContext) -> None:
    """Apply, apply and retire, or cancel a dry run (the pending import of the token)."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    if not re.fullmatch(BUTTON_PATTERN, query.data or ""):
        # PTB gives a press without data to every pattern: it is the conversation's to answer.
        await handlers.converse(update, context)
        return
    tr = translator(user.language_code)
    _, verb, token = (query.data or "").split(":")
    if not await _is_maintainer(context, user.id):
        await query.answer(tr.gettext("Only catalogue maintainers can do this."), show_alert=True)
        return
    # The summary is edited in place; a message too old for the bot to see gets a new one.
    shown = query.message if isinstance(query.message, Message) else None
    async with context.bot_data.locks.hold(user.id):  # the private chat's id
        async with context.database.sessions() as session:
            pending = await find_pending(session=session, token=token)
        if pending is None or pending.user_id != user.id:
            await query.answer(
                tr.gettext("This import is no longer waiting. Send the file again."),
                show_alert=True,
            )
            return
        if verb == "c":
            await query.answer()
            async with context.database.sessions() as session:
                await drop_pending(session=session, token=token)
            cancelled = escape(tr.gettext("Cancelled: nothing was changed."))
            await _show(context, shown, pending.chat_id, cancelled)
            return
        await query.answer(tr.gettext("Applying…"))
        await _apply(context, shown, tr, pending, replace=verb == "r")


async def _show(context: TremplinContext, shown: Message | None, chat_id: int, html: str) -> None:
    """``html`` in place of the summary (its buttons go), or as a new message."""
    if shown is None:
        await context.bot.send_message(chat_id, html, parse_mode=ParseMode.HTML)
    else:
        await shown.edit_text(html, parse_mode=ParseMode.HTML)


async def _apply(
    context: TremplinContext,
    shown: Message | None,
    tr: Translator,
    pending: PendingImport,
    replace: bool,
) -> None:
    reading = await asyncio.to_thread(read_file, pending.data, pending.format)
    async with context.database.sessions() as session:
        result = await apply_pending(
            session=session,
            pending=pending,
            offers=reading.offers,
            replace=replace,
            actor=f"telegram:{pending.user_id}",
            scope=reading.scope,
        )
    if isinstance(result, Outdated):
        # Someone changed the catalogue since the dry run: show what applying means now.
        changed = tr.gettext(
            "The catalogue changed since this check: nothing was applied. Here is the new check."
        )
        await _show(context, shown, pending.chat_id, escape(changed))
        async with context.database.sessions() as session:
            await drop_pending(session=session, token=pending.token)
        await _check_file(
            context,
            pending.chat_id,
            pending.user_id,
            tr,
            pending.source,
            pending.format,
            pending.data,
        )
        return
    plan, record = result
    context.catalog.invalidate()
    logger.info("event=catalogue_import import=%s user=%s", record.id,
                logs.person(context.settings, pending.user_id))
    await _show(context, shown, pending.chat_id, texts.applied_text(tr, pending.source, plan))


async def on_command(update: Update, context: TremplinContext) -> None:
    """/export, /catalog (maintainers), /grant, /revoke (admins); anyone else's goes to the
    conversation, which answers an unknown command."""
    message, user = update.message, update.effective_user
    if message is None or user is None or not message.text:
        return
    name = message.text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower()
    allowed = (
        user.id in context.settings.admin_ids
        if name in ADMIN_COMMANDS
        else await _is_maintainer(context, user.id)
    )
    if not allowed:
        await handlers.converse(update, context)
        return
    tr = translator(user.language_code)
    argument = message.text.partition(" ")[2].strip()
    if name == "export":
        await _export(context, message.chat_id, tr, argument)
    elif name == "catalog":
        today = context.settings.today()
        async with context.database.sessions() as session:
            # Reads only: on SQLite it does not wait for an import's write lock.
            report = await check_catalogue(session=await read_only(session), today=today)
        await _say(context, message.chat_id, texts.check_lines(tr, report))
        await freshness.send_stale(context, message.chat_id, tr, today)
    else:
        await _role(context, message, user.id, tr, name, argument)


async def _export(context: TremplinContext, chat_id: int, tr: Translator, argument: str) -> None:
    async with context.database.sessions() as session:
        offers = await load_offers(session=await read_only(session))
    excel = argument.lower().lstrip(".") == "xlsx"
    if excel:
        # openpyxl (with numpy) only for the Excel export, not in every replica at start.
        from catalog.formats.xlsxio import write_xlsx

        data = await asyncio.to_thread(write_xlsx, offers)
    else:  # off the event loop too: 20,000 offers take a second
        data = (await asyncio.to_thread(write_csv, offers)).encode("utf-8")
    name = f"catalogue-{date.today().isoformat()}.{'xlsx' if excel else 'csv'}"
    caption = tr.ngettext("The catalogue: {n} offer.", "The catalogue: {n} offers.", len(offers))
    await context.bot.send_document(
        chat_id, document=data, filename=name, caption=caption.format(n=len(offers))
    )


async def _role(
    context: TremplinContext,
    message: Message,
    admin_id: int,
    tr: Translator,
    name: str,
    argument: str,
) -> None:
    if not re.fullmatch(r"\d{1,19}", argument):
        await message.reply_text(
            tr.gettext(
                "Write the Telegram user id after the command, for example: /{command} 123456789"
            ).format(command=name)
        )
        return
    user_id = int(argument)
    if not 0 < user_id <= MAX_USER_ID:
        # Nineteen digits can still overflow the database's 64-bit column (OverflowError).
        await message.reply_text(
            tr.gettext(
                "{id} is not a Telegram user id: ids are whole numbers from 1 to {max}."
            ).format(id=argument, max=MAX_USER_ID)
        )
        return
    async with context.database.sessions() as session:
        if name == "grant":
            await roles.grant(session=session, user_id=user_id, by=admin_id)
            text = tr.gettext("{id} can now update the catalogue.")
        else:
            await roles.revoke(session=session, user_id=user_id)
            text = tr.gettext(
                "{id} can no longer update the catalogue (unless listed in "
                "TREMPLIN_MAINTAINER_IDS)."
            )
    await message.reply_text(text.format(id=user_id))
