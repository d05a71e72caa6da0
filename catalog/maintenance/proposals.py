"""Partners' proposals: a valid catalogue file from someone who is not a maintainer, queued until
a maintainer approves it (imported through the same plan, audit and rollback as any import) or
rejects it with a reason.

A proposal never retires an offer, and never changes an existing offer unless the maintainer
approved that diff: :func:`existing_changes` lists it, the maintainers' message and ``tremplin
catalog proposals approve`` show it, and approving applies exactly the plan that was shown (else
nothing: the catalogue changed since).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Connection, delete, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from catalog.formats.csvio import offer_cells, write_csv
from catalog.i18n import N_, translator
from catalog.maintenance.audit import lock_catalogue, record_import
from catalog.maintenance.importer import ImportPlan, apply_plan, plan_import, read_offers
from catalog.maintenance.pending import fingerprint
from catalog.offer import Offer
from catalog.store.db import rollback_on_error
from catalog.store.models import ImportRecord, OfferRecord, utcnow
from catalog.store.offers import to_offer
from catalog.store.partner_models import Proposal

# Limits against abuse, per person: proposals waiting at once, and sent in 24 hours.
MAX_PENDING = 3
MAX_PER_DAY = 5
PARTNER_FORMATS = ("csv", "json", "xlsx")
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
REASON_LIMIT = 300
# The source of a proposal described in the guided /propose form rather than sent as a file.
CONVERSATION = "conversation"
# The reasons a maintainer taps to reject (told to the partner in their language); the command
# line takes any text.
REJECT_REASONS: tuple[str, ...] = (
    N_("it is already in the catalogue"),
    N_("it is incomplete or unclear"),
    N_("it is not a learning offer"),
    N_("it does not take place in the city or online"),
)


class Refused(Exception):
    """The person reached a limit: ``"pending"`` (too many waiting) or ``"daily"``."""

    def __init__(self, limit: str) -> None:
        super().__init__(limit)
        self.limit = limit


class NotPending(LookupError):
    """No proposal of that id waits for a decision."""


@dataclasses.dataclass(frozen=True, slots=True)
class Outdated:
    """The catalogue changed since the proposal was checked: nothing applied; the plan now."""

    plan: ImportPlan


@dataclasses.dataclass(frozen=True, slots=True)
class Approved:
    plan: ImportPlan
    record: ImportRecord
    proposal: Proposal


async def check_limits(*, session: AsyncSession, user_id: int) -> None:
    """:class:`Refused` when ``user_id`` may not send another proposal now."""
    mine = col(Proposal.user_id) == user_id
    waiting = select(func.count()).select_from(Proposal).where(
        mine, col(Proposal.status) == PENDING)
    if int((await session.exec(waiting)).one()) >= MAX_PENDING:
        raise Refused("pending")
    recent = select(func.count()).select_from(Proposal).where(
        mine, col(Proposal.created_at) > utcnow() - timedelta(days=1))
    if int((await session.exec(recent)).one()) >= MAX_PER_DAY:
        raise Refused("daily")


def plain(plan: ImportPlan) -> ImportPlan:
    """A proposal's plan: offers absent from the file stay."""
    return dataclasses.replace(plan, retired=())


async def queue(
    *,
    session: AsyncSession,
    user_id: int,
    chat_id: int,
    language: str,
    source: str,
    format: str,
    data: bytes,
    offers: Sequence[Offer],
) -> tuple[Proposal, ImportPlan]:
    """Queue a valid file's ``offers`` (its limits checked again); the proposal and its plan."""
    await check_limits(session=session, user_id=user_id)
    plan = plain(await plan_import(session=session, offers=offers))
    proposal = Proposal(
        user_id=user_id,
        chat_id=chat_id,
        language=language,
        source=source[-100:],
        format=format,
        checksum=hashlib.sha256(data).hexdigest(),
        offers=[offer.id for offer in offers],
        fingerprint=fingerprint(plan),
        data=data,
    )
    session.add(proposal)
    await session.commit()
    await session.refresh(proposal)
    return proposal, plan


def offer_id(proposal_id: int, title: str) -> str:
    """The id of an offer described in the conversation: ``prop-<proposal>-<title's words>``,
    unique by its proposal's number, at most 64 characters."""
    folded = unicodedata.normalize("NFKD", title.casefold()).encode("ascii", "ignore").decode()
    prefix = f"prop-{proposal_id}"
    slug = "-".join(re.findall(r"[a-z0-9]+", folded))[: 63 - len(prefix)].strip("-")
    return f"{prefix}-{slug}" if slug else prefix


async def queue_offer(
    *, session: AsyncSession, user_id: int, chat_id: int, language: str, offer: Offer
) -> tuple[Proposal, ImportPlan]:
    """Queue one offer described in the conversation exactly as a partner's file of one row:
    the same limits, plan and approval; its id becomes :func:`offer_id` (never an offer of the
    catalogue: a new proposal number)."""
    async with rollback_on_error(session):
        await check_limits(session=session, user_id=user_id)
        proposal = Proposal(user_id=user_id, chat_id=chat_id, language=language,
                            source=CONVERSATION, format="csv")
        session.add(proposal)
        await session.flush()  # its number names the offer
        assert proposal.id is not None
        base = offer_id(proposal.id, offer.title)
        # A maintainer may have named an offer so: a proposal never takes an existing id.
        taken = set((await session.exec(select(OfferRecord.id).where(
            col(OfferRecord.id).startswith(base[:60])))).all())
        named = dataclasses.replace(offer, id=next(
            name for name in (base, *(f"{base[:60]}-{n}" for n in range(2, 10**4)))
            if name not in taken))
        data = write_csv([named]).encode("utf-8")
        offers = read_offers(data, "csv")  # as approving will read it again
        plan = plain(await plan_import(session=session, offers=offers))
        proposal.data, proposal.checksum = data, hashlib.sha256(data).hexdigest()
        proposal.offers, proposal.fingerprint = [named.id], fingerprint(plan)
        await session.commit()
    await session.refresh(proposal)
    return proposal, plan


