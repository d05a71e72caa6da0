"""Importing a catalogue file: what it would change (the plan), then all of it at once.

The plan compares the file's offers with the stored ones by id. Applying it is one transaction of
bulk statements (one INSERT for the new offers, one executemany UPDATE for the changed ones), so
10,000 offers import in seconds and a failure leaves the catalogue as it was. Functions that
write commit (or roll back) the session they are given.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from dataclasses import replace as replaced
from datetime import date
from pathlib import PurePath
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, insert, update
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from catalog.formats.columns import COLUMNS
from catalog.formats.csvio import offer_cells, read_csv
from catalog.formats.flavour import JSON, csv_flavour, json_flavour
from catalog.formats.jsonio import read_json
from catalog.maintenance.audit import lock_catalogue, record_import
from catalog.offer import Offer
from catalog.store.db import rollback_on_error
from catalog.store.models import OfferRecord, utcnow
from catalog.store.offers import record_fields, to_offer

if TYPE_CHECKING:
    from catalog.formats.lheo import Inference  # the LHEO reader is loaded for LHEO files only
    from catalog.formats.open_data import OpenDataReading, Skipped

FORMATS: dict[str, str] = {".csv": "csv", ".json": "json", ".xlsx": "xlsx", ".xml": "lheo"}
# Named with --format: the open-data standards are JSON files, told apart by the name only.
NAMED_FORMATS = ("csv", "json", "xlsx", "lheo", "data-inclusion", "hsds")
OPEN_DATA_FORMATS = ("data-inclusion", "hsds")
# How a caption may name a format, once lower-cased and stripped of spaces, '-', '_' and '·'.
_CAPTIONS = {"csv": "csv", "json": "json", "xlsx": "xlsx", "excel": "xlsx", "lheo": "lheo",
             "datainclusion": "data-inclusion", "hsds": "hsds", "openreferral": "hsds"}
_CHUNK = 1000  # ids per "IN (...)": well under SQLite's and asyncpg's parameter limits


class UnknownFormat(ValueError):
    """A file name whose extension is none of .csv, .json, .xlsx and .xml."""


@dataclass(frozen=True, slots=True)
class Update:
    """A stored offer that the file changes, and the columns that change."""

    offer: Offer
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What importing a file does to the catalogue, by offer id."""

    added: tuple[Offer, ...] = ()
    revived: tuple[Offer, ...] = ()  # retired offers that the file brings back
    updated: tuple[Update, ...] = ()
    unchanged: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()

    @property
    def read(self) -> int:
        """How many offers the file holds."""
        return len(self.added) + len(self.revived) + len(self.updated) + len(self.unchanged)

    @property
    def changes(self) -> bool:
        return bool(self.added or self.revived or self.updated or self.retired)

    def summary(self, source: str, *, dry_run: bool) -> list[str]:
        """The lines told after an import of ``source`` (in English, like the command line):
        counts, and with ``dry_run`` every change by id."""
        lines: list[str] = []
        if dry_run:
            lines.append(f"{source}: {self.read} offers; dry run, nothing was changed")
            lines += [f"  + {offer.id}  (new)" for offer in self.added]
            lines += [f"  + {offer.id}  (retired, brought back)" for offer in self.revived]
            lines += [f"  ~ {up.offer.id}  {', '.join(up.columns)}" for up in self.updated]
            lines += [f"  - {id_}  (retired)" for id_ in self.retired]
        verb = "would be " if dry_run else ""
        revived = f" ({len(self.revived)} brought back)" if self.revived else ""
        lines.append(
            f"{source}: {len(self.added) + len(self.revived)} {verb}added{revived},"
            f" {len(self.updated)} {verb}updated, {len(self.unchanged)} unchanged,"
            f" {len(self.retired)} {verb}retired"
        )
        return lines


