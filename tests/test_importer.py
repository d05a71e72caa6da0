"""Importing into the database: plan, upsert, dry run, replace and revive, audit, round trips."""

from __future__ import annotations

import dataclasses
import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import DATA
from sqlmodel import col, select

from catalog.formats.csvio import read_csv, write_csv
from catalog.formats.jsonio import write_json
from catalog.formats.validation import InvalidCatalogue
from catalog.maintenance.importer import UnknownFormat, changed_columns, import_file, read_offers
from catalog.maintenance.sample import ensure_catalogue, sample_catalogue_path
from catalog.offer import LocalText, Offer
from catalog.store.db import SessionMaker
from catalog.store.models import ImportRecord
from catalog.store.offers import load_offers

CATALOG = DATA / "catalog"
VALID = (CATALOG / "valid.csv").read_bytes()


async def run_import(
    sessions: SessionMaker, data: bytes, source: str = "valid.csv", **options: bool
) -> tuple[int, int, int, int, int]:
    """(added, revived, updated, unchanged, retired) of an import."""
    async with sessions() as session:
        plan = await import_file(session=session, data=data, source=source, actor="test", **options)
    counts = (plan.added, plan.revived, plan.updated, plan.unchanged, plan.retired)
    return tuple(len(part) for part in counts)  # type: ignore[return-value]


async def catalogue(sessions: SessionMaker, include_retired: bool = False) -> list[Offer]:
    """The stored offers without the day each was confirmed (their files give none: the day of
    import is set then, tested in tests/test_freshness.py)."""
    async with sessions() as session:
        offers = await load_offers(session=session, include_retired=include_retired)
    return [dataclasses.replace(offer, updated_on=None) for offer in offers]


async def audits(sessions: SessionMaker) -> list[ImportRecord]:
    async with sessions() as session:
        query = select(ImportRecord).order_by(col(ImportRecord.id))
        return list((await session.exec(query)).all())


def by_id(offers: list[Offer]) -> list[Offer]:
    return sorted(offers, key=lambda offer: offer.id)


@pytest.mark.asyncio
async def test_first_import_adds_every_offer_and_is_audited(sessions: SessionMaker) -> None:
    assert await run_import(sessions, VALID, source="some/folder/valid.csv") == (3, 0, 0, 0, 0)
    assert await catalogue(sessions) == by_id(read_csv(VALID))
    (audit,) = await audits(sessions)
    assert (audit.actor, audit.source, audit.format) == ("test", "valid.csv", "csv")
    assert audit.checksum == hashlib.sha256(VALID).hexdigest()
    assert (audit.added, audit.updated, audit.unchanged, audit.retired) == (3, 0, 0, 0)


@pytest.mark.asyncio
async def test_reimport_changes_nothing(sessions: SessionMaker) -> None:
    await run_import(sessions, VALID)
    assert await run_import(sessions, VALID) == (0, 0, 0, 3, 0)
    assert [audit.unchanged for audit in await audits(sessions)] == [0, 3]


@pytest.mark.asyncio
async def test_upsert_names_the_changed_columns(sessions: SessionMaker) -> None:
    await run_import(sessions, VALID)
    edited = (
        VALID.decode()
        .replace("Atelier smartphone,", "Atelier tablette,")
        .replace("Smartphone workshop", "Tablet workshop")
        .replace('"12,50"', "13")
    )
    async with sessions() as session:
        plan = await import_file(session=session, data=edited.encode(), source="v.csv", actor="t")
    assert [(change.offer.id, change.columns) for change in plan.updated] == [
        ("num-01", ("title", "title_en")),
        ("fle-02", ("price_eur",)),
    ]
    stored = {offer.id: offer for offer in await catalogue(sessions)}
    assert stored["num-01"].title_in("en") == "Tablet workshop"
    assert stored["fle-02"].price_eur == Decimal("13")


@pytest.mark.asyncio
async def test_dry_run_changes_nothing(sessions: SessionMaker) -> None:
    await run_import(sessions, VALID)
    before = await catalogue(sessions, include_retired=True)
    only_one = b"\n".join(VALID.splitlines()[:2]).replace(b"Atelier smartphone", b"Autre")
    counts = await run_import(sessions, only_one, dry_run=True, replace=True)
    assert counts == (0, 0, 1, 0, 2)
    assert await catalogue(sessions, include_retired=True) == before
    assert len(await audits(sessions)) == 1


