"""Import of grid boundaries from a GeoJSON file (`jiceng import-grids`).

The whole file is checked before anything is written and every problem is reported, each
with the grid code(s), a point (lng, lat) and an area in m², so a surveyor can fix the
file in one pass. For every community named in the file, its grids are replaced by the
file's grids in one transaction.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.db import transaction

from jiceng.lib.crs import gcj02_to_wgs84_np
from jiceng.lib.importreport import RowError

from .actions import replace_grids
from .choices import GridKind, Level
from .coverage import grid_geoms
from .geometry import area_m2, find_gaps, find_overlaps, point_inside, polygonal, union
from .locate import reset_index
from .models import SEGMENT, Grid, Jurisdiction

CRS_CHOICES = ("wgs84", "gcj02")
OUTSIDE_TOLERANCE_M2 = 1.0
# What shapely's shape() raises on malformed coordinate arrays.
SHAPE_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError)
CODE15 = re.compile(r"^\d{15}$")
# GEOS's reasons in Chinese; anything else is shown as GEOS words it.
INVALID_REASONS = {
    "Self-intersection": "边自相交",
    "Ring Self-intersection": "环自相交",
    "Too few points in geometry component": "顶点太少",
    "Hole lies outside shell": "洞在外环之外",
    "Holes are nested": "洞相互嵌套",
    "Interior is disconnected": "内部不连通",
    "Nested shells": "外环相互嵌套",
    "Duplicate Rings": "环重复",
    "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "环未闭合",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file; `kind` is for machines, `message` for people."""

    kind: str
    message: str
    codes: tuple[str, ...] = ()
    lng: float | None = None
    lat: float | None = None
    area_m2: float | None = None

    def as_dict(self) -> dict:
        return asdict(self) | {"codes": list(self.codes)}


class GridImportError(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} 个问题")
        self.problems = problems


@dataclass(frozen=True)
class GridFeature:
    """A parsed feature; `index` is its 1-based position in the file."""

    index: int
    code: str
    name: str
    kind: str
    geom: shapely.Geometry

    @property
    def community_code(self) -> str:
        return self.code[:SEGMENT]


@dataclass
class Checked:
    """The file's grids with what validation learned about them."""

    features: list[GridFeature]
    communities: dict[str, Jurisdiction] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Checks need an area even from a bow-tie, so one bad polygon does not hide the rest.
    shapes: dict[str, shapely.Geometry] = field(default_factory=dict)


# --- reading -------------------------------------------------------------------------


