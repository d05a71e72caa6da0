"""Reading and writing offers: conversions between the domain object and its table."""

from __future__ import annotations

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from catalog.offer import LocalText, Offer
from catalog.store.models import OfferRecord


def to_offer(record: OfferRecord) -> Offer:
    """The domain object of a stored offer."""
    translations = {
        lang: LocalText(title=text.get("title", ""), description=text.get("description", ""))
        for lang, text in (record.translations or {}).items()
    }
    return Offer(
        id=record.id,
        title=record.title,
        description=record.description,
        translations=translations,
        provider=record.provider,
        missions=tuple(record.missions or ()),
        topics=tuple(record.topics or ()),
        keywords=tuple(record.keywords or ()),
        audiences=tuple(record.audiences or ()),
        age_min=record.age_min,
        age_max=record.age_max,
        price_eur=record.price_eur,
        format=record.format,
        languages=tuple(record.languages or ("fr",)),
        address=record.address,
        postcode=record.postcode,
        city=record.city,
        neighbourhood=record.neighbourhood,
        latitude=record.latitude,
        longitude=record.longitude,
        schedule=record.schedule,
        start_date=record.start_date,
        end_date=record.end_date,
        url=record.url,
        phone=record.phone,
        email=record.email,
        wheelchair_accessible=record.wheelchair_accessible,
    )


def record_fields(offer: Offer) -> dict[str, object]:
    """The column values of ``offer`` (everything but bookkeeping columns)."""
    return {
        "id": offer.id,
        "title": offer.title,
        "description": offer.description,
        "translations": {
            lang: {"title": text.title, "description": text.description}
            for lang, text in sorted(offer.translations.items())
        },
        "provider": offer.provider,
        "missions": list(offer.missions),
        "topics": list(offer.topics),
        "keywords": list(offer.keywords),
        "audiences": list(offer.audiences),
        "age_min": offer.age_min,
        "age_max": offer.age_max,
        "price_eur": offer.price_eur,
        "format": offer.format,
        "languages": list(offer.languages),
        "address": offer.address,
        "postcode": offer.postcode,
        "city": offer.city,
        "neighbourhood": offer.neighbourhood,
        "latitude": offer.latitude,
        "longitude": offer.longitude,
        "schedule": offer.schedule,
        "start_date": offer.start_date,
        "end_date": offer.end_date,
        "url": offer.url,
        "phone": offer.phone,
        "email": offer.email,
        "wheelchair_accessible": offer.wheelchair_accessible,
    }


async def load_offers(*, session: AsyncSession, include_retired: bool = False) -> list[Offer]:
    """Every offer of the catalogue (active ones unless asked), ordered by id."""
    query = select(OfferRecord).order_by(col(OfferRecord.id))
    if not include_retired:
        query = query.where(col(OfferRecord.retired).is_(False))
    return [to_offer(record) for record in (await session.exec(query)).all()]


async def count_offers(*, session: AsyncSession) -> int:
    query = select(func.count()).select_from(OfferRecord).where(col(OfferRecord.retired).is_(False))
    return int((await session.exec(query)).one())
