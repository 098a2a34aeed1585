"""The grid layer for the browser: every grid under a node, simplified for a band of
zoom levels and written as Google encoded polylines, so the whole city stays under 1 MB.

A band of zoom levels is a `Bucket`: one Douglas–Peucker tolerance (about a pixel at the
band's highest zoom) and one precision (coordinates rounded to a fraction of a pixel).
The answer for a node (docs/grids.md, "The grid layer in the browser"):

    {"z": 12, "zooms": [11, 12], "precision": 4, "count": 2,
     "kinds": "gs", "rings": ["<polyline> <polyline>", "<polyline>"]}

`kinds` holds one letter per grid (g general, s special); `rings[i]` holds grid i's
rings as polylines of (lat, lng) separated by spaces, drawn with the even-odd rule.
The detailed buckets add `codes` and, when a bbox was asked for, the `bbox` covered.

Encoding a layer is pure (numpy and shapely, no database); the functions at the end
fetch the grids a user may see and keep encoded layers in Django's cache until grids
change (`forget_layers`, called with the locate index's reset after every grid write).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass, replace

import numpy as np
import shapely
from django.core.cache import cache
from django.http import Http404
from django.utils.translation import gettext as _

from jiceng.accounts.scope import scope_for

from .choices import GridKind
from .geometry import from_wkb_many
from .models import Grid, GridQuerySet, Jurisdiction, subtree_q


class LayerError(ValueError):
    """A request the layer cannot answer; the message says in Chinese what is wrong."""


@dataclass(frozen=True)
class Bucket:
    """A band of zoom levels sharing one simplification and one coordinate precision."""

    z: int  # the zoom the tolerance is chosen for: one pixel there
    zooms: tuple[int, int]  # the map zoom levels (inclusive) this bucket serves
    tolerance: float  # degrees; 0 keeps every vertex
    precision: int  # decimal places kept: polyline integers are degrees × 10**precision
    detailed: bool = False  # grid codes are sent, and a large node needs a bbox
    cell: float = 0.0  # a bbox is widened to multiples of this (degrees), so answers repeat
    max_span: float = 0.0  # the widest bbox side accepted (degrees), after widening


# A pixel at zoom z is 121,500 / 2**z metres at Tianjin's latitude (39°): 119 m at z10,
# 30 m at z12, 7.4 m at z14; a thousandth of a degree is 111 m north–south.
# The widest bbox is a 4K screen's width (3,840 px) at the bucket's first zoom, widened
# by a cell on each side: 0.66° + 0.1° at z13, 0.17° + 0.04° at z15.
BUCKETS = (
    Bucket(10, (0, 10), 0.001, 3),
    Bucket(12, (11, 12), 0.00025, 4),
    Bucket(14, (13, 14), 0.00006, 5, detailed=True, cell=0.05, max_span=0.8),
    Bucket(18, (15, 24), 0.0, 6, detailed=True, cell=0.02, max_span=0.3),
)
MAX_ZOOM = BUCKETS[-1].zooms[1]
# Above this many grids a detailed bucket is answered only for a bbox (the visible map).
MAX_GRIDS_WITHOUT_BBOX = 1000
KIND_LETTER = {GridKind.GENERAL: "g", GridKind.SPECIAL: "s"}


def bucket_for(z: str | None) -> Bucket:
    """The bucket serving map zoom `z` (a fractional zoom counts as the whole one below:
    at most a pixel more simplification); no zoom at all gets the coarsest, the overview."""
    if z is None or z == "":
        return BUCKETS[0]
    try:
        zoom = math.floor(float(z))
    except (ValueError, OverflowError):
        zoom = -1
    if not 0 <= zoom <= MAX_ZOOM:
        message = _("缩放级别 z 必须是 0 到 %(max)s 之间的数，收到 '%(got)s'")
        raise LayerError(message % {"max": MAX_ZOOM, "got": z[:20]})
    return next(b for b in BUCKETS if b.zooms[0] <= zoom <= b.zooms[1])


# --- Google encoded polylines ------------------------------------------------------------

SHIFTS = 5 * np.arange(7)  # seven 5-bit chunks hold any delta up to 2**34


def encode_polyline(points, precision: int = 5) -> str:
    """Google's encoded polyline of (lat, lng) points, the first absolute, then deltas."""
    rounded = np.rint(np.asarray(points, dtype=np.float64).reshape(-1, 2) * 10**precision)
    return _polylines(rounded.astype(np.int64), np.zeros(len(rounded), np.int64), 1)[0]


def _polylines(points: np.ndarray, line: np.ndarray, lines: int) -> list[str]:
    """One polyline per line for integer (lat, lng) points grouped by the sorted `line`."""
    first = np.r_[True, line[1:] != line[:-1]] if len(line) else np.zeros(0, bool)
    deltas = points.copy()
    deltas[~first] -= points[np.flatnonzero(~first) - 1]
    chars, widths = _varints(deltas.ravel())
    per_line = np.bincount(line, weights=widths[0::2] + widths[1::2], minlength=lines)
    ends = np.cumsum(per_line).astype(np.int64)
    starts = ends - per_line.astype(np.int64)
    text = chars.tobytes().decode("ascii")
    return [text[start:end] for start, end in zip(starts, ends, strict=True)]


