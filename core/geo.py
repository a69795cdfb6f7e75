"""Point in district: which of a municipality's districts contains a point (longitude/latitude, WGS84).

Offers (planning), stakeholders and anything else placed by coordinates ask here, so the rule is one:
the finest level with boundaries (a Sozialraum before the Stadtteil it lies in), a point on a shared
border goes to the district with the lower id, a point outside every district has none. Shapely with an
STRtree over the polygons (no PostGIS); the boundaries are checked on import (planning.engine.geometry).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.strtree import STRtree


class DistrictLocator:
    """Point-in-district for many points: an STRtree over the district polygons.

    ``locate(lon, lat)`` returns the key of the district containing the point (on the boundary: the
    first by key order, so the answer is stable), or None outside all districts.
    """

    def __init__(self, districts: Iterable[tuple[Any, dict[str, Any]]]) -> None:
        items = sorted(
            ((key, shape(geometry)) for key, geometry in districts if geometry), key=lambda kv: kv[0]
        )
        self._keys = [key for key, _ in items]
        self._shapes = [geom for _, geom in items]
        for geom in self._shapes:
            shapely.prepare(geom)
        self._tree = STRtree(self._shapes) if self._shapes else None

    def locate(self, lon: float, lat: float) -> Any | None:
        if self._tree is None:
            return None
        hits = self._tree.query(shapely.Point(lon, lat), predicate="intersects")
        return self._keys[min(hits.tolist())] if len(hits) else None


def district_locator(municipality) -> DistrictLocator:
    """A locator over the municipality's finest districts with geometry (keys: district ids)."""
    from core.models import District

    rows = list(
        District.objects.filter(municipality=municipality, geometry__isnull=False).values_list(
            "pk", "geometry", "parent_id"
        )
    )
    parents = {parent for *_, parent in rows if parent}
    return DistrictLocator((pk, geometry) for pk, geometry, _parent in rows if pk not in parents)


def district_at(municipality, lon: float, lat: float) -> int | None:
    """The id of the district containing the point, or None."""
    return district_locator(municipality).locate(lon, lat)


def picker_geojson(municipality) -> dict[str, Any]:
    """The finest districts with boundaries as a GeoJSON FeatureCollection (feature id = district id,
    ``properties.name``) for the small map on which a click picks coordinates (offer and stakeholder
    forms)."""
    from core.models import District

    rows = list(
        District.objects.filter(municipality=municipality, geometry__isnull=False)
        .order_by("code")
        .values_list("pk", "name", "geometry", "parent_id", "label_lon", "label_lat")
    )
    parents = {row[3] for row in rows if row[3]}
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": pk,
                "properties": {"name": name, "lon": lon, "lat": lat},
                "geometry": geometry,
            }
            for pk, name, geometry, _parent, lon, lat in rows
            if pk not in parents
        ],
    }
