"""Building a LocateIndex (see locate.py for the structure and the rules it answers by).

Steps, all vectorised with numpy:

1. `segments_of`: every ring edge of every polygon, split where another polygon's
   vertex lies on it (a T-junction: one side of a cut line has a vertex the other side
   lacks), canonicalised and deduplicated, so each edge of the coverage is stored once
   with the polygon on each side.
2. `cover`: which cells of a level each edge touches (a supercover: the edge is cut at
   every grid line and each piece is put in the cell that holds its midpoint).
3. `group_cells`: per cell, its edge list and how many edges cross its interior.
   None → pure; one → a line leaf; more → subdivide (or a candidate list at the bottom).
4. Labels of pure cells: the polygon west of the first edge that a ray cast east from
   the cell's centre meets: `row_scan` along whole rows at the top level; below it,
   `_Builder._walk_east` follows the ray through the levels already built.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

OUTSIDE = -1
# A cell value below -1 refers to something: -2 - (index << 2 | kind).
KIND_NODE, KIND_LINE, KIND_LIST = 0, 1, 2
BRANCH_BITS = 2  # each level splits a cell into 4 x 4
BRANCH = 1 << BRANCH_BITS
SLOTS = BRANCH * BRANCH
# A vertex closer than this to another polygon's edge (in degrees, ~0.1 mm) is taken to
# lie on it: cut lines computed by two overlay operations rarely agree to the last bit.
SNAP = 1e-9
WALK_CHUNK = 100_000  # pure cells labelled at once: bounds the build's peak memory


def encode(kind: int, index: np.ndarray) -> np.ndarray:
    return (-2 - ((index.astype(np.int64) << 2) | kind)).astype(np.int32)


# --- edges -----------------------------------------------------------------------------


@dataclass
class Segments:
    """Unique edges, each from its lower end (y0 < y1, or y0 == y1 and x0 < x1).

    `left`/`right` are the polygons on each side looking along that direction (west/east
    of an upward edge, north/south of a horizontal one), OUTSIDE where there is none.
    `poly_ptr`/`poly_seg` list every polygon's edges, for the exact crossing test.
    """

    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    left: np.ndarray
    right: np.ndarray
    poly_ptr: np.ndarray
    poly_seg: np.ndarray

    @property
    def dx(self) -> np.ndarray:
        return self.x1 - self.x0

    @property
    def dy(self) -> np.ndarray:
        return self.y1 - self.y0

    def __len__(self) -> int:
        return len(self.x0)


def segments_of(geoms: np.ndarray, snap: float = SNAP) -> Segments:
    ax, ay, bx, by, owner = _ring_edges(geoms)
    ax, ay, bx, by, owner = _split_at_vertices(ax, ay, bx, by, owner, snap)
    flip = (ay > by) | ((ay == by) & (ax > bx))
    x0, y0 = np.where(flip, bx, ax), np.where(flip, by, ay)
    x1, y1 = np.where(flip, ax, bx), np.where(flip, ay, by)
    ends = np.stack([x0, y0, x1, y1], axis=1)
    unique, seg = np.unique(ends, axis=0, return_inverse=True)
    seg = seg.ravel()
    n = len(unique)
    # Rings are oriented so their polygon lies on the left of each directed edge; an
    # edge that had to be flipped into canonical order has its polygon on the right.
    left, right = _side_owner(n, seg[~flip], owner[~flip]), _side_owner(n, seg[flip], owner[flip])
    order = np.argsort(owner, kind="stable")
    poly_ptr = np.searchsorted(owner[order], np.arange(len(geoms) + 1)).astype(np.int64)
    x0, y0, x1, y1 = unique.T.copy()
    return Segments(x0, y0, x1, y1, left, right, poly_ptr, seg[order].astype(np.int32))


def _ring_edges(geoms: np.ndarray):
    """(ax, ay, bx, by, owner) of every non-degenerate ring edge, polygons on the left."""
    oriented = shapely.orient_polygons(geoms)
    parts, part_owner = shapely.get_parts(oriented, return_index=True)
    polygons = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    parts, part_owner = parts[polygons], part_owner[polygons]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    same = coord_ring[:-1] == coord_ring[1:]
    a, b = coords[:-1][same], coords[1:][same]
    owner = part_owner[ring_part[coord_ring[:-1][same]]]
    real = (a != b).any(axis=1)
    a, b = a[real], b[real]
    return a[:, 0], a[:, 1], b[:, 0], b[:, 1], owner[real].astype(np.int32)


def _split_at_vertices(ax, ay, bx, by, owner, snap: float):
    """Cut every edge at the vertices lying on it, so shared stretches match exactly."""
    verts = np.unique(np.concatenate([np.stack([ax, ay], 1), np.stack([bx, by], 1)]), axis=0)
    lines = shapely.linestrings(np.stack([np.stack([ax, ay], 1), np.stack([bx, by], 1)], 1))
    vi, si = shapely.STRtree(lines).query(shapely.points(verts), "dwithin", distance=snap)
    vx, vy = verts[vi, 0], verts[vi, 1]
    own = ((vx == ax[si]) & (vy == ay[si])) | ((vx == bx[si]) & (vy == by[si]))
    vx, vy, si = vx[~own], vy[~own], si[~own]
    ex, ey = bx[si] - ax[si], by[si] - ay[si]
    t = ((vx - ax[si]) * ex + (vy - ay[si]) * ey) / (ex * ex + ey * ey)
    inner = (t > 0) & (t < 1)
    n = len(ax)
    seg = np.concatenate([np.arange(n), np.arange(n), si[inner]])
    t = np.concatenate([np.zeros(n), np.ones(n), t[inner]])
    px = np.concatenate([ax, bx, vx[inner]])
    py = np.concatenate([ay, by, vy[inner]])
    order = np.lexsort((t, seg))
    seg, px, py = seg[order], px[order], py[order]
    piece = (seg[:-1] == seg[1:]) & ((px[:-1] != px[1:]) | (py[:-1] != py[1:]))
    return px[:-1][piece], py[:-1][piece], px[1:][piece], py[1:][piece], owner[seg[:-1][piece]]


def _side_owner(n: int, seg: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """The polygon on one side of each edge (of two overlapping ones, the lower index)."""
    side = np.full(n, np.iinfo(np.int32).max, np.int32)
    np.minimum.at(side, seg, owner)
    side[side == np.iinfo(np.int32).max] = OUTSIDE
    return side


# --- the raster frame ------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """The top-level raster: nx × ny cells of 2**-k0 degrees from (x0, y0).

    Cell sizes are powers of two and the origin a multiple of the top cell, so a
    coordinate maps to its cell exactly: a point on a grid line belongs to the cell east
    (north) of it, the same side the tie rule gives an edge lying on that line.
    """

    x0: float
    y0: float
    k0: int
    depth: int
    nx: int
    ny: int

    @classmethod
    def fit(cls, bounds, n_polygons: int, depth: int, cells_per_polygon: float) -> Frame:
        minx, miny, maxx, maxy = bounds
        target = float(np.clip(cells_per_polygon * max(n_polygons, 1), 64, 1 << 22))
        area = max((maxx - minx) * (maxy - miny), 1e-12)
        k0 = int(np.round(-np.log2(np.sqrt(area / target))))
        size = 2.0**-k0
        x0, y0 = np.floor(minx / size) * size, np.floor(miny / size) * size
        nx = int(np.floor((maxx - x0) / size)) + 1
        ny = int(np.floor((maxy - y0) / size)) + 1
        return cls(float(x0), float(y0), k0, depth, nx, ny)

    def scale(self, level: int) -> float:
        """Cells per degree at `level` (0 = top)."""
        return 2.0 ** (self.k0 + BRANCH_BITS * level)


# --- cells an edge touches -------------------------------------------------------------


def cover(segs: Segments, frame: Frame, level: int, s: np.ndarray, box: tuple):
    """Cells (i, j) of `level` inside `box` that the edges `s` touch.

    Returns (pair, i, j, interior): `pair` indexes `s`; `interior` is False for an edge
    that only runs along the cell's border (it separates nothing inside the cell).
    """
    scale = frame.scale(level)
    u0, v0 = (segs.x0[s] - frame.x0) * scale, (segs.y0[s] - frame.y0) * scale
    du, dv = (segs.x1[s] - frame.x0) * scale - u0, (segs.y1[s] - frame.y0) * scale - v0
    ilo, jlo, ihi, jhi = box
    ulo, uhi = _clip_axis(u0, du, ilo, ihi)
    vlo, vhi = _clip_axis(v0, dv, jlo, jhi)
    ta, tb = np.maximum(np.maximum(ulo, vlo), 0.0), np.minimum(np.minimum(uhi, vhi), 1.0)
    pair, t0, t1 = _pieces(u0, du, v0, dv, ta, tb)
    tm = (t0 + t1) * 0.5
    um, vm = u0[pair] + tm * du[pair], v0[pair] + tm * dv[pair]
    i, j = np.floor(um).astype(np.int64), np.floor(vm).astype(np.int64)
    on_u = (du[pair] == 0) & (um == i)  # along a vertical grid line: touches both sides
    on_v = (dv[pair] == 0) & (vm == j)
    pair = np.concatenate([pair, pair[on_u], pair[on_v]])
    i = np.concatenate([i, i[on_u] - 1, i[on_v]])
    j = np.concatenate([j, j[on_u], j[on_v] - 1])
    interior = np.concatenate([~(on_u | on_v), np.zeros(on_u.sum() + on_v.sum(), bool)])
    inside = (i >= ilo[pair]) & (i < ihi[pair]) & (j >= jlo[pair]) & (j < jhi[pair])
    return pair[inside], i[inside], j[inside], interior[inside]


def _clip_axis(p0, d, lo, hi):
    """Parameter range where p0 + t·d lies in [lo, hi] (Liang–Barsky, one axis)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t1, t2 = (lo - p0) / d, (hi - p0) / d
    within = (p0 >= lo) & (p0 <= hi)
    flat = d == 0
    tlo = np.where(flat, np.where(within, -np.inf, np.inf), np.minimum(t1, t2))
    thi = np.where(flat, np.where(within, np.inf, -np.inf), np.maximum(t1, t2))
    return tlo, thi


