"""The catalogue as data·inclusion services (schema v1.0.8), for the city to publish its offers
back to the national aggregator.

Every service is valid against the published ``service.json``. The offers imported from
data·inclusion keep their source and id; the city's own offers are of source ``tremplin``. Each
field the standard cannot carry exactly (translations, ages, languages, a price other than free,
a title over 150 characters...) is written in the service's ``tremplin`` object, so that
importing the export gives the same offers back.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from catalog.formats.columns import parse_row
from catalog.formats.data_inclusion import (
    EXTENSION,
    HOME,
    PREFIX,
    Mapping_,
    ServiceFields,
    mapping,
    service_values,
)
from catalog.formats.jsonio import offer_json
from catalog.offer import Offer

_POSTCODE = re.compile(r"\d{5}")
_NAME = (3, 150)  # nom: 3 to 150 characters
_DESCRIPTION = 5  # description: at least 5


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "structure"


def _source_and_id(offer: Offer) -> tuple[str, str]:
    if offer.id.startswith(PREFIX) and "--" in offer.id:
        source, local = offer.id.removeprefix(PREFIX).split("--", 1)
        return source, f"{source}--{local}"
    return HOME, f"{HOME}--{offer.id}"


def _name(offer: Offer) -> str:
    name = offer.title
    if len(name) < _NAME[0]:
        name = f"{name} ({offer.provider})"
    if len(name) > _NAME[1]:
        name = name[: _NAME[1] - 1] + "…"
    return name.ljust(_NAME[0], ".")


def _thematiques(offer: Offer, table: Mapping_) -> list[str]:
    codes = [table.export_topics[topic] for topic in offer.topics if topic in table.export_topics]
    codes += [] if codes else [table.export_missions[m] for m in offer.missions]
    return list(dict.fromkeys(codes))


def _publics(offer: Offer, table: Mapping_) -> list[str]:
    by_audience: dict[str, str] = {}
    for code, public in table.publics.items():
        for audience in public.audiences:
            by_audience.setdefault(audience, code)
    codes = [by_audience[audience] for audience in offer.audiences if audience in by_audience]
    return list(dict.fromkeys(codes)) or ["tous-publics"]


def service_json(offer: Offer, table: Mapping_, today: date) -> dict[str, object]:
    """The data·inclusion service of an offer, with its ``tremplin`` object when needed."""
    source, service_id = _source_and_id(offer)
    description = offer.description
    if len(description) < _DESCRIPTION:
        description = f"{offer.title} — {offer.provider}".ljust(_DESCRIPTION, ".")
    service: dict[str, object] = {
        "source": source,
        "id": service_id,
        "structure_id": f"{source}--{_slug(offer.provider)}",
        "structure": {"nom": offer.provider},
        "nom": _name(offer),
        "description": description,
        "date_maj": (offer.updated_on or today).isoformat(),
        "thematiques": _thematiques(offer, table),
        "publics": _publics(offer, table),
        "frais": "gratuit" if offer.is_free else "payant" if offer.price_eur else None,
        "modes_accueil": {
            "in_person": ["en-presentiel"],
            "online": ["a-distance"],
            "hybrid": ["a-distance", "en-presentiel"],
        }[offer.format],
        "adresse": offer.address or None,
        "code_postal": offer.postcode if _POSTCODE.fullmatch(offer.postcode) else None,
        "commune": offer.city or None,
        "latitude": offer.latitude,
        "longitude": offer.longitude,
        # OpenStreetMap syntax only: a free-text schedule travels in the extension.
        "horaires_accueil": getattr(offer, "opening_hours", "") or None,
        "lien_source": offer.url or None,
        "telephone": offer.phone or None,
        "courriel": offer.email or None,
    }
    # What the importer would read from these fields: every column it would get wrong travels
    # in the extension, so that the import gives this very offer back.
    fields = ServiceFields(0, service)
    read = service_values(fields, table)
    again = parse_row({**read.values, "id": offer.id})
    wanted = offer_json(offer)
    got = offer_json(again) if isinstance(again, Offer) else {}
    extra = {
        column: value
        for column, value in wanted.items()
        if column != "id" and got.get(column) != value
    }
    extra.update({column: None for column in got if column not in wanted})
    if extra:
        service[EXTENSION] = extra
    return service


def write_data_inclusion(offers: Iterable[Offer], today: date | None = None) -> str:
    """The JSON array of the offers as data·inclusion services."""
    table, day = mapping(), today or date.today()
    services = [service_json(offer, table, day) for offer in offers]
    return json.dumps(services, ensure_ascii=False, indent=2) + "\n"
