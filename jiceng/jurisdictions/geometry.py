"""Pure geometry helpers for boundaries and grids: WGS84 lng/lat in, square metres out.

No database here, so the generator, the grid-file import and `check-grids` share one
definition of area, of "a point inside" and of what counts as a gap or an overlap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pyproj
import shapely

GEOD = pyproj.Geod(ellps="WGS84")
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LNG_AT_EQUATOR = 111_320.0
# Planar areas in square degrees only pre-filter candidates; keep anything within half of
# the threshold so the exact geodesic area has the last word.
PREFILTER = 0.5


def polygonal(geom: shapely.Geometry | None) -> shapely.Geometry:
    """Only the polygons of `geom`: an overlay result may also carry the lines and points
    where two pieces merely touch, and those have no area and no place in a boundary."""
    if geom is None:
        return shapely.MultiPolygon()
    parts = [p for p in _flatten(geom) if p.geom_type == "Polygon" and not p.is_empty]
    if len(parts) == 1:
        return parts[0]
    return shapely.MultiPolygon(parts)


def _flatten(geom: shapely.Geometry) -> Iterable[shapely.Geometry]:
    for part in shapely.get_parts(geom):
        if part.geom_type in ("GeometryCollection", "MultiPolygon"):
            yield from _flatten(part)
        else:
            yield part


def area_m2(geom: shapely.Geometry | None) -> float:
    """Geodesic area on the WGS84 ellipsoid; square degrees shrink with cos(latitude)."""
    shape = polygonal(geom)
    if shape.is_empty:
        return 0.0
    # pyproj subtracts holes correctly only with counter-clockwise shells and clockwise holes.
    return abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(shape))[0])


def approx_area_m2(geoms: np.ndarray) -> np.ndarray:
    """Vectorised planar estimate (within ~1 % over Tianjin) to skip exact work on slivers."""
    lat = shapely.get_y(shapely.centroid(geoms))
    scale = M_PER_DEG_LAT * M_PER_DEG_LNG_AT_EQUATOR * np.cos(np.radians(np.nan_to_num(lat)))
    return shapely.area(geoms) * scale


def point_inside(geom: shapely.Geometry) -> tuple[float, float]:
    """A (lng, lat) that lies inside: a centroid of a crescent or a ring may fall outside."""
    point = geom.representative_point()
    return round(point.x, 7), round(point.y, 7)


def metres_to_degrees(metres: float, lat: float) -> tuple[float, float]:
    """(Δlng, Δlat) spanning `metres` east-west and north-south at latitude `lat`."""
    dlng = metres / (M_PER_DEG_LNG_AT_EQUATOR * math.cos(math.radians(lat)))
    return dlng, metres / M_PER_DEG_LAT


def from_wkb_many(blobs: Iterable[bytes | memoryview]) -> np.ndarray:
    """Parse many WKB values at once; PostgreSQL hands back memoryviews, SQLite bytes."""
    return shapely.from_wkb([bytes(b) for b in blobs])


@dataclass(frozen=True)
class Patch:
    """A gap or an overlap: its size, a point inside it and the grids involved."""

    area_m2: float
    lng: float
    lat: float
    codes: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        data = asdict(self)
        data["codes"] = list(self.codes)
        return data


@dataclass(frozen=True)
class Coverage:
    """What `coverage_problems` found; `ok` when general grids tile the region exactly."""

    gaps: list[Patch]
    overlaps: list[Patch]

    @property
    def ok(self) -> bool:
        return not self.gaps and not self.overlaps


def patches(geoms: Iterable[shapely.Geometry], min_area_m2: float) -> list[Patch]:
    """The polygons among `geoms` larger than `min_area_m2`, as patches."""
    parts = np.array([p for g in geoms for p in _flatten(polygonal(g))], dtype=object)
    if not len(parts):
        return []
    out = []
    for part in parts[approx_area_m2(parts) > min_area_m2 * PREFILTER]:
        area = area_m2(part)
        if area > min_area_m2:
            out.append(Patch(round(area, 1), *point_inside(part)))
    return out


def find_overlaps(
    grids: Mapping[str, shapely.Geometry],
    others: Mapping[str, shapely.Geometry] | None = None,
    min_area_m2: float = 1.0,
) -> list[Patch]:
    """Pairs of grids whose shared area exceeds `min_area_m2`: among `grids`, or, when
    `others` is given, between a grid of `grids` and one of `others`."""
    codes, geoms = list(grids), np.array(list(grids.values()), dtype=object)
    other_codes = list(others) if others is not None else codes
    other_geoms = np.array(list(others.values()), dtype=object) if others is not None else geoms
    if not len(geoms) or not len(other_geoms):
        return []
    left, right = shapely.STRtree(other_geoms).query(geoms, predicate="intersects")
    if others is None:  # each unordered pair once, and never a grid with itself
        keep = left < right
        left, right = left[keep], right[keep]
    shared = shapely.intersection(geoms[left], other_geoms[right])
    # Neighbours share only an edge; look closer only where there is some area.
    big = np.flatnonzero(approx_area_m2(shared) > min_area_m2 * PREFILTER)
    out = []
    for k in big:
        # One report per pair even when they share several pieces: total area, and a
        # point in the largest piece.
        pieces = sorted(_flatten(polygonal(shared[k])), key=lambda p: p.area)
        area = area_m2(shared[k])
        if area > min_area_m2:
            pair = (codes[left[k]], other_codes[right[k]])
            out.append(Patch(round(area, 1), *point_inside(pieces[-1]), pair))
    return out


def find_gaps(
    region: shapely.Geometry, geoms: Iterable[shapely.Geometry], min_area_m2: float = 1.0
) -> list[Patch]:
    """Parts of `region` that none of `geoms` covers, larger than `min_area_m2`."""
    covered = union(geoms)
    return patches([shapely.difference(region, covered)], min_area_m2)


def union(geoms: Iterable[shapely.Geometry]) -> shapely.Geometry:
    """Union of many polygons. Not coverage_union_all: recursive cuts leave T-junctions
    (a vertex on one side of a shared edge only) that it requires to be absent."""
    return shapely.union_all(np.array(list(geoms), dtype=object))


def coverage_problems(
    region: shapely.Geometry,
    general_grids: Mapping[str, shapely.Geometry],
    min_area_m2: float = 1.0,
) -> Coverage:
    """Gaps (land in `region` no grid covers) and overlaps (grid pairs sharing land)."""
    gaps = find_gaps(region, general_grids.values(), min_area_m2)
    return Coverage(gaps=gaps, overlaps=find_overlaps(general_grids, None, min_area_m2))