def _pieces(u0, du, v0, dv, ta, tb):
    """Split each clipped edge [ta, tb] at every grid line: (pair, t_start, t_end)."""
    n = len(u0)
    pu, tu = _line_params(u0, du, ta, tb)
    pv, tv = _line_params(v0, dv, ta, tb)
    pair = np.concatenate([np.arange(n), np.arange(n), pu, pv])
    t = np.concatenate([ta, tb, tu, tv])
    order = np.lexsort((t, pair))
    pair, t = pair[order], t[order]
    valid = ta[pair] < tb[pair]
    pair, t = pair[valid], t[valid]
    t = np.clip(t, ta[pair], tb[pair])
    piece = (pair[:-1] == pair[1:]) & (t[1:] > t[:-1])
    return pair[:-1][piece], t[:-1][piece], t[1:][piece]


def _line_params(p0, d, ta, tb):
    """(pair, t) for every integer grid line strictly between the clipped ends."""
    pa, pb = p0 + ta * d, p0 + tb * d
    first = np.floor(np.minimum(pa, pb)) + 1
    last = np.ceil(np.maximum(pa, pb)) - 1
    ok = (d != 0) & (ta < tb)
    count = np.where(ok, np.maximum(last - first + 1, 0), 0).astype(np.int64)
    pair, line = expand(np.where(ok, first, 0).astype(np.int64), count)
    return pair, (line - p0[pair]) / d[pair]