def read_grid_file(path: Path, crs: str = "wgs84") -> tuple[list[GridFeature], list[Problem]]:
    """Parse every feature; a broken file gives one problem, broken features one each."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        return [], [Problem("file", f"无法读取文件 {path}：{exc.strerror}")]
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [], [Problem("json", f"文件不是有效的 UTF-8 JSON：{exc}")]
    raw = data.get("features") if isinstance(data, dict) else None
    if not isinstance(raw, list) or data.get("type") != "FeatureCollection":
        return [], [Problem("structure", "顶层必须是 FeatureCollection，且 features 是数组")]
    features, problems = [], []
    for index, item in enumerate(raw, start=1):
        feature, errors = parse_feature(index, item, crs)
        problems += [Problem("feature", f"第{index}个要素：{e}") for e in errors]
        if feature is not None:
            features.append(feature)
    return features, problems


def parse_feature(index: int, item: object, crs: str) -> tuple[GridFeature | None, list[str]]:
    if not isinstance(item, dict) or item.get("type") != "Feature":
        return None, ["不是 Feature 对象"]
    props = item.get("properties")
    props = props if isinstance(props, dict) else {}
    code, name, kind = _code(props.get("code")), props.get("name"), props.get("kind", "general")
    errors = []
    if not CODE15.match(code):
        errors.append(f"网格编码 '{code}' 不是15位数字")
    if not isinstance(name, str) or not name.strip():
        errors.append(f"网格 {code} 没有名称")
    if kind not in GridKind.values:
        errors.append(f"网格 {code} 的 kind '{kind}' 应为 general 或 special")
    geom, geom_error = parse_geometry(item.get("geometry"), crs)
    if geom_error:
        errors.append(f"网格 {code}：{geom_error}")
    if errors:
        return None, errors
    return GridFeature(index, code, name.strip(), kind, geom), []


def _code(value: object) -> str:
    # Spreadsheets and GIS tools often turn a code column into a number.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


def parse_geometry(raw: object, crs: str) -> tuple[shapely.Geometry | None, str]:
    """(WGS84 geometry, "") or (None, what is wrong)."""
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        return None, "geometry 必须是 Polygon 或 MultiPolygon"
    try:
        geom = shapely.geometry.shape(raw)
    except (*SHAPE_ERRORS, shapely.errors.GEOSException):
        return None, "geometry 的坐标无法解析"
    if geom.is_empty:
        return None, "geometry 为空"
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        return None, "geometry 含有非数值坐标"
    return (to_wgs84(geom) if crs == "gcj02" else geom), ""


def to_wgs84(geom: shapely.Geometry) -> shapely.Geometry:
    """GCJ-02 (高德/腾讯 maps) → WGS84, every vertex at once."""

    def convert(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(gcj02_to_wgs84_np(coords[:, 0], coords[:, 1]))

    return shapely.transform(geom, convert)


# --- checking ------------------------------------------------------------------------


def validate(features: list[GridFeature]) -> Checked:
    """Every check, all problems collected: codes, communities, polygons, boundaries,
    overlaps (within the file and with the rest of the city) and gaps left behind."""
    checked = Checked(features)
    _check_duplicates(checked)
    _check_communities(checked)
    _check_polygons(checked)
    _check_outside(checked)
    _check_overlaps(checked)
    _check_gaps(checked)
    return checked


def _check_duplicates(checked: Checked) -> None:
    positions = defaultdict(list)
    for f in checked.features:
        positions[f.code].append(str(f.index))
    for code, seen in positions.items():
        if len(seen) > 1:
            where = "、".join(seen)
            checked.problems.append(
                Problem("duplicate", f"网格编码 {code} 重复（第{where}个要素）", (code,))
            )


def _check_communities(checked: Checked) -> None:
    codes = {f.community_code for f in checked.features}
    found = Jurisdiction.objects.filter(code__in=codes, level=Level.COMMUNITY)
    checked.communities = {c.code: c for c in found}
    for f in checked.features:
        if f.community_code not in checked.communities:
            message = f"网格 {f.code}：社区/村 {f.community_code} 不存在"
            checked.problems.append(Problem("community", message, (f.code,)))


def _check_polygons(checked: Checked) -> None:
    for f in checked.features:
        reason = shapely.is_valid_reason(f.geom)
        checked.shapes[f.code] = f.geom
        if reason == "Valid Geometry":
            continue
        checked.shapes[f.code] = polygonal(shapely.make_valid(f.geom))
        words, lng, lat = _explain(reason)
        message = f"网格 {f.code} 的多边形无效：{words}，位置 ({lng}, {lat})"
        checked.problems.append(Problem("invalid", message, (f.code,), lng, lat))


def _explain(reason: str) -> tuple[str, float | None, float | None]:
    """GEOS says e.g. 'Self-intersection[117.2 39.1]': Chinese words and the place."""
    match = re.match(r"^(.*?)\[([-\d.eE+]+) ([-\d.eE+]+)\]$", reason)
    if not match:
        return INVALID_REASONS.get(reason, reason), None, None
    words = INVALID_REASONS.get(match[1], match[1])
    return words, round(float(match[2]), 7), round(float(match[3]), 7)


def _check_outside(checked: Checked) -> None:
    """Each grid against the nearest enclosing boundary that is real, not drawn."""
    references = _reference_boundaries(checked.communities.values())
    for f in checked.features:
        reference = references.get(f.community_code)
        if reference is None or reference.geometry.covers(checked.shapes[f.code]):
            continue
        outside = shapely.difference(checked.shapes[f.code], reference.geometry)
        area = area_m2(outside)
        if area > OUTSIDE_TOLERANCE_M2:
            lng, lat = point_inside(polygonal(outside))
            message = (
                f"网格 {f.code} 有 {area:.1f} 平方米在{reference.name}（{reference.code}）"
                f"边界之外，位置 ({lng}, {lat})"
            )
            checked.problems.append(Problem("outside", message, (f.code,), lng, lat, area))


def _reference_boundaries(communities: Iterable[Jurisdiction]) -> dict[str, Jurisdiction]:
    """community code → itself or its nearest ancestor with a real boundary (one query)."""
    communities = list(communities)
    chains = {c.code: _path_codes(c.path)[::-1] for c in communities}
    codes = {code for chain in chains.values() for code in chain}
    nodes = {
        n.code: n
        for n in Jurisdiction.objects.filter(code__in=codes, boundary_synthetic=False)
        .exclude(geometry_wkb=None)
        .only("code", "name", "geometry_wkb")
    }
    for node in nodes.values():
        shapely.prepare(node.geometry)  # many grids are tested against few boundaries
    return {
        community: next((nodes[code] for code in chain if code in nodes), None)
        for community, chain in chains.items()
    }


def _path_codes(path: str) -> list[str]:
    return [path[i : i + SEGMENT] for i in range(0, len(path), SEGMENT)]


def _general_shapes(checked: Checked) -> dict[str, shapely.Geometry]:
    return {f.code: checked.shapes[f.code] for f in checked.features if f.kind == GridKind.GENERAL}


def _check_overlaps(checked: Checked) -> None:
    """Within the file, and with general grids of communities the file leaves alone."""
    mine = _general_shapes(checked)
    for p in find_overlaps(mine):
        message = f"网格 {p.codes[0]} 与 {p.codes[1]} 重叠 {_where(p)}"
        checked.problems.append(Problem("overlap", message, p.codes, p.lng, p.lat, p.area_m2))
    others = grid_geoms(Grid.objects.general().exclude(community__code__in=_named(checked)))
    for p in find_overlaps(mine, others):
        message = f"网格 {p.codes[0]} 与现有网格 {p.codes[1]}（社区不在本文件中）重叠 {_where(p)}"
        checked.problems.append(Problem("overlap", message, p.codes, p.lng, p.lat, p.area_m2))


def _named(checked: Checked) -> set[str]:
    return {f.community_code for f in checked.features}


def _check_gaps(checked: Checked) -> None:
    """Land the named communities' current general grids cover must stay covered."""
    old = grid_geoms(Grid.objects.general().filter(community__code__in=_named(checked)))
    if not old:
        return
    old_codes, old_geoms = list(old), list(old.values())
    tree = shapely.STRtree(old_geoms)
    # A grid of an unknown community will not be written, so it covers nothing.
    known = {
        c: g for c, g in _general_shapes(checked).items() if c[:SEGMENT] in checked.communities
    }
    for p in find_gaps(union(old_geoms), known.values()):
        hits = tree.query(shapely.Point(p.lng, p.lat), predicate="intersects")
        codes = tuple(sorted(old_codes[i] for i in hits))
        message = (
            f"原网格 {'、'.join(codes) or '?'} 覆盖的土地中有 {p.area_m2:.1f} 平方米"
            f"没有新网格覆盖，位置 ({p.lng}, {p.lat})"
        )
        checked.problems.append(Problem("gap", message, codes, p.lng, p.lat, p.area_m2))