def file_format(name: str) -> str:
    """``csv``, ``json``, ``xlsx`` or ``lheo``, from a file name; else :class:`UnknownFormat`."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in FORMATS:
        raise UnknownFormat(
            f"unknown file type {suffix or '(none)'!r}: use .csv or .json"
            " (or .xlsx, or .xml for LHEO)"
        )
    return FORMATS[suffix]


def named_format(caption: str | None) -> str | None:
    """The format a file's caption names ("data-inclusion", "data·inclusion", "HSDS"...), if
    the caption is only that; any other caption names none."""
    word = "".join(char for char in (caption or "").lower() if char not in " -_·.\n")
    return _CAPTIONS.get(word)


def content_format(data: bytes, format: str) -> str:
    """``format``, or for a JSON or CSV file the standard its content follows."""
    if format == JSON:
        return json_flavour(data)
    return csv_flavour(data) if format == "csv" else format


def read_offers(data: bytes, format: str, *, today: date | None = None) -> list[Offer]:
    """The offers of a file's bytes, or :class:`~catalog.formats.validation.InvalidCatalogue`;
    ``today`` (the city's, default the machine's) refuses an offer confirmed after it."""
    # Excel and LHEO are imported only for their files: openpyxl (with numpy) and the LHEO
    # reader cost more at start than all of ``tremplin match`` (the sample catalogue is CSV).
    if format == "xlsx":
        from catalog.formats.xlsxio import read_xlsx

        return read_xlsx(data, today=today)
    if format == "lheo":
        from catalog.formats.lheo import read_lheo

        return read_lheo(data, today=today)
    return read_json(data, today=today) if format == "json" else read_csv(data, today=today)


def offers_and_inferences(
    data: bytes, format: str, *, today: date | None = None
) -> tuple[list[Offer], list[Inference]]:
    """A file's offers, and for LHEO the values Tremplin inferred to read them."""
    if format == "lheo":
        from catalog.formats.lheo import read_lheo_report

        reading = read_lheo_report(data, today=today)
        return reading.offers, reading.inferences
    return read_offers(data, format, today=today), []


def read_open_data(data: bytes, format: str, *, today: date | None = None) -> OpenDataReading:
    """The offers of a data·inclusion or HSDS file, with what was inferred and left out; a
    data·inclusion file that is not JSON is its CSV form."""
    if format == "hsds":
        from catalog.formats.hsds import read_hsds_report

        return read_hsds_report(data, today=today)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"[", b"{"):
        from catalog.formats.data_inclusion_csv import read_data_inclusion_csv_report

        return read_data_inclusion_csv_report(data, today=today)
    from catalog.formats.data_inclusion import read_data_inclusion_report

    return read_data_inclusion_report(data, today=today)


@dataclass(frozen=True, slots=True)
class Reading:
    """A file's offers, the values inferred, and for open data the services left out and the
    id prefixes that ``--replace`` may retire (None: any offer)."""

    offers: list[Offer]
    inferences: list[Inference] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    scope: tuple[str, ...] | None = None


def read_file(data: bytes, format: str, *, today: date | None = None) -> Reading:
    """What a file of any format holds (one of :data:`NAMED_FORMATS`); ``today``: the city's,
    an offer confirmed after it is refused."""
    if format in OPEN_DATA_FORMATS:
        reading = read_open_data(data, format, today=today)
        return Reading(reading.offers, reading.inferences, reading.skipped, reading.scope)
    return Reading(*offers_and_inferences(data, format, today=today))


def read_upload(data: bytes, format: str, *, today: date | None = None) -> Reading:
    """What a file holds, a JSON file read as the standard its content follows (a partner's
    proposal keeps its file's extension as its format, and is read again this way)."""
    return read_file(data, content_format(data, format), today=today)


def changed_columns(old: Offer, new: Offer) -> tuple[str, ...]:
    """The contract columns whose cells differ between two versions of an offer."""
    if old == new:
        return ()
    before, after = offer_cells(old), offer_cells(new)
    # Comparing cells names changes as a maintainer sees them (title_en, not "translations").
    return tuple(name for name in COLUMNS if before[name] != after[name]) or ("translations",)


def _dated(offer: Offer, day: date | None) -> Offer:
    """``offer`` confirmed on ``day`` unless its file gives the day."""
    return offer if offer.updated_on or day is None else replaced(offer, updated_on=day)


