"""The built-in sample catalogue, loaded on first use so that a fresh install answers at once."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from catalog.store.models import OfferRecord

logger = logging.getLogger(__name__)


def sample_catalogue_path() -> Path:
    """Where the sample catalogue is: ``catalog/data/sample_catalogue.csv``."""
    return Path(__file__).resolve().parent.parent / "data" / "sample_catalogue.csv"


async def ensure_catalogue(*, session: AsyncSession, path: Path | None = None) -> int:
    """Load the sample catalogue (or ``path``) when there is no offer at all; the count loaded.

    Retired offers count as offers: a catalogue that was emptied on purpose stays empty.
    """
    total = (await session.exec(select(func.count()).select_from(OfferRecord))).one()
    if total:
        return 0
    # Imported on first use only: every later start of every command comes through here.
    from catalog.maintenance.importer import import_file

    path = path or sample_catalogue_path()
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        logger.warning("no sample catalogue at %s: the catalogue stays empty", path)
        return 0
    try:
        plan = await import_file(session=session, data=data, source=path.name, actor="sample")
    except IntegrityError:
        # Another process (a second replica starting) loaded it at the same time.
        logger.info("the sample catalogue was loaded by another process")
        return 0
    logger.info("loaded %d offers from the sample catalogue %s", len(plan.added), path)
    return len(plan.added)