def _varints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The polyline characters of signed integers, and how many characters each takes:
    zig-zag sign, then 5-bit chunks, low first, each but the last flagged with 0x20."""
    zigzag = np.where(values < 0, ~(values << 1), values << 1)
    chunks = zigzag[:, None] >> SHIFTS
    used = chunks > 0
    used[:, 0] = True
    more = np.zeros_like(used)
    more[:, :-1] = used[:, 1:]
    chars = (chunks & 31) + 32 * more + 63
    return chars[used].astype(np.uint8), used.sum(axis=1)


# --- encoding a layer ----------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """Encoded grids in drawing order (general grids first, special ones on top)."""

    bucket: Bucket
    kinds: str
    rings: tuple[str, ...]
    codes: tuple[str, ...] = ()  # detailed buckets only
    bounds: np.ndarray | None = None  # (n, 4) west, south, east, north; detailed only

    def __len__(self) -> int:
        return len(self.rings)

    def within(self, box: tuple[float, float, float, float]) -> Layer:
        """The grids whose bounding box meets `box` (west, south, east, north)."""
        west, south, east, north = box
        b = self.bounds
        hit = (b[:, 0] <= east) & (b[:, 2] >= west) & (b[:, 1] <= north) & (b[:, 3] >= south)
        keep = np.flatnonzero(hit)
        return replace(
            self,
            kinds="".join(self.kinds[i] for i in keep),
            rings=tuple(self.rings[i] for i in keep),
            codes=tuple(self.codes[i] for i in keep),
            bounds=b[keep],
        )

    def as_json(self) -> dict:
        bucket = self.bucket
        body = {
            "z": bucket.z,
            "zooms": list(bucket.zooms),
            "precision": bucket.precision,
            "count": len(self),
            "kinds": self.kinds,
        }
        if bucket.detailed:
            body["codes"] = list(self.codes)
        body["rings"] = list(self.rings)
        return body


def encode_layer(geoms: np.ndarray, kinds: list[str], codes: list[str], bucket: Bucket) -> Layer:
    """Simplify every polygon for the bucket (one vectorised call) and encode its rings."""
    if bucket.tolerance:
        simple = shapely.simplify(geoms, bucket.tolerance, preserve_topology=True)
    else:
        simple = geoms
    detailed = bucket.detailed
    return Layer(
        bucket=bucket,
        kinds="".join(KIND_LETTER.get(k, "g") for k in kinds),
        rings=tuple(encode_rings(simple, bucket.precision)),
        codes=tuple(codes) if detailed else (),
        bounds=shapely.bounds(geoms) if detailed else None,
    )


def encode_rings(geoms: np.ndarray, precision: int) -> list[str]:
    """Per geometry, its rings (shells and holes of every part) as polylines joined by
    spaces. A ring's closing vertex is left out (rings close themselves) and so is a
    vertex that rounds onto the one before it."""
    geoms = np.asarray(geoms, dtype=object)
    parts, part_geom = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    points = np.rint(coords[:, ::-1] * 10**precision).astype(np.int64)  # (lat, lng)
    keep = _kept_vertices(points, ring)
    encoded = _polylines(points[keep], ring[keep], len(rings))
    starts = np.searchsorted(part_geom[ring_part], np.arange(len(geoms) + 1))
    return [" ".join(encoded[a:b]) for a, b in zip(starts[:-1], starts[1:], strict=True)]


def _kept_vertices(points: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Drop each ring's closing vertex, repeats after rounding, and a last vertex that
    rounded onto the first; a ring that shrank to one point keeps that point."""
    n = len(ring)
    new_ring = np.r_[True, ring[1:] != ring[:-1]] if n else np.zeros(0, bool)
    closing = np.r_[new_ring[1:], True] if n else np.zeros(0, bool)
    repeat = np.r_[False, (points[1:] == points[:-1]).all(axis=1)] & ~new_ring
    keep = ~closing & ~repeat
    # The last kept vertex of a ring may have rounded onto the ring's first vertex.
    idx = np.flatnonzero(keep)
    if len(idx):
        last = np.r_[ring[idx][1:] != ring[idx][:-1], True]
        firsts = idx[np.r_[True, last[:-1]]]
        lasts = idx[last]
        same = (lasts != firsts) & (points[lasts] == points[firsts]).all(axis=1)
        keep[lasts[same]] = False
    return keep


# --- the request: which node, which box --------------------------------------------------


def access_layer_node(user, code: str) -> Jurisdiction:
    """A node whose grids the user may ask for: one they see, or an ancestor of what they
    see (a street dispatcher may ask for the city and gets only the street's grids).
    Missing and foreign codes answer the same 404."""
    node = Jurisdiction.objects.defer("geometry_wkb").filter(code=code).first()
    reaches = (
        node is not None
        and Jurisdiction.objects.visible_to(user).filter(subtree_q(node.path)).exists()
    )
    if not reaches:
        raise Http404(_("没有这个辖区，或您无权查看"))
    return node