def _where(p) -> str:
    return f"{p.area_m2:.1f} 平方米，位置 ({p.lng}, {p.lat})"


# --- writing -------------------------------------------------------------------------


def import_grids(path: Path, crs: str = "wgs84") -> dict[str, int]:
    """Check the file, then replace the grids of every community it names; all or
    nothing. Raises GridImportError with every problem found."""
    features, problems = read_grid_file(path, crs)
    if not features and not problems:
        problems = [Problem("structure", "文件中没有任何网格")]
    checked = validate(features)
    problems += checked.problems
    if problems:
        raise GridImportError(problems)
    return _write(checked)


@transaction.atomic
def _write(checked: Checked) -> dict[str, int]:
    communities = checked.communities
    replace_grids(
        [c.pk for c in communities.values()],
        [_grid_row(f, communities[f.community_code]) for f in checked.features],
    )
    redrawn = _redraw_communities(checked)
    transaction.on_commit(reset_index)  # this process's locate index is now stale
    kinds = Counter(f.kind for f in checked.features)
    return {
        "communities": len(communities),
        "general_grids": kinds[GridKind.GENERAL],
        "special_grids": kinds[GridKind.SPECIAL],
        "boundaries_redrawn": redrawn,
    }


def _grid_row(f: GridFeature, community: Jurisdiction) -> Grid:
    lng, lat = point_inside(f.geom)
    grid = Grid(
        code=f.code,
        name=f.name,
        kind=f.kind,
        community=community,
        area_m2=round(area_m2(f.geom), 1),
        center_lng=lng,
        center_lat=lat,
        synthetic=False,
    )
    grid.set_geometry(f.geom)
    return grid