# --- cells and their edge lists --------------------------------------------------------


@dataclass
class CellLists:
    """Cells (sorted keys) with their edge lists in CSR form."""

    keys: np.ndarray
    ptr: np.ndarray
    seg: np.ndarray
    interior: np.ndarray
    n_interior: np.ndarray
    any_interior_seg: np.ndarray

    def counts(self) -> np.ndarray:
        return np.diff(self.ptr)


def group_cells(key: np.ndarray, seg: np.ndarray, interior: np.ndarray, n_seg: int) -> CellLists:
    combo = key * n_seg + seg
    order = np.argsort(combo, kind="stable")
    combo, inner = combo[order], interior[order].astype(np.int32)
    starts = np.flatnonzero(np.r_[True, combo[1:] != combo[:-1]]) if len(combo) else combo
    inner = np.maximum.reduceat(inner, starts) if len(combo) else inner
    combo = combo[starts]
    ukey, useg = combo // n_seg, (combo % n_seg).astype(np.int32)
    cstarts = np.flatnonzero(np.r_[True, ukey[1:] != ukey[:-1]]) if len(ukey) else ukey
    if not len(ukey):
        empty = np.zeros(0, np.int64)
        return CellLists(empty, np.zeros(1, np.int64), useg, inner.astype(bool), empty, empty)
    n_int = np.add.reduceat(inner, cstarts)
    any_seg = np.maximum.reduceat(np.where(inner > 0, useg, -1), cstarts)
    ptr = np.append(cstarts, len(useg)).astype(np.int64)
    return CellLists(ukey[cstarts], ptr, useg, inner.astype(bool), n_int, any_seg)


