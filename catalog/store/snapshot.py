"""The catalogue as the matcher reads it: an in-memory index, rebuilt when the catalogue changes.

Building the index costs milliseconds per thousand offers, so it is built once and shared by
every conversation. Whether the catalogue changed is a cheap query (how many active offers, and
the latest ``updated_at``: an import, an update and a retirement all move one of them), asked at
most once every few seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from catalog.matching.index import CatalogIndex
from catalog.store.models import OfferRecord
from catalog.store.offers import load_offers

CHECK_EVERY_SECONDS = 5.0

Version = tuple[int, datetime | None]


async def catalogue_version(*, session: AsyncSession) -> Version:
    """``(active offers, latest update)``: changes whenever the catalogue does."""
    query = select(func.count(), func.max(OfferRecord.updated_at)).where(
        col(OfferRecord.retired).is_(False)
    )
    count, latest = (await session.exec(query)).one()
    return int(count), latest


class CatalogSnapshot:
    """The current :class:`CatalogIndex`, shared by every conversation of a process."""

    def __init__(
        self,
        *,
        check_every: float = CHECK_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._check_every = check_every
        self._clock = clock
        self._index: CatalogIndex | None = None
        self._version: Version | None = None
        self._checked_at = float("-inf")
        self._lock = asyncio.Lock()

    @property
    def version(self) -> Version | None:
        """The catalogue version the index was built from (``None`` before the first build)."""
        return self._version

    async def index(self, *, session: AsyncSession) -> CatalogIndex:
        """The index, rebuilt first if the catalogue changed since it was built."""
        if self._index is not None and self._clock() - self._checked_at < self._check_every:
            return self._index
        async with self._lock:
            # Another task may have refreshed it while this one waited for the lock.
            if self._index is not None and self._clock() - self._checked_at < self._check_every:
                return self._index
            version = await catalogue_version(session=session)
            if self._index is None or version != self._version:
                offers = await load_offers(session=session)
                # End the read before the build: on SQLite every transaction holds the write
                # lock (BEGIN IMMEDIATE), and the steps must not wait for the index.
                await session.commit()
                # Building takes ~0.5 s at 10,000 offers: off the event loop, so that other
                # conversations go on meanwhile.
                self._index = await asyncio.to_thread(CatalogIndex, offers)
                self._version = version
            self._checked_at = self._clock()
            return self._index

    def invalidate(self) -> None:
        """Check the catalogue on the next use (after an import in this process)."""
        self._checked_at = float("-inf")
