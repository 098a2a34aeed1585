"""Deterministic synthetic boundaries and grids for the demo city.

No public source publishes street (街道), community (社区/村) or grid boundaries, so the
demo draws them: each real district boundary is cut by recursive bisection into its
subdistricts, each subdistrict into its communities, each community into general grids.
The same tree always gives the same polygons (no randomness, counts from crc32 of codes).
`build_demo_grids` writes the result; everything above it is pure and needs no database.
"""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.db import transaction

from .actions import replace_grids
from .choices import GridKind, Kind, Level
from .geometry import (
    M_PER_DEG_LAT,
    M_PER_DEG_LNG_AT_EQUATOR,
    area_m2,
    metres_to_degrees,
    point_inside,
    polygonal,
    union,
)
from .locate import reset_index
from .models import Grid, Jurisdiction

DISTRICTS_FILE = "tianjin_districts_wgs84.geojson"
BATCH = 500

# Relative land per community: a village has fields around it, a special unit (a campus,
# a port) is small.
COMMUNITY_WEIGHT = {Kind.COMMUNITY: 1.0, Kind.SPECIAL: 0.5, Kind.VILLAGE: 6.0}
# (fewest, most) general grids per community kind.
GRIDS_PER_COMMUNITY = {Kind.COMMUNITY: (6, 8), Kind.VILLAGE: (2, 4), Kind.SPECIAL: (1, 2)}
SPECIAL_LABELS = ("学校", "医院", "产业园区", "商圈")
SPECIAL_FIRST_SEQ = 901
SPECIAL_SIDE_M = 150.0
CANDIDATES = 12  # evenly spaced cuts that bracket the target
MAX_STEPS = 8  # interpolation steps inside the bracket
TOLERANCE = 0.01  # of the smaller side's target area
PAD = 1e-3  # degrees a cutting box reaches beyond the bounds, so edges never coincide


@dataclass(frozen=True)
class Unit:
    """A node of the tree as the generator needs it: code, name, kind and children."""

    code: str
    name: str
    kind: str
    children: tuple[Unit, ...] = ()


@dataclass(frozen=True)
class GridPlan:
    """One grid to create: the pure result the database layer turns into a Grid row."""

    code: str
    name: str
    kind: str
    community_code: str
    geom: shapely.Geometry
    area_m2: float
    center: tuple[float, float]


@dataclass
class DistrictPlan:
    """Boundaries of every unit under one district and its grids."""

    code: str
    geom: shapely.Geometry
    boundaries: dict[str, shapely.Geometry] = field(default_factory=dict)
    grids: list[GridPlan] = field(default_factory=list)


# --- recursive bisection -------------------------------------------------------------


def partition(geom: shapely.Geometry, weights: Sequence[float]) -> list[shapely.Geometry]:
    """Cut `geom` into len(weights) pieces, in order, with areas proportional to weights."""
    if len(weights) == 1:
        return [geom]
    k = _halve(weights)
    left, right = bisect(geom, sum(weights[:k]) / sum(weights))
    return partition(left, weights[:k]) + partition(right, weights[k:])


def _halve(weights: Sequence[float]) -> int:
    """Split index (1..n-1) that brings the first part's weight closest to half."""
    prefix = np.cumsum(weights)[:-1]
    return int(np.argmin(np.abs(prefix - sum(weights) / 2))) + 1


def bisect(geom: shapely.Geometry, fraction: float) -> tuple[shapely.Geometry, shapely.Geometry]:
    """Two pieces with `fraction` and 1 - fraction of the area, cut across the longer side.

    Intersection and difference with the same box share the cut exactly, so the pieces
    neither overlap nor leave a sliver between them.
    """
    minx, miny, maxx, maxy = geom.bounds
    across_x = _is_wide(geom.bounds)
    cut = _cut_position(geom, fraction, across_x)
    if across_x:
        blade = shapely.box(minx - PAD, miny - PAD, cut, maxy + PAD)
    else:
        blade = shapely.box(minx - PAD, miny - PAD, maxx + PAD, cut)
    return polygonal(geom.intersection(blade)), polygonal(geom.difference(blade))


def _is_wide(bounds: tuple[float, float, float, float]) -> bool:
    """Is the bbox wider (east-west) than tall, measured in metres rather than degrees?"""
    minx, miny, maxx, maxy = bounds
    lat = np.radians((miny + maxy) / 2)
    return (maxx - minx) * M_PER_DEG_LNG_AT_EQUATOR * np.cos(lat) >= (maxy - miny) * M_PER_DEG_LAT