# --- labels of pure cells --------------------------------------------------------------


def first_crossing(segs: Segments, px, py, start, count, seg_list, east) -> np.ndarray:
    """For each point, the first listed edge a ray cast east meets before `east`, or -1.

    An edge counts when y0 <= py < y1 (half-open, so a vertex on the ray counts once) and
    it lies east of or through the point; ties at one crossing go to the edge leaning
    furthest west just above the ray, whose west side is what the ray arrives in.
    """
    out = np.full(len(px), -1, np.int64)
    owner, k = expand(start, count)
    s = seg_list[k]
    y = py[owner]
    spans = (segs.y0[s] <= y) & (y < segs.y1[s])
    owner, s, y = owner[spans], s[spans], y[spans]
    x, x0, y0, dx, dy = px[owner], segs.x0[s], segs.y0[s], segs.dx[s], segs.dy[s]
    xint = x0 + (y - y0) * dx / dy
    # "Before east" is the same cross product the next cell uses for "after its west
    # border" (with the sign flipped), so an edge through that very point is never lost.
    before_east = dx * (y - y0) - dy * (east[owner] - x0) <= 0
    ok = (dx * (y - y0) - dy * (x - x0) >= 0) & before_east
    owner, s, xint, slope = owner[ok], s[ok], xint[ok], dx[ok] / dy[ok]
    if not len(owner):
        return out
    # Points come in order, so each point's candidates are one run: take its minimum
    # crossing, then the minimum slope among crossings tied there.
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    run = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(owner))))
    best = xint == np.minimum.reduceat(xint, starts)[run]
    slope = np.where(best, slope, np.inf)
    best &= slope == np.minimum.reduceat(slope, starts)[run]
    pick = np.flatnonzero(best)
    first = pick[np.r_[True, run[pick][1:] != run[pick][:-1]]]
    out[owner[first]] = s[first]
    return out


