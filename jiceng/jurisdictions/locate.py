"""Which general grid (综合网格) holds a point, with its community, subdistrict and district.

The index over every general grid is built on first use, once per process (about two
seconds and ~55 MB resident for the whole city), then answers from memory in microseconds.
Call `reset_index()` after grids change (an import, a regeneration) so the next call
rebuilds it; other processes keep their copy until they restart or reset too.

General grids tile the city without overlap, so a point is in at most one. A point on the
edge between two grids belongs to the grid east of it (north of an east-west edge): the
tie rule of jiceng.lib.locate. Special grids (专属网格) lie on top of general ones and are
not indexed here.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import shapely

from jiceng.lib.crs import TO_WGS84, TO_WGS84_NP
from jiceng.lib.locate import LocateIndex

from .choices import Level
from .layers import forget_layers
from .models import SEGMENT, Grid, Jurisdiction

CRS_CHOICES = tuple(TO_WGS84)


@dataclass(frozen=True)
class Location:
    """The answer for one point: a grid and its ancestors, or `outside`."""

    grid_code: str = ""
    grid_name: str = ""
    community_code: str = ""
    community_name: str = ""
    subdistrict_code: str = ""
    subdistrict_name: str = ""
    district_code: str = ""
    district_name: str = ""
    outside: bool = False

    def as_dict(self) -> dict:
        if self.outside:
            return {"outside": True}
        data = asdict(self)
        del data["outside"]
        return data


OUTSIDE = Location(outside=True)


@dataclass(frozen=True)
class GridIndex:
    """The spatial index and, at the same positions, each grid's ready-made Location."""

    index: LocateIndex
    locations: tuple[Location, ...]

    def at(self, position: int) -> Location:
        return OUTSIDE if position < 0 else self.locations[position]


_lock = threading.Lock()
_current: GridIndex | None = None


def get_index() -> GridIndex:
    """The process-wide index, built by the first caller while any others wait for it."""
    global _current
    current = _current
    if current is None:
        with _lock:
            if _current is None:
                _current = build_index()
            current = _current
    return current


def reset_index() -> None:
    """Forget the index; the next locate() rebuilds it from the database. Every grid write
    calls this, so the browser's cached grid layers (layers.py) are forgotten here too."""
    global _current
    with _lock:
        _current = None
    forget_layers()


def build_index() -> GridIndex:
    rows = list(
        Grid.objects.general()
        .order_by("code")
        .values_list("code", "name", "community__path", "geometry_wkb")
    )
    names = dict(
        Jurisdiction.objects.filter(
            level__in=[Level.DISTRICT, Level.SUBDISTRICT, Level.COMMUNITY]
        ).values_list("code", "name")
    )
    geoms = shapely.from_wkb([bytes(row[3]) for row in rows])
    locations = tuple(_location(code, name, path, names) for code, name, path, _wkb in rows)
    grids = GridIndex(LocateIndex.build(geoms), locations)
    del rows, geoms
    _return_freed_memory()
    return grids


def _return_freed_memory() -> None:
    """The build's scratch arrays (~200 MB for the city) are freed, but glibc keeps much of
    that heap for reuse; trimming hands it back, so a server process stays ~120 MB instead
    of ~250 MB for its whole life. A no-op where there is no glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _location(code: str, name: str, community_path: str, names: dict[str, str]) -> Location:
    # The path runs city, district, subdistrict, community: one 12-digit code each.
    codes = [community_path[i : i + SEGMENT] for i in range(0, len(community_path), SEGMENT)]
    codes += [""] * (4 - len(codes))
    district, subdistrict, community = codes[1], codes[2], codes[3]
    return Location(
        grid_code=code,
        grid_name=name,
        community_code=community,
        community_name=names.get(community, ""),
        subdistrict_code=subdistrict,
        subdistrict_name=names.get(subdistrict, ""),
        district_code=district,
        district_name=names.get(district, ""),
    )


def to_wgs84(lng: float, lat: float, crs: str) -> tuple[float, float]:
    if crs not in TO_WGS84:
        raise ValueError(f"unknown crs {crs!r}; expected one of {', '.join(CRS_CHOICES)}")
    return TO_WGS84[crs](lng, lat)


def locate(lng: float, lat: float, crs: str = "wgs84") -> Location:
    """The grid holding (lng, lat) given in `crs`, or OUTSIDE (never an exception)."""
    x, y = to_wgs84(float(lng), float(lat), crs)
    grids = get_index()
    return grids.at(grids.index.locate(x, y))


def locate_many(points: Iterable[tuple[float, float]] | np.ndarray, crs: str = "wgs84"):
    """Locations for many (lng, lat) points at once, in order."""
    if crs not in TO_WGS84_NP:
        raise ValueError(f"unknown crs {crs!r}; expected one of {', '.join(CRS_CHOICES)}")
    xy = np.asarray(points if isinstance(points, np.ndarray) else list(points), np.float64)
    xy = xy.reshape(-1, 2)
    x, y = TO_WGS84_NP[crs](xy[:, 0], xy[:, 1])
    grids = get_index()
    return [grids.at(p) for p in grids.index.locate_many(x, y).tolist()]