def _cut_position(geom: shapely.Geometry, fraction: float, across_x: bool) -> float:
    """Where to cut so the low side holds `fraction` of the area (within TOLERANCE).

    The area below a cut only grows as the cut moves up, so: evaluate CANDIDATES evenly
    spaced cuts to bracket the target, then interpolate inside the bracket (regula falsi)
    until the low side is close enough. clip_by_rect is exact for a box and several
    times faster than a general intersection.
    """
    minx, miny, maxx, maxy = geom.bounds
    total = geom.area

    def below(cut: float) -> float:
        if across_x:
            return shapely.clip_by_rect(geom, minx - PAD, miny - PAD, cut, maxy + PAD).area / total
        return shapely.clip_by_rect(geom, minx - PAD, miny - PAD, maxx + PAD, cut).area / total

    positions = (
        np.linspace(minx, maxx, CANDIDATES) if across_x else np.linspace(miny, maxy, CANDIDATES)
    )
    fractions = np.maximum.accumulate([0.0, *map(below, positions[1:-1]), 1.0])
    i = int(np.clip(np.searchsorted(fractions, fraction), 1, CANDIDATES - 1))
    lo, hi, f_lo, f_hi = positions[i - 1], positions[i], fractions[i - 1], fractions[i]
    cut = (lo + hi) / 2
    for _ in range(MAX_STEPS):
        if f_hi > f_lo:
            cut = lo + (hi - lo) * (fraction - f_lo) / (f_hi - f_lo)
        f_cut = below(cut)
        if abs(f_cut - fraction) <= TOLERANCE * min(fraction, 1 - fraction):
            break
        if f_cut < fraction:
            lo, f_lo = cut, f_cut
        else:
            hi, f_hi = cut, f_cut
    return cut


# --- the tree ------------------------------------------------------------------------


def grid_count(community: Unit) -> int:
    """General grids for a community: fixed by its code, so every run agrees."""
    fewest, most = GRIDS_PER_COMMUNITY.get(community.kind, (1, 1))
    return fewest + zlib.crc32(community.code.encode()) % (most - fewest + 1)


def community_weight(community: Unit) -> float:
    return COMMUNITY_WEIGHT.get(community.kind, 1.0)


def subdistrict_weight(subdistrict: Unit) -> float:
    """Its communities' weights; a subdistrict without communities still gets some land."""
    return sum(community_weight(c) for c in subdistrict.children) or 1.0


