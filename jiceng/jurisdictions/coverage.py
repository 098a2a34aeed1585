"""Reading grids and boundaries for coverage checks (`check-grids`, `import-grids`)."""

from __future__ import annotations

import shapely

from .choices import Level
from .geometry import Coverage, coverage_problems, from_wkb_many, union
from .models import Grid, GridQuerySet, Jurisdiction


def grid_geoms(grids: GridQuerySet) -> dict[str, shapely.Geometry]:
    """code → geometry, parsed in one vectorised call rather than row by row."""
    rows = list(grids.order_by("code").values_list("code", "geometry_wkb"))
    return dict(zip([c for c, _ in rows], from_wkb_many(w for _, w in rows), strict=True))


def city_region() -> shapely.Geometry | None:
    """The city's boundary, or the union of the district boundaries when it has none."""
    city = Jurisdiction.objects.filter(level=Level.CITY).only("geometry_wkb").first()
    if city and city.geometry is not None:
        return city.geometry
    blobs = Jurisdiction.objects.filter(level=Level.DISTRICT, geometry_wkb__isnull=False)
    geoms = from_wkb_many(blobs.values_list("geometry_wkb", flat=True))
    return union(geoms) if len(geoms) else None


def check_city_grids(min_area_m2: float = 1.0) -> tuple[Coverage, int]:
    """Gaps and overlaps of all general grids against the city; raises LookupError when
    there is no boundary to check against."""
    region = city_region()
    if region is None:
        raise LookupError("没有市界或区界，无法检查网格覆盖；请先运行 jiceng generate-grids")
    grids = grid_geoms(Grid.objects.general())
    # import-grids and the generator never store an invalid polygon, but a row edited by
    # hand might; repair it rather than let GEOS abort the check of the whole city.
    for code, geom in grids.items():
        if not geom.is_valid:
            grids[code] = shapely.make_valid(geom)
    return coverage_problems(region, grids, min_area_m2), len(grids)
