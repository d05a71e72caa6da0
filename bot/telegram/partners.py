"""Partners and citizens keep the catalogue true: proposals (a catalogue file from anyone who is
not a maintainer, checked as a maintainer's, queued for review; /propose sends the template),
maintainers' Approve / Reject buttons, and citizens' "Report a problem" under an offer.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Collection
from datetime import timedelta
from html import escape

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ChatAction, ParseMode

from bot.chats.database import Database
from bot.chats.models import Citizen
from bot.engine import actions
from bot.engine.offers import REPORT_REASONS, report_reasons
from bot.engine.state import keep_text
from bot.settings import BotSettings
from bot.telegram import handlers
from bot.telegram import maintainer_texts as texts
from bot.telegram.rendering import pack
from bot.telegram.services import TremplinContext
from catalog.formats.csvio import write_csv
from catalog.formats.validation import InvalidCatalogue
from catalog.i18n import N_, Translator, normalise_language, translator
from catalog.maintenance import proposals, reports, roles
from catalog.maintenance.importer import read_upload
from catalog.store.models import utcnow
from catalog.store.partner_models import ProblemReport, Proposal

logger = logging.getLogger(__name__)

# prop:<a(pprove)|r(eject: ask why)>:<id>, prop:x<n>:<id> (reject for reason n).
BUTTON_PATTERN = r"^prop:(a|r|x[0-9]):[0-9]{1,12}$"
REPORT_PATTERN = r"^p[0-9]?:.{1,62}$"
REJECT_REASONS = proposals.REJECT_REASONS

QUEUED = N_("Thank you! Your proposal #{id} awaits review by the catalogue's maintainers; I "
            "will tell you their answer.")
OTHER_PROMPT = N_(
    "In a few words, what is wrong? Please do not write your name or phone number.")

Download = Callable[[TremplinContext, Message, Translator], Awaitable[bytes | None]]


async def language_of(context: TremplinContext, user: User) -> str:
    """The language the person chose in the conversation, else their Telegram one."""
    async with context.database.sessions() as session:
        chosen = (await session.exec(
            select(Citizen.language).where(Citizen.user_id == user.id))).first()
    return normalise_language(chosen or user.language_code)


async def chosen_languages(session: AsyncSession, user_ids: Collection[int]) -> dict[int, str]:
    """The language each of ``user_ids`` chose in the conversation (those who never talked to
    the bot are left out: :func:`~catalog.i18n.translator` gives them the city's)."""
    rows = await session.exec(select(Citizen.user_id, Citizen.language).where(
        col(Citizen.user_id).in_(user_ids)))
    return dict(rows.all())


async def on_document(update: Update, context: TremplinContext, download: Download) -> None:
    """A partner's catalogue file: refused with its errors (as a maintainer's), or queued."""
    message, user = update.message, update.effective_user
    assert message is not None and message.document is not None and user is not None
    language = await language_of(context, user)
    tr = translator(language)
    source = (message.document.file_name or "catalogue").replace("/", "_")[-100:]
    format = source.rpartition(".")[2].lower()
    if format not in proposals.PARTNER_FORMATS:  # not a catalogue: the conversation's, unread
        await handlers.converse(update, context)
        return
    async with context.bot_data.locks.hold(message.chat_id):
        try:  # the limits before downloading anything
            async with context.database.sessions() as session:
                await proposals.check_limits(session=session, user_id=user.id)
        except proposals.Refused:
            await message.reply_text(limit_text(tr))
            return
        await context.bot.send_chat_action(message.chat_id, ChatAction.TYPING)
        data = await download(context, message, tr)
        if data is None:
            return
        try:
            offers = (await asyncio.to_thread(
                read_upload, data, format, today=context.settings.today())).offers
        except InvalidCatalogue as error:
            for piece in pack(texts.problem_lines(tr, source, error.problems, error.count)):
                await context.bot.send_message(message.chat_id, piece, parse_mode=ParseMode.HTML)
            report = ("\n".join(error.report(source)) + "\n").encode("utf-8")
            await context.bot.send_document(
                message.chat_id, document=report, filename=f"{source}.problems.txt")
            return
        try:
            async with context.database.sessions() as session:
                proposal, plan = await proposals.queue(
                    session=session, user_id=user.id, chat_id=message.chat_id,
                    language=language, source=source, format=format, data=data, offers=offers)
                diff = await proposals.existing_changes(session=session, plan=plan)
        except proposals.Refused:
            await message.reply_text(limit_text(tr))
            return
    await message.reply_text(tr.gettext(QUEUED).format(id=proposal.id))
    logger.info("event=proposal_queued proposal=%s offers=%d", proposal.id, len(offers))
    await tell_maintainers(context, proposal, plan.summary(source, dry_run=False)[-1], diff)


def limit_text(tr: Translator) -> str:
    return tr.gettext(
        "You have sent as many proposals as I can take for now: wait for the maintainers' "
        "answer, or try again tomorrow.")


def _review_lines(proposal: Proposal, summary: str, diff: list[str]) -> list[str]:
    lines = [f"<b>Proposal #{proposal.id}</b> from a partner: {escape(summary)}"]
    if diff:
        lines.append("Changes to offers already in the catalogue (approving applies them):")
        lines += [f"  {escape(line)}" for line in diff]
    lines.append(f"tremplin catalog proposals approve {proposal.id} | reject {proposal.id}"
                 " --reason TEXT")
    return lines


async def tell_maintainers(context: TremplinContext, proposal: Proposal, summary: str,
                            diff: list[str]) -> None:
    """Each maintainer gets the summary, the diff to existing offers, Approve and Reject."""
    async with context.database.sessions() as session:
        maintainers = await roles.maintainer_ids(session=session,
                                                 configured=context.settings.maintainer_ids)
        languages = await chosen_languages(session, maintainers)
    for maintainer in maintainers:
        tr = translator(languages.get(maintainer))
        buttons = InlineKeyboardMarkup([[
            InlineKeyboardButton(tr.gettext("Approve"), callback_data=f"prop:a:{proposal.id}"),
            InlineKeyboardButton(tr.gettext("Reject"), callback_data=f"prop:r:{proposal.id}"),
        ]])
        pieces = pack(_review_lines(proposal, summary, diff))
        try:
            for number, piece in enumerate(pieces, start=1):
                await context.bot.send_message(
                    maintainer, piece, parse_mode=ParseMode.HTML,
                    reply_markup=buttons if number == len(pieces) else None)
        except Exception:  # one maintainer who blocked the bot must not stop the others
            logger.exception("event=proposal_notice_failed proposal=%s", proposal.id)


async def tell_partner(bot: Bot, proposal: Proposal) -> None:
    """The outcome, in the partner's language (nothing if they asked /forget meanwhile)."""
    if proposal.chat_id is not None:
        await bot.send_message(proposal.chat_id, proposals.outcome_text(proposal))


async def on_button(update: Update, context: TremplinContext) -> None:
    """A maintainer's Approve, Reject (then why) on a proposal."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not re.fullmatch(BUTTON_PATTERN, query.data or ""):
        return
    tr = translator(await language_of(context, user))
    if not await roles_check(context, user.id):
        await query.answer(tr.gettext("Only catalogue maintainers can do this."), show_alert=True)
        return
    _, verb, number = (query.data or "").split(":")
    proposal_id = int(number)
    shown = query.message if isinstance(query.message, Message) else None
    if verb == "r":
        await query.answer()
        rows = [[InlineKeyboardButton(tr.gettext(reason)[:64],
                                      callback_data=f"prop:x{index}:{proposal_id}")]
                for index, reason in enumerate(REJECT_REASONS)]
        await context.bot.send_message(
            user.id, tr.gettext("Why reject proposal #{id}? (The partner is told.) For another "
                                "reason: tremplin catalog proposals reject {id} --reason TEXT"
                                ).format(id=proposal_id),
            reply_markup=InlineKeyboardMarkup(rows))
        return
    actor = f"telegram:{user.id}"
    result: proposals.Approved | proposals.Outdated | Proposal
    try:
        async with context.database.sessions() as session:
            if verb == "a":
                proposal = await proposals.pending(session=session, proposal_id=proposal_id)
                reading = await asyncio.to_thread(read_upload, proposal.data, proposal.format)
                offers = reading.offers
                result = await proposals.approve(
                    session=session, proposal_id=proposal_id, offers=offers, actor=actor)
            else:
                reason = REJECT_REASONS[int(verb[1:])] if int(verb[1:]) < len(
                    REJECT_REASONS) else REJECT_REASONS[-1]
                result = await proposals.reject(
                    session=session, proposal_id=proposal_id, reason=reason, actor=actor)
    except proposals.NotPending:
        await query.answer(tr.gettext("This proposal no longer waits for a decision."),
                           show_alert=True)
        return
    if isinstance(result, proposals.Outdated):
        await query.answer(tr.gettext(
            "The catalogue changed since this proposal was checked: nothing was applied. "
            "See tremplin catalog proposals approve {id}.").format(id=proposal_id),
            show_alert=True)
        return
    await query.answer()
    if isinstance(result, proposals.Approved):
        context.catalog.invalidate()
        decided = result.proposal
        done = tr.gettext("Proposal #{id} approved and imported (tremplin catalog rollback "
                          "undoes it).").format(id=proposal_id)
    else:
        decided = result
        done = tr.gettext("Proposal #{id} rejected.").format(id=proposal_id)
    logger.info("event=proposal_decided proposal=%s status=%s", proposal_id, decided.status)
    if shown is not None:
        await shown.edit_text(escape(done), parse_mode=ParseMode.HTML)
    else:
        await context.bot.send_message(user.id, done)
    await tell_partner(context.bot, decided)


async def roles_check(context: TremplinContext, user_id: int) -> bool:
    async with context.database.sessions() as session:
        return await roles.is_maintainer(
            session=session, user_id=user_id, configured=context.settings.maintainer_ids)


def digest_lines(found: list[ProblemReport]) -> list[str]:
    """The maintainers' daily digest of problem reports (English, like the review messages)."""
    counts = Counter((report.offer_id, report.reason) for report in found)
    lines = [f"<b>Problem reports from citizens, last 24 hours: {len(found)}</b>"]
    lines += [f"  {escape(offer_id)}: {reason} ×{count}"
              for (offer_id, reason), count in sorted(counts.items())]
    lines.append("tremplin catalog reports lists them all; tremplin catalog check counts them.")
    return lines


async def send_reports_digest(bot: Bot, database: Database, settings: BotSettings) -> int:
    """The day's reports to every maintainer, once a day (the bot's daily job); how many."""
    async with database.sessions() as session:
        found = await reports.reports(session=session, since=utcnow() - timedelta(days=1))
        maintainers = await roles.maintainer_ids(session=session,
                                                 configured=settings.maintainer_ids)
    if not found:
        return 0
    for maintainer in maintainers:
        try:
            for piece in pack(digest_lines(found)):
                await bot.send_message(maintainer, piece, parse_mode=ParseMode.HTML)
        except Exception:  # a maintainer who blocked the bot must not stop the others
            logger.exception("event=reports_digest_failed")
    logger.info("event=reports_digest reports=%d", len(found))
    return len(found)


async def on_propose(update: Update, context: TremplinContext) -> None:
    """/propose: a file of offers (the template), or one offer described here (the form of
    ``bot.telegram.offer_form``)."""
    message, user = update.message, update.effective_user
    if message is None or user is None:
        return
    tr = translator(await language_of(context, user))
    await message.reply_text(
        tr.gettext("To propose learning offers, send me a file of them, or describe one offer "
                   "here, question by question. A maintainer of the catalogue reviews it; I "
                   "will tell you their answer."),
        reply_markup=InlineKeyboardMarkup([
            [InlineKeyboardButton(tr.gettext("Send a file"), callback_data="pf:file")],
            [InlineKeyboardButton(tr.gettext("Describe one offer here"), callback_data="pf:new")],
        ]))


async def send_template(context: TremplinContext, chat_id: int, tr: Translator) -> None:
    """How to fill in the template, and the template."""
    from catalog.formats.xlsxio import EXAMPLE

    await context.bot.send_message(chat_id, tr.gettext(
        "To propose learning offers, fill in this file (one row per offer, in place of the "
        "example row) and send it back to me as CSV, Excel (.xlsx) or JSON. I check it at once, "
        "then a maintainer of the catalogue reviews it; I will tell you their answer."))
    template = (await asyncio.to_thread(write_csv, [EXAMPLE])).encode("utf-8")
    await context.bot.send_document(chat_id, document=template, filename="tremplin-template.csv")


async def on_report(update: Update, context: TremplinContext) -> None:
    """"Report a problem" under an offer's details: the reasons, then the report kept."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.message is None:
        return
    verb, _, ref = (query.data or "").partition(":")
    tr = translator(await language_of(context, user))
    async with context.database.sessions() as session:
        index = await context.catalog.index(session=session)
    offer_id = actions.resolve_offer(ref, [offer.id for offer in index.offers])
    if offer_id is None:
        await query.answer(tr.gettext("This offer is no longer in the catalogue."),
                           show_alert=True)
        return
    await query.answer()
    chat_id = query.message.chat.id
    reply = report_reasons(offer_id, tr)
    if verb == "p":
        rows = [[InlineKeyboardButton(button.label, callback_data=button.action)
                 for button in row] for row in reply.buttons]
        await context.bot.send_message(chat_id, reply.text,
                                       reply_markup=InlineKeyboardMarkup(rows))
        return
    reason = REPORT_REASONS[min(int(verb[1:]), len(REPORT_REASONS) - 1)][0]
    try:
        async with context.database.sessions() as session:
            await reports.add(session=session, offer_id=offer_id, reason=reason, user_id=user.id)
    except reports.TooMany:
        await context.bot.send_message(chat_id, tr.gettext(
            "You have sent many reports today: thank you. Try again tomorrow."))
        return
    logger.info("event=problem_reported offer=%s reason=%s", offer_id, reason)
    if reason == "other":  # a few words, as a reply to this question (on_report_text)
        await context.bot.send_message(chat_id, tr.gettext(OTHER_PROMPT),
                                       reply_markup=ForceReply(selective=True))
        return
    await context.bot.send_message(chat_id, tr.gettext(
        "Thank you: the catalogue's maintainers will check this offer."))


async def on_report_text(update: Update, context: TremplinContext) -> None:
    """The words of a report "Something else", typed in reply to :data:`OTHER_PROMPT`; kept
    scrubbed of personal data as the conversation's typed words are. Any other reply is the
    conversation's."""
    message, user = update.message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    replied = message.reply_to_message
    tr = translator(await language_of(context, user))
    if (replied is None or replied.from_user is None or replied.from_user.id != context.bot.id
            or replied.text != tr.gettext(OTHER_PROMPT)):
        await handlers.converse(update, context)
        return
    async with context.database.sessions() as session:
        kept = await reports.set_text(session=session, user_id=user.id,
                                      text=keep_text(message.text))
    if not kept:  # answered already, or over an hour later: the conversation's
        await handlers.converse(update, context)
        return
    await message.reply_text(tr.gettext(
        "Thank you: the catalogue's maintainers will check this offer."))