def expand(start: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, position) for the ranges [start, start + count) laid end to end."""
    owner = np.repeat(np.arange(len(start)), count)
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    return owner, np.repeat(start, count) + offset


def row_scan(segs: Segments, frame: Frame, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Labels of top-level cells (known to hold no edge inside) by a sweep along each row.

    Every edge crossing a row's centre line is one event; a cell takes the west side of
    the first event east of its centre (OUTSIDE when there is none).
    """
    size = 1.0 / frame.scale(0)
    ev_row, ev_seg = _row_events(segs, frame)
    yc = frame.y0 + (ev_row + 0.5) * size
    x0, y0, dx, dy = segs.x0[ev_seg], segs.y0[ev_seg], segs.dx[ev_seg], segs.dy[ev_seg]
    ev_x = x0 + (yc - y0) * dx / dy
    q_x = frame.x0 + (cols + 0.5) * size
    row = np.concatenate([ev_row, rows])
    x = np.concatenate([ev_x, q_x])
    slope = np.concatenate([dx / dy, np.zeros(len(rows))])
    is_query = np.r_[np.zeros(len(ev_row), bool), np.ones(len(rows), bool)]
    order = np.lexsort((slope, is_query, x, row))
    # For each position, the next event at or after it (events come before a query at
    # the same x, but a pure cell's centre never lies on an edge anyway).
    pos_event = np.where(~is_query[order], np.arange(len(order)), len(order))
    nxt = np.minimum.accumulate(pos_event[::-1])[::-1]
    q_pos = np.flatnonzero(is_query[order])
    q_idx = order[q_pos] - len(ev_row)
    hit = nxt[q_pos]
    label = np.full(len(rows), OUTSIDE, np.int32)
    found = hit < len(order)
    ev = order[hit[found]]
    same_row = row[ev] == rows[q_idx[found]]
    label[q_idx[found][same_row]] = segs.left[ev_seg[ev[same_row]]]
    return label


def _row_events(segs: Segments, frame: Frame):
    """(row, seg) for every non-horizontal edge and top-level row centre it spans."""
    size = 1.0 / frame.scale(0)
    v0 = (segs.y0 - frame.y0) * frame.scale(0) - 0.5
    v1 = (segs.y1 - frame.y0) * frame.scale(0) - 0.5
    first, last = np.ceil(v0), np.ceil(v1) - 1
    count = np.maximum(last - first + 1, 0).astype(np.int64)
    seg, row = expand(first.astype(np.int64), count)
    yc = frame.y0 + (row + 0.5) * size
    ok = (segs.y0[seg] <= yc) & (yc < segs.y1[seg])  # guards the rounding of v0, v1
    return row[ok].astype(np.int64), seg[ok]


# --- the tree, level by level ----------------------------------------------------------

PENDING = np.iinfo(np.int32).min  # a pure cell whose label is not known yet


@dataclass
class Tables:
    """Everything a LocateIndex queries: see locate.py for the encoding."""

    frame: Frame
    segs: Segments
    top: np.ndarray
    nodes: np.ndarray
    list_ptr: np.ndarray
    list_ids: np.ndarray


@dataclass
class Parents:
    """Cells of one level being split into the next: position and edge list (CSR)."""

    i: np.ndarray
    j: np.ndarray
    start: np.ndarray
    count: np.ndarray
    seg: np.ndarray

    @classmethod
    def of(cls, cells: CellLists, which: np.ndarray, i: np.ndarray, j: np.ndarray) -> Parents:
        count = cells.counts()[which]
        _, flat = expand(cells.ptr[:-1][which], count)
        return cls(i[which], j[which], np.cumsum(count) - count, count, cells.seg[flat])

    def __len__(self) -> int:
        return len(self.i)


def build_tables(geoms: np.ndarray, depth: int, cells_per_polygon: float) -> Tables:
    segs = segments_of(geoms)
    bounds = shapely.total_bounds(geoms) if len(segs) else (0.0, 0.0, 1.0, 1.0)
    frame = Frame.fit(bounds, len(geoms), depth, cells_per_polygon)
    builder = _Builder(segs, frame)
    builder.top_level()
    for level in range(1, depth + 1):
        if not len(builder.parents):
            break
        builder.next_level(level)
    return builder.tables()


