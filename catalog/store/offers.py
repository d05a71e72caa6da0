"""Reading and writing offers: conversions between the domain object and its table."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from catalog.offer import LocalText, Offer
from catalog.offer_fields import FIELDS, TRANSLATABLE
from catalog.store.models import OfferRecord

# Lists are JSON arrays in the table and tuples in the offer; an empty one reads as the default.
_LISTS = tuple(spec.name for spec in FIELDS if spec.multivalued)
_SCALARS = tuple(spec.name for spec in FIELDS if not spec.multivalued)
_DEFAULTS: dict[str, Any] = {spec.name: spec.default for spec in FIELDS}


def to_offer(record: OfferRecord) -> Offer:
    """The domain object of a stored offer."""
    values: dict[str, Any] = {name: getattr(record, name) for name in _SCALARS}
    for name in _LISTS:
        values[name] = tuple(getattr(record, name) or _DEFAULTS[name])
    translations = {
        lang: LocalText(**{name: text.get(name, "") for name in TRANSLATABLE})
        for lang, text in (record.translations or {}).items()
    }
    return Offer(**values, translations=translations)


def record_fields(offer: Offer) -> dict[str, object]:
    """The column values of ``offer`` (everything but bookkeeping columns)."""
    values: dict[str, object] = {name: getattr(offer, name) for name in _SCALARS}
    for name in _LISTS:
        values[name] = list(getattr(offer, name))
    # {"en": {"title": "...", "description": "...", "schedule": "..."}, ...}
    values["translations"] = {
        lang: {name: getattr(text, name) for name in TRANSLATABLE}
        for lang, text in sorted(offer.translations.items())
    }
    return values


async def load_offers(*, session: AsyncSession, include_retired: bool = False) -> list[Offer]:
    """Every offer of the catalogue (active ones unless asked), ordered by id."""
    query = select(OfferRecord).order_by(col(OfferRecord.id))
    if not include_retired:
        query = query.where(col(OfferRecord.retired).is_(False))
    return [to_offer(record) for record in (await session.exec(query)).all()]


async def count_offers(*, session: AsyncSession) -> int:
    query = select(func.count()).select_from(OfferRecord).where(col(OfferRecord.retired).is_(False))
    return int((await session.exec(query)).one())
