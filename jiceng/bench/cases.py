"""The benchmarks: grid location (index vs shapely) and the jurisdiction tree."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys

import numpy as np
import shapely

from jiceng.jurisdictions import locate as service
from jiceng.jurisdictions.models import Grid, Jurisdiction
from jiceng.lib.crs import wgs84_to_gcj02_np
from jiceng.lib.locate import OUTSIDE, LocateIndex

from .registry import Context, Figure, benchmark, rate, timed

MB = 1e6


# --- shared data -----------------------------------------------------------------------


def grid_geoms(ctx: Context) -> np.ndarray:
    """Every general grid's polygon, in code order (the service's order)."""

    def load() -> np.ndarray:
        blobs = Grid.objects.general().order_by("code").values_list("geometry_wkb", flat=True)
        return shapely.from_wkb([bytes(b) for b in blobs])

    return ctx.cached("geoms", load)


def index(ctx: Context) -> LocateIndex:
    return ctx.cached("index", lambda: LocateIndex.build(grid_geoms(ctx)))


def points(ctx: Context) -> dict[str, tuple[np.ndarray, ...]]:
    """Half the points uniform over the grids' bounding box, half inside random grids."""

    def make() -> dict[str, tuple[np.ndarray, ...]]:
        rng = np.random.default_rng(ctx.seed)
        geoms, half = grid_geoms(ctx), ctx.scale.points // 2
        minx, miny, maxx, maxy = shapely.total_bounds(geoms)
        uniform = rng.uniform(minx, maxx, half), rng.uniform(miny, maxy, half)
        return {"uniform": uniform, "inside": inside_points(geoms, half, rng)}

    return ctx.cached("points", make)


def inside_points(geoms: np.ndarray, n: int, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, y, grid) with each point drawn uniformly inside a uniformly chosen grid."""
    grid = rng.integers(0, len(geoms), n)
    bounds = shapely.bounds(geoms)
    x, y, todo = np.empty(n), np.empty(n), np.arange(n)
    shapely.prepare(geoms)
    while len(todo):  # rejection sampling in each grid's bounding box
        b = bounds[grid[todo]]
        x[todo], y[todo] = rng.uniform(b[:, 0], b[:, 2]), rng.uniform(b[:, 1], b[:, 3])
        todo = todo[~shapely.contains_xy(geoms[grid[todo]], x[todo], y[todo])]
    return x, y, grid


DISTRIBUTIONS = {"uniform": "uniform over the city bbox", "inside": "inside a random grid"}


# --- the index -------------------------------------------------------------------------


@benchmark("build")
def build(ctx: Context) -> list[Figure]:
    geoms = grid_geoms(ctx)
    seconds = timed(lambda: LocateIndex.build(geoms), ctx.scale.runs)
    loads = timed(service.build_index, max(2, ctx.scale.runs // 2), warmup=0)
    return [
        Figure("Index build (LocateIndex.build)", "s", seconds, f"{len(geoms):,} general grids"),
        Figure("Service index load (DB read + WKB + build)", "s", loads),
    ]


@benchmark("memory")
def memory(ctx: Context) -> list[Figure]:
    rss = rss_fresh_process() if ctx.scale.fresh_process_rss else rss_here()
    note = f"a Django process without the index: {rss['before'] / MB:.0f} MB"
    return [
        Figure("Index tables (nbytes)", "MB", [index(ctx).nbytes / MB]),
        Figure("Server process RSS with the index loaded", "MB", [rss["after"] / MB], note),
        Figure("Peak RSS of that process while building", "MB", [rss["peak"] / MB]),
    ]


def rss_fresh_process() -> dict[str, int]:
    """Resident memory of a new Django process before, after and at most while it loads
    the service's index (a fresh process, so nothing else this run made is counted)."""
    code = "from jiceng.bench.cases import rss_here; import json; print(json.dumps(rss_here()))"
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "jiceng.settings"}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def rss_here() -> dict[str, int]:
    gc.collect()
    before = proc_status("VmRSS")
    service.reset_index()
    service.get_index()
    gc.collect()
    return {"before": before, "after": proc_status("VmRSS"), "peak": proc_status("VmHWM")}


def proc_status(key: str) -> int:
    """A memory figure in bytes from /proc/self/status (Linux): VmRSS, VmHWM…"""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) * 1024
    return 0


@benchmark("locate-batch")
def locate_batch(ctx: Context) -> list[Figure]:
    idx, figures = index(ctx), []
    for key, label in DISTRIBUTIONS.items():
        x, y = points(ctx)[key][:2]
        seconds = timed(lambda x=x, y=y: idx.locate_many(x, y), ctx.scale.runs)
        note = f"{len(x):,} points per run; {agreement(ctx, key)}"
        figures.append(Figure(f"locate_many, {label}", "points/s", rate(len(x), seconds), note))
    return figures


def agreement(ctx: Context, key: str) -> str:
    """How the index's answers compare with the truth (or with STRtree)."""
    x, y, *grid = points(ctx)[key]
    got = index(ctx).locate_many(x, y)
    if grid:
        return f"answer is the grid drawn in for {np.sum(got == grid[0]):,} of {len(x):,}"
    same = np.sum(got == strtree_answers(shapely.STRtree(grid_geoms(ctx)), x, y))
    return f"same answer as STRtree for {same:,} of {len(x):,}"


