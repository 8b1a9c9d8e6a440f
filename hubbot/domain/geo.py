"""Does an alert's area cover a hub: point in polygon, point in circle, SGC code match."""

from __future__ import annotations

import math
from collections.abc import Iterable

from hubbot.domain.cap import CapArea, CapInfo, Circle, Polygon

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)
# How close to an edge, in degrees (about a centimetre), counts as on it: the float error of
# the cross product would otherwise decide a point on a shared border at random.
_ON_EDGE = 1e-9
# SGC codes: 2 digits for the province, 4 for the census division, 7 for the subdivision.
_PREFIXES = (2, 4)


def _on_segment(lat: float, lon: float, a: tuple[float, float], b: tuple[float, float]) -> bool:
    (lat1, lon1), (lat2, lon2) = a, b
    cross = (lon2 - lon1) * (lat - lat1) - (lat2 - lat1) * (lon - lon1)
    length = math.hypot(lon2 - lon1, lat2 - lat1)
    if abs(cross) > _ON_EDGE * max(length, 1.0):
        return False
    return (
        min(lat1, lat2) - _ON_EDGE <= lat <= max(lat1, lat2) + _ON_EDGE
        and min(lon1, lon2) - _ON_EDGE <= lon <= max(lon1, lon2) + _ON_EDGE
    )


def point_in_polygon(lat: float, lon: float, polygon: Polygon) -> bool:
    """Whether (lat, lon) lies inside `polygon` (its points as (lat, lon); closed or not).

    Ray casting on the plane of degrees, which is what CAP senders draw on; a point on the
    boundary counts as inside, so a hub on a municipal border hears both sides' alerts.
    Polygons crossing the antimeridian are not handled: no Canadian area does."""
    n = len(polygon)
    if n < 3:
        return False
    edges = [(polygon[i], polygon[(i + 1) % n]) for i in range(n)]
    if any(_on_segment(lat, lon, a, b) for a, b in edges):
        return True
    inside = False
    for (lat1, lon1), (lat2, lon2) in edges:
        if (lat1 > lat) != (lat2 > lat):
            crossing = lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1)
            if lon < crossing:
                inside = not inside
    return inside


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance by the haversine formula."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def in_circle(lat: float, lon: float, circle: Circle) -> bool:
    """Whether (lat, lon) is within the circle's radius (km) of its centre, edge included."""
    return distance_km(lat, lon, circle.lat, circle.lon) <= circle.radius_km


def sgc_matches(hub_sgc: str, alert_codes: Iterable[str]) -> bool:
    """Whether an alert's SGC geocodes name the hub's place.

    A code matches when it equals the hub's code (its 7-digit census subdivision, e.g.
    2466023 Montréal), or is that code's 2-digit province (24, Québec) or 4-digit census
    division (2466) prefix: an alert for the whole province or division covers the hub. The
    reverse is no match: an alert for one subdivision does not cover a hub known only by its
    division, as it may lie elsewhere in it."""
    hub = hub_sgc.strip()
    if not hub.isdigit():
        return False
    for raw in alert_codes:
        code = raw.strip()
        if not code.isdigit():
            continue
        if code == hub or (
            len(code) in _PREFIXES and len(code) < len(hub) and hub[: len(code)] == code
        ):
            return True
    return False


def area_applies(area: CapArea, lat: float | None, lon: float | None, sgc: str | None) -> bool:
    """Whether `area` covers a hub at (lat, lon) and/or with SGC code `sgc`: one of its
    polygons or circles contains the point, or one of its SGC geocodes matches. A hub with
    neither a point nor a code is in no area."""
    if lat is not None and lon is not None:
        if any(point_in_polygon(lat, lon, p) for p in area.polygons):
            return True
        if any(in_circle(lat, lon, c) for c in area.circles):
            return True
    return bool(sgc) and sgc_matches(sgc or "", area.sgc_codes)


def info_applies(info: CapInfo, lat: float | None, lon: float | None, sgc: str | None) -> bool:
    """Whether any of the block's areas covers the hub."""
    return any(area_applies(a, lat, lon, sgc) for a in info.areas)