def parse_bbox(raw: str | None, bucket: Bucket) -> tuple[float, float, float, float] | None:
    """The asked-for map area widened to the bucket's cells; None for the whole node.
    Coarse buckets always answer the whole node, so their bbox is ignored."""
    if not raw or not bucket.detailed:
        return None
    try:
        west, south, east, north = (float(v) for v in raw.split(","))
    except ValueError:
        message = _("bbox 必须是 西,南,东,北 四个经纬度数值（WGS84），收到 '%(got)s'")
        raise LayerError(message % {"got": raw[:60]}) from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise LayerError(_("bbox 的西边界必须小于东边界、南边界必须小于北边界，且在经纬度范围内"))
    cell = bucket.cell
    box = (
        round(math.floor(west / cell) * cell, 6),
        round(math.floor(south / cell) * cell, 6),
        round(math.ceil(east / cell) * cell, 6),
        round(math.ceil(north / cell) * cell, 6),
    )
    if box[2] - box[0] > bucket.max_span + 1e-9 or box[3] - box[1] > bucket.max_span + 1e-9:
        low, high = bucket.zooms
        message = _("bbox 范围过大：缩放级别 %(low)s–%(high)s 时每边最多 %(span)s 度，请放大地图")
        raise LayerError(message % {"low": low, "high": high, "span": bucket.max_span})
    return box


def answer(layer: Layer, box: tuple[float, float, float, float] | None) -> dict:
    """The JSON body for the whole layer or the part of it inside `box`."""
    if box is not None:
        return layer.within(box).as_json() | {"bbox": list(box)}
    if layer.bucket.detailed and len(layer) > MAX_GRIDS_WITHOUT_BBOX:
        low, high = layer.bucket.zooms
        message = _(
            "这里有 %(count)s 个网格：缩放级别 %(low)s–%(high)s 需要 bbox=西,南,东,北 参数"
            "（地图的可见范围），或者缩小地图"
        )
        raise LayerError(message % {"count": len(layer), "low": low, "high": high})
    return layer.as_json()


# --- the grids a user sees, cached -------------------------------------------------------

CACHE_PREFIX = "jiceng:grid-layer"
GENERATION_KEY = f"{CACHE_PREFIX}:generation"
CACHE_SECONDS = 24 * 3600  # grids change by import only; forget_layers drops them sooner
# Browsers reuse an answer this long, then ask again with its ETag (a cheap 304).
BROWSER_SECONDS = 300


def selection(user, node: Jurisdiction) -> tuple[str, GridQuerySet]:
    """The grids under `node` the user sees, and a name for that set. Users who see the
    same set share one cached layer: the city for a street dispatcher is their street."""
    grids = Grid.objects.visible_to(user).within(node)
    scope = scope_for(user)
    if scope.grid_ids is not None:
        ids = ",".join(map(str, sorted(scope.grid_ids)))
        return f"{node.path}:{hashlib.blake2b(ids.encode(), digest_size=8).hexdigest()}", grids
    if scope.everything or len(node.path) >= len(scope.path or ""):
        return node.path, grids
    return scope.path, grids  # the node is an ancestor of the user's subtree


def cache_key(name: str, bucket: Bucket) -> str:
    """Where the layer of this grid set and bucket is cached, under the current generation."""
    return f"{CACHE_PREFIX}:{generation()}:{name}:{bucket.z}"


def cached_layer(key: str, grids: GridQuerySet, bucket: Bucket) -> Layer:
    """The encoded layer from the cache, or built from the database and cached."""
    layer = cache.get(key)
    if layer is None:
        layer = build_layer(grids, bucket)
        cache.set(key, layer, CACHE_SECONDS)
    return layer


def build_layer(grids: GridQuerySet, bucket: Bucket) -> Layer:
    rows = list(grids.order_by("kind", "code").values_list("code", "kind", "geometry_wkb"))
    geoms = from_wkb_many(row[2] for row in rows)
    return encode_layer(geoms, [row[1] for row in rows], [row[0] for row in rows], bucket)


def etag(key: str, box: tuple[float, float, float, float] | None) -> str:
    """Names one answer; it changes when grids do, because the generation in `key` does."""
    digest = hashlib.blake2b(f"{key}|{box}".encode(), digest_size=10).hexdigest()
    return f'"{digest}"'


def generation() -> str:
    """A token that every cache key includes; replacing it forgets every layer at once
    (a cache cannot delete keys by prefix)."""
    token = cache.get(GENERATION_KEY)
    if token is None:
        fresh = secrets.token_hex(6)
        cache.add(GENERATION_KEY, fresh, None)
        token = cache.get(GENERATION_KEY) or fresh  # another process may have added first
    return token


def forget_layers() -> None:
    """Grids were written: every cached layer is stale (the old entries just expire)."""
    cache.set(GENERATION_KEY, secrets.token_hex(6), None)
