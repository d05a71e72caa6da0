"""The history of applied imports, and undoing the last one exactly.

Before an import changes anything, :func:`record_import` writes its audit row and copies every
offer it is about to add, update, bring back or retire into ``offer_before`` (the database copies
the rows itself). :func:`rollback_last` puts those rows back: the catalogue is then, column for
column, what it was before that import. Imports and rollbacks take :func:`lock_catalogue` first so
that on PostgreSQL they run one after the other (SQLite's ``BEGIN IMMEDIATE`` already does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Integer, delete, func, insert, literal, select, update
from sqlmodel import SQLModel, col
from sqlmodel import select as select_model
from sqlmodel.ext.asyncio.session import AsyncSession

from catalog.store.audit_models import OFFER_COLUMNS, offer_before
from catalog.store.db import rollback_on_error
from catalog.store.models import ImportRecord, utcnow

if TYPE_CHECKING:
    from catalog.maintenance.importer import ImportPlan

_CHUNK = 1000  # ids per "IN (...)", as in the importer
# Any constant works: it names "the catalogue" among PostgreSQL's advisory locks.
_CATALOGUE_LOCK = 0x7E4A_11E0


class NothingToRollBack(Exception):
    """No applied import is left to undo."""


@dataclass(frozen=True, slots=True)
class Rollback:
    """What undoing an import did: the import, offers deleted (it had added them), restored."""

    undone: ImportRecord
    deleted: int
    restored: int


async def lock_catalogue(session: AsyncSession) -> None:
    """Serialise catalogue writers until the transaction ends (PostgreSQL; a no-op on SQLite)."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        await session.exec(select_model(func.pg_advisory_xact_lock(_CATALOGUE_LOCK)))


def telegram_actor(user_id: int) -> str:
    """How a maintainer who imported through Telegram is named in the history."""
    return f"telegram:{user_id}"


def forget_actor(connection: Connection, *, user_id: int, pseudonym: str | None) -> None:
    """Rename a maintainer who used /forget in the history (not committed): their imports and
    rollbacks stay, signed by their pseudonym's start (as in the logs), or by ``forgotten``."""
    renamed = f"pseudonym:{pseudonym[:12]}" if pseudonym else "forgotten"
    actor = telegram_actor(user_id)
    for name in ("actor", "rolled_back_by"):
        column = col(getattr(ImportRecord, name))
        connection.execute(update(ImportRecord).where(column == actor).values({name: renamed}))


def _chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    return [ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK)]


async def record_import(
    *, session: AsyncSession, plan: ImportPlan, source: str, checksum: str, format: str, actor: str
) -> ImportRecord:
    """Write the audit row of ``plan`` and the before-image of every offer it touches.

    Call it before applying the plan, in the same transaction.
    """
    record = ImportRecord(
        at=utcnow(),
        actor=actor,
        source=source,
        checksum=checksum,
        format=format,
        added=len(plan.added) + len(plan.revived),
        updated=len(plan.updated),
        unchanged=len(plan.unchanged),
        retired=len(plan.retired),
    )
    session.add(record)
    await session.flush()  # the id
    assert record.id is not None
    # A database restored from a backup, or dropped tables recreated, can reuse an import id:
    # images left under it belong to another history.
    await session.exec(delete(offer_before).where(offer_before.c.import_id == record.id))
    offers = SQLModel.metadata.tables["offer"]
    existing = [
        *(change.offer.id for change in plan.updated),
        *(offer.id for offer in plan.revived),
        *plan.retired,
    ]
    for ids in _chunks(existing):
        copied = select(
            literal(record.id, Integer), literal(True), *(offers.c[name] for name in OFFER_COLUMNS)
        ).where(offers.c.id.in_(ids))
        statement = insert(offer_before).from_select(
            ["import_id", "existed", *OFFER_COLUMNS], copied
        )
        await session.exec(statement)
    if plan.added:
        rows = [{"import_id": record.id, "existed": False, "id": offer.id} for offer in plan.added]
        await session.exec(insert(offer_before), params=rows)
    return record


async def history(*, session: AsyncSession, limit: int | None = None) -> list[ImportRecord]:
    """The applied imports, newest first."""
    query = select_model(ImportRecord).order_by(col(ImportRecord.id).desc())
    if limit is not None:
        query = query.limit(limit)
    return list((await session.exec(query)).all())


async def last_import(*, session: AsyncSession) -> ImportRecord | None:
    """The latest import that has not been undone: the one :func:`rollback_last` would undo."""
    query = (
        select_model(ImportRecord)
        .where(col(ImportRecord.rolled_back_at).is_(None))
        .order_by(col(ImportRecord.id).desc())
        .limit(1)
    )
    return (await session.exec(query)).first()


async def rollback_last(
    *, session: AsyncSession, actor: str, dry_run: bool = False, at: datetime | None = None
) -> Rollback:
    """Restore the catalogue as it was before the last import not yet undone, in one transaction.

    Successive rollbacks walk back through the history. Raises :class:`NothingToRollBack`.
    """
    async with rollback_on_error(session):
        await lock_catalogue(session)
        undone = await last_import(session=session)
        if undone is None:
            raise NothingToRollBack("no import to roll back")
        connection = await session.connection()
        query = select(offer_before).where(offer_before.c.import_id == undone.id)
        images = (await connection.execute(query)).all()
        offers = SQLModel.metadata.tables["offer"]
        restored = [
            {name: row._mapping[name] for name in OFFER_COLUMNS} for row in images if row.existed
        ]
        created = sum(1 for row in images if not row.existed)
        if dry_run:
            session.expunge(undone)  # stays readable after the rollback below
            await session.rollback()
            return Rollback(undone, created, len(restored))
        # Delete every offer the import touched, then put back those that existed: exact,
        # timestamps and retirement included, whatever the import changed.
        for ids in _chunks([row.id for row in images]):
            await session.exec(delete(offers).where(offers.c.id.in_(ids)))
        if restored:
            await session.exec(insert(offers), params=restored)
        undone.rolled_back_at = at or utcnow()
        undone.rolled_back_by = actor
        session.add(undone)
        await session.commit()
    return Rollback(undone, created, len(restored))
