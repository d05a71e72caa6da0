"""``tremplin catalog confirm ID...``: a maintainer vouches that offers are still true today.

A confirmation is an import of the same offers with ``updated_on`` set to the day: audited in the
import history like any change, and undone by ``tremplin catalog rollback``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from catalog.maintenance.importer import ImportPlan, import_offers
from catalog.store.offers import load_offers


class UnknownOffers(ValueError):
    """Ids that name no active offer: nothing is confirmed."""

    def __init__(self, ids: Sequence[str]) -> None:
        super().__init__(f"no active offer with the id {', '.join(ids)}: nothing was confirmed")
        self.ids = tuple(ids)


async def confirm_offers(
    *, session: AsyncSession, ids: Sequence[str], today: date, actor: str
) -> ImportPlan:
    """Confirm the active offers ``ids`` on ``today`` (all or none), recorded as an import."""
    wanted = list(dict.fromkeys(ids))
    stored = {offer.id: offer for offer in await load_offers(session=session)}
    missing = [id_ for id_ in wanted if id_ not in stored]
    if missing:
        await session.rollback()
        raise UnknownOffers(missing)
    offers = [replace(stored[id_], updated_on=today) for id_ in wanted]
    return await import_offers(
        session=session,
        offers=offers,
        source="confirm " + " ".join(wanted)[:200],
        checksum=hashlib.sha256("\n".join(wanted).encode()).hexdigest(),
        format="confirm",
        actor=actor,
        today=today,
    )
