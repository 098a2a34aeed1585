"""Synthetic coverages for the locate tests: polygons that share their edges exactly."""

from __future__ import annotations

import numpy as np
import shapely

ORIGIN = (117.0, 39.0)  # somewhere in Tianjin, so coordinates look like the real ones


def wavy_mesh(nx: int, ny: int, *, wiggle: int = 3, seed: int = 0) -> list[shapely.Polygon]:
    """A jittered quad mesh whose shared edges are zigzags (wiggle points per edge).

    Column widths and row heights vary 15-fold, like city-centre grids next to fields;
    every interior vertex and zigzag point is shared by the cells on both sides.
    """
    rng = np.random.default_rng(seed)
    xs = ORIGIN[0] + np.r_[0, np.cumsum(rng.uniform(0.0002, 0.003, nx))]
    ys = ORIGIN[1] + np.r_[0, np.cumsum(rng.uniform(0.0002, 0.003, ny))]
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    jitter = 0.3 * np.minimum(np.diff(xs).min(), np.diff(ys).min())
    gx[1:-1, 1:-1] += rng.uniform(-jitter, jitter, (nx - 1, ny - 1))
    gy[1:-1, 1:-1] += rng.uniform(-jitter, jitter, (nx - 1, ny - 1))
    horizontal = _zigzags(gx, gy, axis=0, wiggle=wiggle, amp=jitter / 3, rng=rng)
    vertical = _zigzags(gx, gy, axis=1, wiggle=wiggle, amp=jitter / 3, rng=rng)
    cells = []
    for i in range(nx):
        for j in range(ny):
            ring = np.concatenate(
                [
                    horizontal[i, j][:-1],  # bottom, west → east
                    vertical[i + 1, j][:-1],  # east side, south → north
                    horizontal[i, j + 1][::-1][:-1],  # top, east → west
                    vertical[i, j][::-1][:-1],  # west side, north → south
                ]
            )
            cells.append(shapely.Polygon(ring))
    return cells


def _zigzags(gx, gy, *, axis: int, wiggle: int, amp: float, rng) -> dict:
    """Edge (i, j) → its points from lattice vertex (i, j) to the next one along `axis`.

    Edges on the mesh's outer boundary stay straight so the union is a clean rectangle.
    """
    nx, ny = gx.shape
    out = {}
    for i in range(nx - (axis == 0)):
        for j in range(ny - (axis == 1)):
            a = np.array([gx[i, j], gy[i, j]])
            b = np.array(
                [gx[i + (axis == 0), j + (axis == 1)], gy[i + (axis == 0), j + (axis == 1)]]
            )
            t = np.linspace(0, 1, wiggle + 2)[:, None]
            pts = a + t * (b - a)
            border = (axis == 0 and j in (0, ny - 1)) or (axis == 1 and i in (0, nx - 1))
            if not border:
                normal = np.array([-(b - a)[1], (b - a)[0]]) / np.hypot(*(b - a))
                pts[1:-1] += normal * rng.uniform(-amp, amp, (wiggle, 1))
            out[i, j] = pts
    return out


def bisected(n: int, *, seed: int = 0, dyadic: bool = True) -> list[shapely.Geometry]:
    """Recursive bisection of an irregular shape with axis-parallel cuts, like the demo
    grid generator: T-junctions everywhere (one side of a cut has vertices the other
    lacks). With `dyadic`, cuts fall on multiples of 2**-14 degrees, which are also the
    index's cell borders, so edges lie exactly on grid lines."""
    rng = np.random.default_rng(seed)
    angles = np.linspace(0, 2 * np.pi, 90, endpoint=False)
    radius = 0.2 * (1 + 0.25 * np.sin(5 * angles) + 0.1 * rng.uniform(-1, 1, 90))
    shape = shapely.Polygon(
        np.c_[ORIGIN[0] + 1.3 * radius * np.cos(angles), ORIGIN[1] + radius * np.sin(angles)]
    )
    pieces = [shape]
    while len(pieces) < n:
        pieces.sort(key=lambda g: g.area)
        pieces.extend(_cut(pieces.pop(), rng, dyadic))
    return pieces


def _cut(geom, rng, dyadic: bool) -> list[shapely.Geometry]:
    minx, miny, maxx, maxy = geom.bounds
    wide = maxx - minx >= maxy - miny
    lo, hi = (minx, maxx) if wide else (miny, maxy)
    cut = lo + (hi - lo) * rng.uniform(0.3, 0.7)
    if dyadic:
        cut = round(cut * 2**14) / 2**14
    blade = (
        shapely.box(minx - 1, miny - 1, cut, maxy + 1)
        if wide
        else shapely.box(minx - 1, miny - 1, maxx + 1, cut)
    )
    parts = [_polygonal(geom.intersection(blade)), _polygonal(geom.difference(blade))]
    return [p for p in parts if not p.is_empty]


def _polygonal(geom) -> shapely.Geometry:
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def naive_locate(geoms, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The reference: test every polygon with shapely (lowest index wins)."""
    out = np.full(len(x), -1, np.int32)
    for k in range(len(geoms) - 1, -1, -1):
        out[shapely.contains_xy(geoms[k], x, y)] = k
    return out
