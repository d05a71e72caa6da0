"""Factories for the matcher tests: offers with neutral defaults, and profiles."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from catalog.offer import Offer

# The centre of Clermont-Ferrand (place de Jaude).
JAUDE = (45.7772, 3.0822)


def offer(offer_id: str = "o-1", **fields: Any) -> Offer:
    """An offer open to everyone, free, in person at Jaude, still running; any field can be set.

    Defaults say nothing that a test does not ask for: no topic, no keyword, no audience.
    """
    values: dict[str, Any] = {
        "title": "Offre",
        "provider": f"Organisme {offer_id}",
        "missions": ("lifelong",),
        "price_eur": Decimal("0"),
        "neighbourhood": "Centre-Jaude",
        "city": "Clermont-Ferrand",
        "latitude": JAUDE[0],
        "longitude": JAUDE[1],
        "wheelchair_accessible": True,
    }
    values.update(fields)
    if isinstance(values["price_eur"], int | float | str):
        values["price_eur"] = Decimal(str(values["price_eur"]))
    return Offer(id=offer_id, **values)