def _redraw_communities(checked: Checked) -> int:
    """A drawn (or missing) community boundary becomes the union of its new general
    grids. It stays marked synthetic: it is derived, and the real district boundary
    remains the one later imports are checked against."""
    shapes = defaultdict(list)
    for f in checked.features:
        if f.kind == GridKind.GENERAL:
            shapes[f.community_code].append(f.geom)
    changed = []
    for code, geoms in shapes.items():
        community = checked.communities[code]
        if community.boundary_synthetic or community.geometry_wkb is None:
            community.set_geometry(union(geoms))
            community.boundary_synthetic = True
            changed.append(community)
    Jurisdiction.objects.bulk_update(changed, ["geometry_wkb", "boundary_synthetic"])
    return len(changed)


def format_report(problems: list[Problem]) -> str:
    lines = [f"网格文件校验未通过，未写入任何数据。共 {len(problems)} 个问题："]
    lines += [f"  {n}. {p.message}" for n, p in enumerate(problems, start=1)]
    return "\n".join(lines)


# --- export and the shared error report ----------------------------------------------


def export_grids(grids) -> dict:
    """A GeoJSON FeatureCollection (WGS84, RFC 7946) of `grids`, in the layout
    `import_grids` reads, so exporting and importing unchanged gives the same grids."""
    listed = grids.select_related("community").only(
        "code", "name", "kind", "geometry_wkb", "community__code"
    )
    return {
        "type": "FeatureCollection",
        "features": [_feature(grid) for grid in listed.order_by("code")],
    }


def _feature(grid: Grid) -> dict:
    return {
        "type": "Feature",
        "properties": {
            "code": grid.code,
            "name": grid.name,
            "kind": grid.kind,
            "community_code": grid.community.code,
        },
        "geometry": shapely.geometry.mapping(grid.geometry),
    }


def row_errors(problems: list[Problem], features: list[GridFeature]) -> list[RowError]:
    """The problems in the report format the Excel imports share: the row is the
    feature's position in the file (the first one named, for a pair), None for the file."""
    position = {f.code: f.index for f in features}
    errors = []
    for p in problems:
        row = next((position[c] for c in p.codes if c in position), None)
        if row is None and p.kind == "feature":
            row = int(re.match(r"^第(\d+)个要素", p.message)[1])
        errors.append(RowError(row, PROBLEM_COLUMNS.get(p.kind, "geometry"), p.message))
    return errors


# The property of a feature each kind of problem is about.
PROBLEM_COLUMNS = {"file": "", "json": "", "structure": "", "feature": "properties",
                   "duplicate": "code", "community": "code"}  # fmt: skip


def check_grid_file(path: Path, crs: str = "wgs84") -> tuple[list[GridFeature], list[Problem]]:
    """Read and validate without writing: every problem in the file."""
    features, problems = read_grid_file(path, crs)
    if not features and not problems:
        problems = [Problem("structure", "文件中没有任何网格")]
    return features, problems + validate(features).problems