@benchmark("locate-single")
def locate_single(ctx: Context) -> list[Figure]:
    x, y = (a[: ctx.scale.single_calls].tolist() for a in points(ctx)["inside"][:2])
    gx, gy = (a.tolist() for a in wgs84_to_gcj02_np(x, y))
    one = index(ctx).locate
    service.get_index()
    calls = {
        "LocateIndex.locate, one point per call": (one, x, y, {}),
        "service locate(), WGS-84": (service.locate, x, y, {}),
        "service locate(), GCJ-02 (converted first)": (service.locate, gx, gy, {"crs": "gcj02"}),
    }
    figures = []
    for name, (fn, xs, ys, kw) in calls.items():
        seconds = timed(
            lambda fn=fn, xs=xs, ys=ys, kw=kw: call_each(fn, xs, ys, kw), ctx.scale.runs
        )
        per_call = [s / len(xs) * 1e6 for s in seconds]
        figures.append(Figure(name, "µs", per_call, f"mean of {len(xs):,} calls per run"))
    return figures


def call_each(fn, xs: list[float], ys: list[float], kw: dict) -> None:
    for a, b in zip(xs, ys, strict=True):
        fn(a, b, **kw)


# --- the alternatives ------------------------------------------------------------------


def strtree_answers(tree: shapely.STRtree, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """One grid per point from an STRtree: `intersects` (a point on a shared edge hits
    both grids, "within" would miss it), the lower index winning a tie."""
    point, grid = tree.query(shapely.points(x, y), predicate="intersects")
    out = np.full(len(x), OUTSIDE, np.int32)
    out[point[::-1]] = grid[::-1]
    return out


@benchmark("strtree")
def strtree(ctx: Context) -> list[Figure]:
    geoms = grid_geoms(ctx)
    build_ms = [s * 1e3 for s in timed(lambda: shapely.STRtree(geoms), ctx.scale.runs)]
    tree = shapely.STRtree(geoms)
    figures = [Figure("shapely STRtree build", "ms", build_ms)]
    for key, label in DISTRIBUTIONS.items():
        x, y = points(ctx)[key][:2]
        theirs, ours = paired(
            lambda x=x, y=y: strtree_answers(tree, x, y),
            lambda x=x, y=y: index(ctx).locate_many(x, y),
            ctx.scale.runs,
        )
        note = "points → shapely Points → query(intersects) → one answer each"
        figures.append(Figure(f"STRtree batch, {label}", "points/s", rate(len(x), theirs), note))
        speedup = [t / o for t, o in zip(theirs, ours, strict=True)]
        note = "STRtree time ÷ locate_many time, run by run on the same points"
        figures.append(Figure(f"locate_many speed-up over STRtree, {label}", "×", speedup, note))
    return figures


def paired(a, b, runs: int) -> tuple[list[float], list[float]]:
    """Time a and b alternately, so both see the same machine state in each run."""
    pairs = [(timed(a, 1, warmup=0)[0], timed(b, 1, warmup=0)[0]) for _ in range(runs)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


@benchmark("naive")
def naive(ctx: Context) -> list[Figure]:
    """Every grid tested against every point (shapely.contains_xy, prepared)."""
    geoms = grid_geoms(ctx)
    shapely.prepare(geoms)
    x, y, _grid = (a[: ctx.scale.naive_points] for a in points(ctx)["inside"])
    found = np.full(len(x), OUTSIDE, np.int32)

    def scan() -> None:
        for k in range(len(geoms) - 1, -1, -1):
            found[shapely.contains_xy(geoms[k], x, y)] = k

    seconds = timed(scan, max(1, ctx.scale.runs // 2), warmup=0)
    agree = np.sum(found == index(ctx).locate_many(x, y))
    note = f"{len(x):,} points inside grids; the index agrees on {agree:,}"
    return [Figure("Naive scan over all grids", "points/s", rate(len(x), seconds), note)]


# --- the jurisdiction tree -------------------------------------------------------------


@benchmark("subtree")
def subtree(ctx: Context) -> list[Figure]:
    city = Jurisdiction.objects.filter(depth=0).order_by("path").first()
    if city is None:
        return []
    rows = []

    def query() -> None:
        rows[:] = list(Jurisdiction.objects.subtree(city).defer("geometry_wkb"))

    ms = [s * 1e3 for s in timed(query, ctx.scale.runs)]
    note = f"{len(rows):,} model instances, geometry deferred"

    def codes() -> None:
        rows[:] = list(Jurisdiction.objects.subtree(city).values_list("code", "name", "level"))

    codes_ms = [s * 1e3 for s in timed(codes, ctx.scale.runs)]
    return [
        Figure("Whole-city subtree query", "ms", ms, note),
        Figure("Whole-city subtree query, values", "ms", codes_ms, f"{len(rows):,} rows"),
    ]


# --- drawing and checking the grids -----------------------------------------------------


@benchmark("grids")
def grids(ctx: Context) -> list[Figure]:
    """Redraw every demo grid (generation plus database write) and check the coverage.

    Redrawing replaces the grids with identical ones (the generator is deterministic),
    so the database is the same afterwards.
    """
    from jiceng.jurisdictions.coverage import check_city_grids
    from jiceng.jurisdictions.gridgen import build_demo_grids

    if not Grid.objects.general().exists():
        return []
    runs = max(1, min(3, ctx.scale.runs))
    built: dict = {}
    build_s = timed(lambda: built.update(build_demo_grids()), runs, warmup=0)
    found = []
    check_s = timed(lambda: found.append(check_city_grids()[0]), runs, warmup=0)
    problems = len(found[-1].gaps) + len(found[-1].overlaps)
    return [
        Figure(
            "Demo grids: generate and write",
            "s",
            build_s,
            f"{built.get('general_grids', 0):,} general grids, one transaction",
        ),
        Figure("check-grids over the city", "s", check_s, f"{problems} gaps or overlaps"),
    ]