async def plan_import(
    *,
    session: AsyncSession,
    offers: Sequence[Offer],
    replace: bool = False,
    today: date | None = None,
    scope: tuple[str, ...] | None = None,
) -> ImportPlan:
    """Compare ``offers`` with the catalogue; ``replace`` retires the active offers they lack,
    only those whose id starts with one of the ``scope`` prefixes when it is given (the offers of
    one open-data source never retire another's).

    An offer without ``updated_on`` is confirmed ``today`` (default: the real day) when it is new,
    brought back or changed; unchanged, it keeps the day it was last confirmed.
    """
    day = today or date.today()
    stored: dict[str, tuple[Offer, bool]] = {}
    query = select(OfferRecord).execution_options(populate_existing=True)
    for record in (await session.exec(query)).all():
        stored[record.id] = (to_offer(record), record.retired)
        # Bulk updates do not refresh loaded objects: keep none in the session.
        session.expunge(record)
    added: list[Offer] = []
    revived: list[Offer] = []
    updated: list[Update] = []
    unchanged: list[str] = []
    for offer in offers:
        old, retired = stored.get(offer.id, (None, False))
        if old is None:
            added.append(_dated(offer, day))
        elif retired:
            revived.append(_dated(offer, day))
        elif columns := changed_columns(old, _dated(offer, old.updated_on)):
            updated.append(Update(_dated(offer, day), columns))
        else:
            unchanged.append(offer.id)
    retire: list[str] = []
    if replace:
        in_file = {offer.id for offer in offers}
        retire = sorted(
            id_
            for id_, (_, gone) in stored.items()
            if not gone
            and id_ not in in_file
            and (scope is None or id_.startswith(scope))
        )
    return ImportPlan(tuple(added), tuple(revived), tuple(updated), tuple(unchanged), tuple(retire))


async def apply_plan(*, session: AsyncSession, plan: ImportPlan) -> None:
    """Write the plan in the session's transaction (the caller commits)."""
    # Core statements on the table, not the ORM's bulk helpers: the ORM splits the rows into
    # one statement per pattern of NULL cells (thousands of round trips for 10,000 offers),
    # Core sends every row in one executemany.
    table = SQLModel.metadata.tables["offer"]
    now = utcnow()
    if plan.added:
        rows = [
            {**record_fields(offer), "retired": False, "created_at": now, "updated_at": now}
            for offer in plan.added
        ]
        await session.exec(insert(table), params=rows)
    changed = [*(change.offer for change in plan.updated), *plan.revived]
    if changed:
        names = [name for name in record_fields(changed[0]) if name != "id"]
        statement = (
            update(table)
            .where(table.c.id == bindparam("key"))
            .values({name: bindparam(name) for name in [*names, "retired", "updated_at"]})
        )
        rows = [
            {**record_fields(offer), "key": offer.id, "retired": False, "updated_at": now}
            for offer in changed
        ]
        await session.exec(statement, params=rows)
    for start in range(0, len(plan.retired), _CHUNK):
        ids = plan.retired[start : start + _CHUNK]
        statement = update(table).where(table.c.id.in_(ids)).values(retired=True, updated_at=now)
        await session.exec(statement)


async def import_offers(
    *,
    session: AsyncSession,
    offers: Sequence[Offer],
    source: str,
    checksum: str,
    format: str,
    actor: str,
    replace: bool = False,
    dry_run: bool = False,
    today: date | None = None,
    scope: tuple[str, ...] | None = None,
) -> ImportPlan:
    """Plan and, unless ``dry_run``, apply an import with its audit record, in one transaction;
    ``scope``: see :func:`plan_import`."""
    async with rollback_on_error(session):
        await lock_catalogue(session)
        plan = await plan_import(
            session=session, offers=offers, replace=replace, today=today, scope=scope
        )
        if dry_run:
            await session.rollback()
            return plan
        # The audit row and the before-images first: they copy the offers as they still are.
        await record_import(
            session=session,
            plan=plan,
            source=source,
            checksum=checksum,
            format=format,
            actor=actor,
        )
        await apply_plan(session=session, plan=plan)
        await session.commit()
    return plan


async def import_file(
    *,
    session: AsyncSession,
    data: bytes,
    source: str,
    actor: str,
    replace: bool = False,
    dry_run: bool = False,
) -> ImportPlan:
    """Import a file's bytes; its name (``source``) gives the format.

    Raises :class:`UnknownFormat` for an unknown extension and
    :class:`~catalog.formats.validation.InvalidCatalogue` when the file has any error (nothing
    imported).
    """
    format = file_format(source)
    offers = read_offers(data, format)
    return await import_offers(
        session=session,
        offers=offers,
        source=PurePath(source).name,
        checksum=hashlib.sha256(data).hexdigest(),
        format=format,
        actor=actor,
        replace=replace,
        dry_run=dry_run,
    )
