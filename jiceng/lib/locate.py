"""Which polygon of a coverage holds a point: an in-memory index for millions of points/s.

`LocateIndex.build(geoms)` takes polygons that do not overlap (a coverage, gaps allowed)
and answers a point with the index of its polygon, or -1 outside all of them.

Structure. A raster over the bounding box whose cells are powers of two in degrees (so a
coordinate finds its cell exactly). Each cell holds one int32:
  * a polygon index (or -1): no edge crosses the cell, every point in it has that answer;
  * a line leaf: exactly one edge crosses it, so one side test decides between the two
    polygons it separates (most boundary cells are like this);
  * a node: the cell is split 4 × 4 into the next level (cells with a vertex or several
    edges), down to `depth` levels;
  * at the bottom, a short list of candidate polygons, tested exactly by counting edge
    crossings (only cells around vertices end up here).
So nearly every point costs a few array reads and at most one cross product; numpy does
that for whole arrays at once, and a pure-Python path answers one point in microseconds.

Tie rule. Every point belongs to at most one polygon, also on a shared edge: to the one
it would be in after an infinitesimal step east (and, if that runs along an edge, then
north). So a point on a north-south or slanted edge goes to the polygon east of it, on an
east-west edge to the polygon north of it, and a vertex to the polygon just north of due
east. This is the half-open rule of the classic crossing-number test (PNPOLY); both
polygons of a shared edge evaluate it from one canonical copy of that edge, so they never
both claim, or both miss, a point on it. The raster agrees: a point on a cell border
belongs to the cell east (north) of it. Overlapping polygons are not a coverage: a point
in an overlap gets one of them, always the same one.

Precision: edges are taken as exact. A vertex within 1e-9° (0.1 mm) of another
polygon's edge is treated as lying on it (cut lines computed twice rarely agree to the
last bit), and answers within ~1e-12° of an edge follow floating-point rounding.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from .locate_build import (
    BRANCH_BITS,
    KIND_LINE,
    KIND_NODE,
    OUTSIDE,
    SLOTS,
    Tables,
    build_tables,
    expand,
)

__all__ = ["OUTSIDE", "LocateIndex"]

DEPTH = 4  # levels below the top raster: its cells shrink 256 × at the bottom
# Top cells per polygon: enough that most top cells are pure or a line leaf in the city
# centre, yet a 24,000-grid city's top raster stays a few MB.
CELLS_PER_POLYGON = 16.0


class LocateIndex:
    """Point → polygon index for a coverage; see the module docstring."""

    def __init__(self, tables: Tables, n_polygons: int) -> None:
        self.n_polygons = n_polygons
        f, g = tables.frame, tables.segs
        self._x0, self._y0, self._nx = f.x0, f.y0, f.nx
        self._scale = f.scale(f.depth)  # finest cells per degree
        self._shift = BRANCH_BITS * f.depth  # finest → top cell index
        self._width, self._height = f.nx << self._shift, f.ny << self._shift
        self._top, self._nodes = tables.top, tables.nodes
        self._sx0, self._sy0, self._sy1 = g.x0, g.y0, g.y1
        self._sdx, self._sdy = g.dx, g.dy
        self._left, self._right = g.left, g.right
        # On an east-west edge the tie goes north, which is the left side (see rule).
        self._tie_left = g.dy == 0
        self._list_ptr, self._list_ids = tables.list_ptr, tables.list_ids
        self._poly_ptr, self._poly_seg = g.poly_ptr, g.poly_seg
        # memoryviews give the one-point path plain Python numbers, ~5× faster than
        # indexing numpy arrays one element at a time.
        self._mv = {name: memoryview(getattr(self, name)) for name in self._ARRAYS}

    _ARRAYS = (
        "_top",
        "_nodes",
        "_sx0",
        "_sy0",
        "_sy1",
        "_sdx",
        "_sdy",
        "_left",
        "_right",
        "_tie_left",
        "_list_ptr",
        "_list_ids",
        "_poly_ptr",
        "_poly_seg",
    )

    @classmethod
    def build(
        cls,
        geoms: Sequence[shapely.Geometry] | np.ndarray,
        *,
        depth: int = DEPTH,
        cells_per_polygon: float = CELLS_PER_POLYGON,
    ) -> LocateIndex:
        """Index polygons (Polygon or MultiPolygon; None and empty ones are never found)."""
        arr = np.asarray(list(geoms) if not isinstance(geoms, np.ndarray) else geoms, object)
        arr = np.where(shapely.is_missing(arr), shapely.Polygon(), arr)
        return cls(build_tables(arr, depth, cells_per_polygon), len(arr))

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in self._ARRAYS)

    def __len__(self) -> int:
        return self.n_polygons

    # --- one point, in plain Python ----------------------------------------------------

    def locate(self, lng: float, lat: float) -> int:
        """Index of the polygon holding (lng, lat), or -1."""
        fx, fy = (lng - self._x0) * self._scale, (lat - self._y0) * self._scale
        if not (0 <= fx < self._width and 0 <= fy < self._height):  # NaN fails too
            return OUTSIDE
        ix, iy, shift, mv = int(fx), int(fy), self._shift, self._mv
        v = mv["_top"][(iy >> shift) * self._nx + (ix >> shift)]
        while v <= -2:
            ref = -2 - v
            kind, idx = ref & 3, ref >> 2
            if kind == KIND_LINE:
                return self._line_one(idx, lng, lat)
            if kind != KIND_NODE:
                return self._list_one(idx, lng, lat)
            shift -= BRANCH_BITS
            slot = ((iy >> shift) & 3) * 4 + ((ix >> shift) & 3)
            v = mv["_nodes"][idx * SLOTS + slot]
        return v

    def _line_one(self, s: int, x: float, y: float) -> int:
        mv = self._mv
        cross = mv["_sdx"][s] * (y - mv["_sy0"][s]) - mv["_sdy"][s] * (x - mv["_sx0"][s])
        left = cross > 0 or (cross == 0 and mv["_tie_left"][s])
        return mv["_left"][s] if left else mv["_right"][s]

    def _list_one(self, li: int, x: float, y: float) -> int:
        mv = self._mv
        for k in range(mv["_list_ptr"][li], mv["_list_ptr"][li + 1]):
            poly = mv["_list_ids"][k]
            if self._contains_one(poly, x, y):
                return poly
        return OUTSIDE

    def _contains_one(self, poly: int, x: float, y: float) -> bool:
        """Crossing-number test with the same half-open rule and arithmetic as arrays."""
        mv = self._mv
        sx0, sy0, sy1, sdx, sdy, segs = (
            mv["_sx0"],
            mv["_sy0"],
            mv["_sy1"],
            mv["_sdx"],
            mv["_sdy"],
            mv["_poly_seg"],
        )
        inside = False
        for k in range(mv["_poly_ptr"][poly], mv["_poly_ptr"][poly + 1]):
            s = segs[k]
            if sy0[s] <= y < sy1[s] and sdx[s] * (y - sy0[s]) - sdy[s] * (x - sx0[s]) > 0:
                inside = not inside
        return inside

    # --- many points, vectorised ----------------------------------------------------------

    def locate_many(self, lngs, lats) -> np.ndarray:
        """Polygon index (int32, -1 outside) for each point; any shapes that broadcast."""
        x, y = np.broadcast_arrays(np.asarray(lngs, np.float64), np.asarray(lats, np.float64))
        shape, x, y = x.shape, x.ravel(), y.ravel()
        out = np.full(x.size, OUTSIDE, np.int32)
        sel, ix, iy = self._cells(x, y)
        v = self._descend(ix, iy)
        refs = np.flatnonzero(v <= -2)
        if len(sel) == len(x):
            out[:] = v
        else:
            out[sel] = v
        if len(refs):
            at = sel[refs] if len(sel) != len(x) else refs
            out[at] = self._resolve(v[refs], x[at], y[at])
        return out.reshape(shape)

    def _cells(self, x: np.ndarray, y: np.ndarray):
        """Points inside the raster and their finest-level cell coordinates."""
        fx = x - self._x0
        fx *= self._scale
        fy = y - self._y0
        fy *= self._scale
        ok = (fx >= 0) & (fx < self._width) & (fy >= 0) & (fy < self._height)
        if ok.all():
            return np.arange(len(x)), fx.astype(np.int64), fy.astype(np.int64)
        sel = np.flatnonzero(ok)
        return sel, fx[sel].astype(np.int64), fy[sel].astype(np.int64)

    def _descend(self, ix: np.ndarray, iy: np.ndarray) -> np.ndarray:
        shift = self._shift
        v = self._top[(iy >> shift) * self._nx + (ix >> shift)]
        active = np.flatnonzero((v <= -2) & (((-2 - v) & 3) == KIND_NODE))
        while len(active):
            shift -= BRANCH_BITS
            node = (-2 - v[active]) >> 2
            slot = ((iy[active] >> shift) & 3) * 4 + ((ix[active] >> shift) & 3)
            nv = self._nodes[node * SLOTS + slot]
            v[active] = nv
            active = active[(nv <= -2) & (((-2 - nv) & 3) == KIND_NODE)]
        return v

    def _resolve(self, v: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Answers for points in line leaves and candidate lists."""
        ref = -2 - v
        idx, line = ref >> 2, (ref & 3) == KIND_LINE
        out = np.empty(len(v), np.int32)
        out[line] = self._line_many(idx[line], x[line], y[line])
        rest = ~line
        out[rest] = self._lists_many(idx[rest], x[rest], y[rest])
        return out

    def _line_many(self, s: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        cross = self._sdx[s] * (y - self._sy0[s]) - self._sdy[s] * (x - self._sx0[s])
        left = (cross > 0) | ((cross == 0) & self._tie_left[s])
        return np.where(left, self._left[s], self._right[s])

    def _lists_many(self, li: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """First candidate (lowest index) whose edges the point's eastward ray crosses an
        odd number of times."""
        start = self._list_ptr[li]
        point, k = expand(start, self._list_ptr[li + 1] - start)
        cand = self._list_ids[k]
        pstart = self._poly_ptr[cand]
        pair, e = expand(pstart, self._poly_ptr[cand + 1] - pstart)
        s = self._poly_seg[e]
        px, py = x[point[pair]], y[point[pair]]
        cross = self._sdx[s] * (py - self._sy0[s]) - self._sdy[s] * (px - self._sx0[s])
        hit = (self._sy0[s] <= py) & (py < self._sy1[s]) & (cross > 0)
        odd = np.bincount(pair[hit], minlength=len(cand)) % 2 == 1
        out = np.full(len(li), OUTSIDE, np.int32)
        holder, first = np.unique(point[odd], return_index=True)
        out[holder] = cand[odd][first]
        return out