def short_name(name: str) -> str:
    """'花园路社区居委会' → '花园路社区', '北赵庄村委会' → '北赵庄村' for grid names."""
    for suffix in ("居民委员会", "居委会"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    for suffix in ("村民委员会", "村委会"):
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name.removesuffix(suffix)
            return stem if stem.endswith("村") else stem + "村"
    return name


def plan_district(code: str, geom: shapely.Geometry, subdistricts: Sequence[Unit]) -> DistrictPlan:
    """Boundaries for every subdistrict and community under a district, and its grids."""
    plan = DistrictPlan(code=code, geom=geom)
    pieces = partition(geom, [subdistrict_weight(s) for s in subdistricts]) if subdistricts else []
    for subdistrict, piece in zip(subdistricts, pieces, strict=True):
        plan.boundaries[subdistrict.code] = piece
        _plan_subdistrict(plan, subdistrict, piece)
    return plan


def _plan_subdistrict(plan: DistrictPlan, subdistrict: Unit, geom: shapely.Geometry) -> None:
    communities = subdistrict.children
    if not communities:
        return
    pieces = partition(geom, [community_weight(c) for c in communities])
    for community, piece in zip(communities, pieces, strict=True):
        plan.boundaries[community.code] = piece
        plan.grids.extend(general_grids(community, piece))
    if subdistrict.kind == Kind.STREET:
        plan.grids.append(special_grid(subdistrict, plan.boundaries))


def general_grids(community: Unit, geom: shapely.Geometry) -> list[GridPlan]:
    pieces = partition(geom, [1.0] * grid_count(community))
    prefix = short_name(community.name)
    return [
        _grid(f"{community.code}{n:03d}", f"{prefix}第{n}网格", GridKind.GENERAL, community, piece)
        for n, piece in enumerate(pieces, start=1)
    ]


def special_grid(subdistrict: Unit, boundaries: dict[str, shapely.Geometry]) -> GridPlan:
    """A ~150 m square (a school, a hospital…) inside one of the street's communities.

    The community is picked by crc32 and the label cycles with the street's sequence
    number, so the choice does not depend on which other districts are loaded.
    """
    communities = subdistrict.children
    community = communities[zlib.crc32(subdistrict.code.encode()) % len(communities)]
    land = boundaries[community.code]
    lng, lat = point_inside(land)
    dlng, dlat = metres_to_degrees(SPECIAL_SIDE_M / 2, lat)
    square = shapely.box(lng - dlng, lat - dlat, lng + dlng, lat + dlat)
    label = SPECIAL_LABELS[(int(subdistrict.code[6:9]) - 1) % len(SPECIAL_LABELS)]
    name = f"{short_name(community.name)}专属网格（{label}）"
    code = f"{community.code}{SPECIAL_FIRST_SEQ}"
    return _grid(code, name, GridKind.SPECIAL, community, polygonal(square.intersection(land)))


def _grid(code: str, name: str, kind: str, community: Unit, geom: shapely.Geometry) -> GridPlan:
    return GridPlan(code, name, kind, community.code, geom, area_m2(geom), point_inside(geom))


def read_district_boundaries(path: Path) -> dict[str, shapely.Geometry]:
    """code12 → boundary from a GeoJSON FeatureCollection of district polygons."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {
        f["properties"]["code12"]: shapely.geometry.shape(f["geometry"]) for f in data["features"]
    }


def plan_city(
    boundaries: dict[str, shapely.Geometry], districts: Sequence[Unit]
) -> list[DistrictPlan]:
    """Plans for the districts that have a boundary, in code order."""
    return [
        plan_district(d.code, boundaries[d.code], d.children)
        for d in districts
        if d.code in boundaries
    ]


# --- database ------------------------------------------------------------------------


def build_demo_grids(district_geojson_path: Path | None = None) -> dict:
    """Draw boundaries and grids for every district in the database that has a boundary
    in the GeoJSON file, replacing the grids of its communities; all or nothing."""
    path = district_geojson_path or settings.JICENG_DATA_DIR / DISTRICTS_FILE
    boundaries = read_district_boundaries(path)
    districts = load_tree()
    plans = plan_city(boundaries, districts)
    with transaction.atomic():
        _save_boundaries(plans, whole_city=len(plans) == len(boundaries))
        created = _replace_grids(plans)
        # This process's locate index describes the old grids: drop it once they are gone.
        transaction.on_commit(reset_index)
    general = sum(1 for g in created if g.kind == GridKind.GENERAL)
    return {
        "districts": len(plans),
        "units": sum(len(p.boundaries) for p in plans),
        "general_grids": general,
        "special_grids": len(created) - general,
        "skipped_districts": [d.code for d in districts if d.code not in boundaries],
    }


def load_tree() -> list[Unit]:
    """Districts with their subdistricts and communities, in code order. One query, one
    pass per level, bottom up: a Unit is frozen, so children exist before their parent."""
    rows = list(
        Jurisdiction.objects.exclude(level=Level.CITY)
        .order_by("path")
        .values_list("code", "name", "kind", "level", "parent__code")
    )
    children: dict[str, list[Unit]] = defaultdict(list)
    districts = []
    for level in (Level.COMMUNITY, Level.SUBDISTRICT, Level.DISTRICT):
        for code, name, kind, row_level, parent_code in rows:
            if row_level != level:
                continue
            unit = Unit(code, name, kind, tuple(children.pop(code, ())))
            (districts if level == Level.DISTRICT else children[parent_code]).append(unit)
    return districts


def _save_boundaries(plans: Sequence[DistrictPlan], whole_city: bool) -> None:
    """Real district boundaries, drawn ones below them, and the city as their union
    (drawn too when only some districts are loaded: then it is not the city's outline)."""
    drawn = {p.code: (p.geom, False) for p in plans}
    drawn |= {code: (geom, True) for p in plans for code, geom in p.boundaries.items()}
    city = Jurisdiction.objects.filter(level=Level.CITY).first()
    if city and plans:
        drawn[city.code] = (union(p.geom for p in plans), not whole_city)
    nodes = [n for n in Jurisdiction.objects.only("id", "code") if n.code in drawn]
    for node in nodes:
        geom, synthetic = drawn[node.code]
        node.set_geometry(geom)
        node.boundary_synthetic = synthetic
    fields = ["geometry_wkb", "boundary_synthetic"]
    Jurisdiction.objects.bulk_update(nodes, fields, batch_size=BATCH)


def _replace_grids(plans: Sequence[DistrictPlan]) -> list[Grid]:
    codes = {code for p in plans for code in p.boundaries}
    ids = dict(
        Jurisdiction.objects.filter(level=Level.COMMUNITY).values_list("code", "id").iterator()
    )
    community_ids = [ids[c] for c in codes if c in ids]
    grids = [_grid_row(g, ids[g.community_code]) for p in plans for g in p.grids]
    return replace_grids(community_ids, grids, batch_size=BATCH)


def _grid_row(plan: GridPlan, community_id: int) -> Grid:
    grid = Grid(
        code=plan.code,
        name=plan.name,
        kind=plan.kind,
        community_id=community_id,
        area_m2=round(plan.area_m2, 1),
        center_lng=plan.center[0],
        center_lat=plan.center[1],
        synthetic=True,
    )
    grid.set_geometry(plan.geom)
    return grid