@pytest.mark.asyncio
async def test_replace_retires_and_reimport_revives(sessions: SessionMaker) -> None:
    await run_import(sessions, VALID)
    only_one = b"\n".join(VALID.splitlines()[:2])
    assert await run_import(sessions, only_one, replace=True) == (0, 0, 0, 1, 2)
    assert [offer.id for offer in await catalogue(sessions)] == ["num-01"]
    assert len(await catalogue(sessions, include_retired=True)) == 3
    # Retired offers are not retired twice.
    assert await run_import(sessions, only_one, replace=True) == (0, 0, 0, 1, 0)
    assert await run_import(sessions, VALID.replace(b"Heure du conte", b"Contes")) == (
        0,
        2,
        0,
        1,
        0,
    )
    stored = {offer.id: offer for offer in await catalogue(sessions)}
    assert len(stored) == 3 and stored["lire-03"].title == "Contes en famille"
    assert [(audit.added, audit.retired) for audit in await audits(sessions)] == [
        (3, 0),
        (0, 2),
        (0, 0),
        (2, 0),
    ]


@pytest.mark.asyncio
async def test_a_file_with_any_error_imports_nothing(sessions: SessionMaker) -> None:
    await run_import(sessions, VALID)
    before = await catalogue(sessions)
    bad = VALID + b"new-04,Nouveau,Asso,family,,,,,,,,,,,,,,,,,,,,,,,\n"  # one cell short
    with pytest.raises(InvalidCatalogue):
        await run_import(sessions, bad, replace=True)
    with pytest.raises(InvalidCatalogue):
        await run_import(sessions, (CATALOG / "invalid.csv").read_bytes())
    assert await catalogue(sessions) == before
    assert len(await audits(sessions)) == 1


# Every one of them is shipped: a missing file fails collection rather than dropping a case.
ROUND_TRIP = {
    path.name: path.read_bytes()
    for path in (CATALOG / "valid.csv", CATALOG / "tricky.csv", sample_catalogue_path())
}


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ROUND_TRIP)
@pytest.mark.parametrize("format", ["csv", "json"])
async def test_export_then_import_changes_nothing(
    sessions: SessionMaker, name: str, format: str
) -> None:
    offers = read_csv(ROUND_TRIP[name])
    await run_import(sessions, ROUND_TRIP[name], source=name)
    stored = await catalogue(sessions)
    assert stored == by_id(offers)
    exported = write_json(stored) if format == "json" else write_csv(stored)
    assert read_offers(exported.encode(), format) == stored
    counts = await run_import(sessions, exported.encode(), source=f"export.{format}")
    assert counts == (0, 0, 0, len(offers), 0)


@pytest.mark.asyncio
async def test_unknown_format(sessions: SessionMaker) -> None:
    with pytest.raises(UnknownFormat, match=r"'\.txt': use \.csv or \.json"):
        await run_import(sessions, VALID, source="valid.txt")


@pytest.mark.asyncio
async def test_json_import_is_audited_as_json(sessions: SessionMaker) -> None:
    data = write_json(read_csv(VALID)).encode()
    assert await run_import(sessions, data, source="catalogue.JSON") == (3, 0, 0, 0, 0)
    assert (await audits(sessions))[0].format == "json"


@pytest.mark.asyncio
async def test_ensure_catalogue_loads_once(sessions: SessionMaker) -> None:
    path = CATALOG / "valid.csv"
    async with sessions() as session:
        assert await ensure_catalogue(session=session, path=path) == 3
    async with sessions() as session:
        assert await ensure_catalogue(session=session, path=path) == 0
    assert len(await catalogue(sessions)) == 3
    assert (await audits(sessions))[0].actor == "sample"


@pytest.mark.asyncio
async def test_ensure_catalogue_keeps_an_emptied_catalogue_empty(sessions: SessionMaker) -> None:
    await run_import(sessions, VALID)
    header = VALID.splitlines()[0]
    await run_import(sessions, header, replace=True)
    async with sessions() as session:
        assert await ensure_catalogue(session=session, path=CATALOG / "valid.csv") == 0
    assert await catalogue(sessions) == []


@pytest.mark.asyncio
async def test_ensure_catalogue_without_a_file(sessions: SessionMaker, tmp_path: Path) -> None:
    async with sessions() as session:
        assert await ensure_catalogue(session=session, path=tmp_path / "none.csv") == 0


@pytest.mark.asyncio
async def test_the_sample_catalogue_is_valid_and_loads(sessions: SessionMaker) -> None:
    expected = read_csv(sample_catalogue_path().read_bytes())
    async with sessions() as session:
        assert await ensure_catalogue(session=session) == len(expected) > 0
    assert await catalogue(sessions) == by_id(expected)


def test_changed_columns() -> None:
    old = read_csv(VALID)[0]
    assert changed_columns(old, old) == ()
    new = dataclasses.replace(
        old,
        keywords=("autre",),
        latitude=-1.5,
        translations={"en": LocalText("Smartphone workshop"), "uk": LocalText("Курс")},
    )
    assert changed_columns(old, new) == ("title_uk", "keywords", "latitude")
