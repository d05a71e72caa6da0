"""Distances on the Earth's surface, in kilometres."""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two ``(lat, lon)`` points in decimal degrees."""
    lat1, lon1, lat2, lon2 = map(radians, (a[0], a[1], b[0], b[1]))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h)))


def city_distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The equirectangular approximation of ``haversine_km``: off by less than 0.1% within a
    city (tens of km), and three times faster, for ranking thousands of offers."""
    x = radians(b[1] - a[1]) * cos(radians((a[0] + b[0]) / 2))
    y = radians(b[0] - a[0])
    return EARTH_RADIUS_KM * sqrt(x * x + y * y)
