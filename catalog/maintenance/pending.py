"""Imports waiting for a maintainer's "Apply": kept in the database under a short token.

The dry run shows a plan; applying must apply that plan and nothing else. So the plan is planned
again at apply time, against the catalogue as it is then, in the transaction that applies it:
if it is not the plan that was shown (someone imported in between), nothing is applied and the
new plan is returned to be shown instead.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Connection, delete
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from catalog.maintenance.audit import lock_catalogue, record_import
from catalog.maintenance.importer import ImportPlan, apply_plan, plan_import
from catalog.offer import Offer
from catalog.store.audit_models import PendingImport
from catalog.store.db import rollback_on_error
from catalog.store.models import ImportRecord, utcnow

KEEP_FOR = timedelta(days=2)  # an unanswered dry run is forgotten after this
_TOKEN_BYTES = 9  # 12 URL-safe characters: unguessable, and short in callback data


def fingerprint(plan: ImportPlan) -> str:
    """A digest of what a plan changes (ids and changed columns), to compare two plans."""
    summary = {
        "added": sorted(offer.id for offer in plan.added),
        "revived": sorted(offer.id for offer in plan.revived),
        "updated": sorted([change.offer.id, *change.columns] for change in plan.updated),
        "retired": sorted(plan.retired),
    }
    return hashlib.sha256(json.dumps(summary).encode()).hexdigest()[:32]


def without_retiring(plan: ImportPlan) -> ImportPlan:
    """The plan of a plain import: offers absent from the file stay."""
    return dataclasses.replace(plan, retired=())


async def save_pending(
    *,
    session: AsyncSession,
    user_id: int,
    chat_id: int,
    source: str,
    format: str,
    checksum: str,
    data: bytes,
    plan: ImportPlan,
) -> str:
    """Keep a checked file and the plan shown for it (planned with ``replace``); its token."""
    await session.exec(
        delete(PendingImport).where(col(PendingImport.created_at) < utcnow() - KEEP_FOR)
    )
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    session.add(
        PendingImport(
            token=token,
            user_id=user_id,
            chat_id=chat_id,
            source=source,
            format=format,
            checksum=checksum,
            fingerprint=fingerprint(plan),
            data=data,
        )
    )
    await session.commit()
    return token


async def find_pending(*, session: AsyncSession, token: str) -> PendingImport | None:
    """The pending import of ``token``, unless it is unknown or too old."""
    pending = await session.get(PendingImport, token)
    if pending is None or pending.created_at < utcnow() - KEEP_FOR:
        return None
    return pending


async def drop_pending(*, session: AsyncSession, token: str) -> bool:
    """Forget a pending import (cancelled); False if it was already gone."""
    result = await session.exec(delete(PendingImport).where(col(PendingImport.token) == token))
    await session.commit()
    return bool(result.rowcount)


def forget_pending(connection: Connection, *, user_id: int) -> None:
    """Delete the files ``user_id`` sent that wait for an answer (/forget; not committed)."""
    connection.execute(delete(PendingImport).where(col(PendingImport.user_id) == user_id))


@dataclasses.dataclass(frozen=True, slots=True)
class Outdated:
    """The catalogue changed since the dry run: this is the plan now, nothing was applied."""

    plan: ImportPlan


async def apply_pending(
    *,
    session: AsyncSession,
    pending: PendingImport,
    offers: Sequence[Offer],
    replace: bool,
    actor: str,
    scope: tuple[str, ...] | None = None,
) -> tuple[ImportPlan, ImportRecord] | Outdated:
    """Apply the pending import's ``offers`` (read again from its file) in one transaction,
    if the plan is still the one shown; the pending import is then forgotten. ``scope``: the
    id prefixes an open-data file may retire (see :func:`plan_import`)."""
    async with rollback_on_error(session):
        await lock_catalogue(session)
        planned = await plan_import(session=session, offers=offers, replace=True, scope=scope)
        if fingerprint(planned) != pending.fingerprint:
            await session.rollback()
            return Outdated(planned)
        plan = planned if replace else without_retiring(planned)
        record = await record_import(
            session=session,
            plan=plan,
            source=pending.source,
            checksum=pending.checksum,
            format=pending.format,
            actor=actor,
        )
        await apply_plan(session=session, plan=plan)
        gone = await session.exec(
            delete(PendingImport).where(col(PendingImport.token) == pending.token)
        )
        if not gone.rowcount:  # applied meanwhile by another press, process or replica
            await session.rollback()
            return Outdated(planned)
        await session.commit()
    return plan, record


async def pending_count(*, session: AsyncSession) -> int:
    """How many imports wait for an answer."""
    return int((await session.exec(select(func.count()).select_from(PendingImport))).one())