class _Builder:
    """Fills the tables top-down, one level at a time; `parents` are the cells of the
    last level built that still have to be split (their node rows come next)."""

    def __init__(self, segs: Segments, frame: Frame) -> None:
        self.segs, self.frame = segs, frame
        self.top = np.full(frame.nx * frame.ny, OUTSIDE, np.int32)
        self.nodes = np.zeros(0, np.int32)
        self.n_nodes = 0  # node ids handed out; the rows of the last `parents` are not filled
        self.lists: list[np.ndarray] = []
        self.list_sizes: list[np.ndarray] = []
        self.parents: Parents

    def tables(self) -> Tables:
        sizes = np.concatenate([np.zeros(1, np.int64), *self.list_sizes])
        ids = np.concatenate([np.zeros(0, np.int32), *self.lists]).astype(np.int32)
        return Tables(self.frame, self.segs, self.top, self.nodes, np.cumsum(sizes), ids)

    def top_level(self) -> None:
        f, n = self.frame, len(self.segs)
        s = np.arange(n)
        box = tuple(np.full(n, v, np.int64) for v in (0, 0, f.nx, f.ny))
        pair, i, j, interior = cover(self.segs, f, 0, s, box)
        cells = group_cells(j * f.nx + i, s[pair], interior, max(n, 1))
        i, j = cells.keys % f.nx, cells.keys // f.nx
        values, parents = self._classify(cells, 0, f.nx * f.ny, i, j)
        pure = np.flatnonzero(values == PENDING)
        values[pure] = row_scan(self.segs, f, pure // f.nx, pure % f.nx)
        self.top, self.parents = values, parents

    def next_level(self, level: int) -> None:
        p = self.parents
        owner = np.repeat(np.arange(len(p)), p.count)  # p.seg holds the lists in order
        box = (BRANCH * p.i[owner], BRANCH * p.j[owner])
        box = (*box, box[0] + BRANCH, box[1] + BRANCH)
        pair, i, j, interior = cover(self.segs, self.frame, level, p.seg, box)
        parent = owner[pair]
        slot = (j - BRANCH * p.j[parent]) * BRANCH + (i - BRANCH * p.i[parent])
        cells = group_cells(parent * SLOTS + slot, p.seg[pair], interior, max(len(self.segs), 1))
        del owner, box, pair, i, j, interior, parent, slot  # keep the build's peak down
        values, parents = self._classify(cells, level, len(p) * SLOTS, *self._child_ij(cells.keys))
        pure = np.flatnonzero(values == PENDING)
        values[pure] = self._walk_east(*self._centres(pure, level), level)
        self.nodes = np.concatenate([self.nodes, values])
        self.parents = parents

    def _child_ij(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cell coordinates of children, keyed parent * SLOTS + slot."""
        p, parent, slot = self.parents, keys // SLOTS, keys % SLOTS
        return BRANCH * p.i[parent] + slot % BRANCH, BRANCH * p.j[parent] + slot // BRANCH

    def _centres(self, keys: np.ndarray, level: int) -> tuple[np.ndarray, np.ndarray]:
        i, j = self._child_ij(keys)
        size = 1.0 / self.frame.scale(level)
        return self.frame.x0 + (i + 0.5) * size, self.frame.y0 + (j + 0.5) * size

    def _classify(self, cells: CellLists, level: int, size: int, i, j):
        """(values, parents): line leaves, nodes or lists, PENDING for pure cells; and the
        cells to split next."""
        values = np.full(size, PENDING, np.int32)
        line = cells.n_interior == 1
        values[cells.keys[line]] = encode(KIND_LINE, cells.any_interior_seg[line])
        split = np.flatnonzero(cells.n_interior >= 2)
        if level == self.frame.depth:
            first = sum(len(s) for s in self.list_sizes)
            values[cells.keys[split]] = encode(KIND_LIST, first + np.arange(len(split)))
            self._add_lists(cells, split)
            split = split[:0]
        ids = self.n_nodes + np.arange(len(split))
        self.n_nodes += len(split)
        values[cells.keys[split]] = encode(KIND_NODE, ids)
        return values, Parents.of(cells, split, i, j)

    def _add_lists(self, cells: CellLists, which: np.ndarray) -> None:
        """Candidate polygons of bottom cells: every polygon on a side of an inside edge."""
        owner, flat = expand(cells.ptr[:-1][which], cells.counts()[which])
        inner = cells.interior[flat]
        seg, owner = cells.seg[flat][inner], owner[inner]
        owner = np.concatenate([owner, owner])
        label = np.concatenate([self.segs.left[seg], self.segs.right[seg]]).astype(np.int64)
        keep = label >= 0
        combo = np.unique(owner[keep] * (1 << 31) + label[keep])
        self.lists.append((combo % (1 << 31)).astype(np.int32))
        self.list_sizes.append(np.bincount(combo >> 31, minlength=len(which)))

    # --- labels below the top: a ray walking east through the cells built so far ---------

    def _walk_east(self, px: np.ndarray, py: np.ndarray, level: int) -> np.ndarray:
        """Label of each point (centres of pure cells): cast a ray east until it meets an
        edge or enters a cell whose answer is already known. In chunks, because every
        point is paired with its whole parent's edge list."""
        parts = [
            self._walk_chunk(px[k : k + WALK_CHUNK], py[k : k + WALK_CHUNK], level)
            for k in range(0, len(px), WALK_CHUNK)
        ]
        return np.concatenate([np.zeros(0, np.int32), *parts])

    def _walk_chunk(self, px: np.ndarray, py: np.ndarray, level: int) -> np.ndarray:
        label = np.full(len(px), OUTSIDE, np.int32)
        pend, qx = np.arange(len(px)), px.copy()
        first_open = len(self.nodes) // SLOTS
        parent_size = 1.0 / self.frame.scale(level - 1)
        while len(pend):
            v, opened = self._descend(qx[pend], py[pend], first_open)
            known = opened < 0
            label[pend[known]] = self._leaf_label(v[known], qx[pend[known]], py[pend[known]])
            o, idx = opened[~known], pend[~known]
            p = self.parents
            east = self.frame.x0 + (p.i[o] + 1) * parent_size
            hit = first_crossing(self.segs, qx[idx], py[idx], p.start[o], p.count[o], p.seg, east)
            label[idx[hit >= 0]] = self.segs.left[hit[hit >= 0]]
            pend = idx[hit < 0]
            qx[pend] = east[hit < 0]
        return label

    def _leaf_label(self, v: np.ndarray, qx: np.ndarray, qy: np.ndarray) -> np.ndarray:
        """What a ray arriving at q from the west is in, for a pure cell or a line leaf.

        A line leaf's edge through q itself leans east above the ray (one leaning west
        would lie in the cell the ray came from, and have been met there), so on the line
        the ray is still on its west (left) side.
        """
        # Only pure cells and line leaves can be met: nodes were descended and lists
        # exist only at the bottom level, which is never above the one being built.
        out = v.copy()
        line = v <= -2
        s = (-2 - v[line]) >> 2
        g = self.segs
        cross = g.dx[s] * (qy[line] - g.y0[s]) - g.dy[s] * (qx[line] - g.x0[s])
        out[line] = np.where(cross >= 0, g.left[s], g.right[s])
        return out

    def _descend(self, x: np.ndarray, y: np.ndarray, first_open: int):
        """Cell value of each point in the tree built so far, or the open parent it is in."""
        f = self.frame
        shift = BRANCH_BITS * f.depth
        fx, fy = (x - f.x0) * f.scale(f.depth), (y - f.y0) * f.scale(f.depth)
        inside = (fx >= 0) & (fx < f.nx << shift) & (fy >= 0) & (fy < f.ny << shift)
        ix, iy = np.where(inside, fx, 0).astype(np.int64), np.where(inside, fy, 0).astype(np.int64)
        v = np.where(inside, self.top[(iy >> shift) * f.nx + (ix >> shift)], OUTSIDE)
        opened = np.full(len(x), -1, np.int64)
        while True:
            ref = -2 - v.astype(np.int64)
            node = (v <= -2) & ((ref & 3) == KIND_NODE)
            is_open = node & ((ref >> 2) >= first_open)
            opened[is_open] = (ref >> 2)[is_open] - first_open
            v[is_open] = OUTSIDE
            down = np.flatnonzero(node & ~is_open)
            if not len(down):
                return v, opened
            shift -= BRANCH_BITS
            row, col = (iy[down] >> shift) & (BRANCH - 1), (ix[down] >> shift) & (BRANCH - 1)
            v[down] = self.nodes[(ref[down] >> 2) * SLOTS + row * BRANCH + col]