async def existing_changes(*, session: AsyncSession, plan: ImportPlan) -> list[str]:
    """The diff a proposal makes to offers already in the catalogue, one line per changed cell
    (``id: column: 'before' -> 'after'``) and one per retired offer it brings back."""
    lines: list[str] = []
    for change in plan.updated:
        record = await session.get(OfferRecord, change.offer.id)
        if record is None:
            continue
        before, after = offer_cells(to_offer(record)), offer_cells(change.offer)
        for column in change.columns:
            old, new = before.get(column, ""), after.get(column, "")
            lines.append(f"{change.offer.id}: {column}: {old[:80]!r} -> {new[:80]!r}")
    lines += [f"{offer.id}: retired, brought back" for offer in plan.revived]
    return lines


async def proposals(*, session: AsyncSession) -> list[Proposal]:
    """Every proposal, newest first."""
    query = select(Proposal).order_by(col(Proposal.id).desc())
    return list((await session.exec(query)).all())


async def pending(*, session: AsyncSession, proposal_id: int) -> Proposal:
    """The proposal ``proposal_id`` if it waits for a decision, else :class:`NotPending`."""
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.status != PENDING:
        raise NotPending(f"no proposal {proposal_id} waits for a decision")
    return proposal


async def replan(*, session: AsyncSession, proposal: Proposal,
                 offers: Sequence[Offer]) -> ImportPlan:
    """What approving ``proposal`` (its ``offers`` read again from its file) would do now."""
    return plain(await plan_import(session=session, offers=offers))


async def approve(
    *, session: AsyncSession, proposal_id: int, offers: Sequence[Offer], actor: str
) -> Approved | Outdated:
    """Import the proposal's ``offers`` if the plan is still the one shown, in one transaction,
    audited as ``proposal ID: FILE`` (``tremplin catalog rollback`` undoes it)."""
    async with rollback_on_error(session):
        await lock_catalogue(session)
        proposal = await pending(session=session, proposal_id=proposal_id)
        plan = plain(await plan_import(session=session, offers=offers))
        if fingerprint(plan) != proposal.fingerprint:
            await session.rollback()
            return Outdated(plan)
        record = await record_import(
            session=session,
            plan=plan,
            source=f"proposal {proposal_id}: {proposal.source}",
            checksum=proposal.checksum,
            format=proposal.format,
            actor=actor,
        )
        await apply_plan(session=session, plan=plan)
        decided = await session.exec(
            update(Proposal)
            .where(col(Proposal.id) == proposal_id, col(Proposal.status) == PENDING)
            .values(status=APPROVED, decided_at=utcnow(), decided_by=actor[:100],
                    import_id=record.id, data=b"")
        )
        if not decided.rowcount:  # decided meanwhile by another maintainer or process
            await session.rollback()
            raise NotPending(f"proposal {proposal_id} was decided meanwhile")
        await session.commit()
    await session.refresh(proposal)
    return Approved(plan, record, proposal)


async def reject(
    *, session: AsyncSession, proposal_id: int, reason: str, actor: str
) -> Proposal:
    """Reject a pending proposal with ``reason``; its file is dropped."""
    async with rollback_on_error(session):
        proposal = await pending(session=session, proposal_id=proposal_id)
        decided = await session.exec(
            update(Proposal)
            .where(col(Proposal.id) == proposal_id, col(Proposal.status) == PENDING)
            .values(status=REJECTED, reason=reason.strip()[:REASON_LIMIT],
                    decided_at=utcnow(), decided_by=actor[:100], data=b"")
        )
        if not decided.rowcount:
            await session.rollback()
            raise NotPending(f"proposal {proposal_id} was decided meanwhile")
        await session.commit()
    await session.refresh(proposal)
    return proposal


def outcome_text(proposal: Proposal) -> str:
    """What the partner is told of a decided proposal, in their language."""
    tr = translator(proposal.language or None)
    # A file is named by its file name; an offer described in the chat, in the partner's words.
    source = (tr.gettext("described in the chat") if proposal.source == CONVERSATION
              else proposal.source)
    if proposal.status == APPROVED:
        return tr.gettext(
            "Good news: your proposal #{id} ({source}) was approved; its offers are now in the "
            "catalogue. Thank you!").format(id=proposal.id, source=source)
    reason = tr.gettext(proposal.reason) if proposal.reason in REJECT_REASONS else proposal.reason
    return tr.gettext("Your proposal #{id} ({source}) was not accepted: {reason}").format(
        id=proposal.id, source=source, reason=reason)


def forget(connection: Connection, *, user_id: int) -> None:
    """/forget: the person's pending proposals go; decided ones keep their decision and offer
    ids, without the sender's ids, language or file (not committed)."""
    table = Proposal.__table__  # type: ignore[attr-defined]
    connection.execute(
        delete(table).where(table.c.user_id == user_id, table.c.status == PENDING))
    connection.execute(
        update(table).where(table.c.user_id == user_id)
        .values(user_id=None, chat_id=None, language="", data=b""))
