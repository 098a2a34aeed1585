"""The benchmark code runs end to end at a tiny scale (no timing is asserted, ever)."""

from __future__ import annotations

import shapely

from jiceng.bench.__main__ import run
from jiceng.bench.registry import BENCHMARKS, SCALES
from jiceng.bench.report import render
from jiceng.jurisdictions import locate as service
from jiceng.jurisdictions.choices import Kind, Level
from jiceng.jurisdictions.models import Grid, Jurisdiction


def make_city() -> None:
    """A city, district, street and community with a 4 x 3 block of grids."""
    parent, path = None, ""
    levels = [
        ("120000000000", Level.CITY, Kind.CITY),
        ("120101000000", Level.DISTRICT, Kind.DISTRICT),
        ("120101001000", Level.SUBDISTRICT, Kind.STREET),
        ("120101001001", Level.COMMUNITY, Kind.COMMUNITY),
    ]
    for depth, (code, level, kind) in enumerate(levels):
        path += code
        parent = Jurisdiction.objects.create(
            code=code, name=code, level=level, kind=kind, parent=parent, path=path, depth=depth
        )
    for n in range(12):
        x, y = 117.0 + (n % 4) * 0.01, 39.0 + (n // 4) * 0.01
        grid = Grid(code=f"{parent.code}{n + 1:03d}", name=f"第{n + 1}网格", community=parent)
        grid.set_geometry(shapely.box(x, y, x + 0.01, y + 0.01))
        grid.save()


def test_every_benchmark_runs_and_the_report_lists_its_figures(db, tmp_path):
    make_city()
    service.reset_index()
    try:
        figures = run(SCALES["tiny"], echo=lambda *_: None)
    finally:
        service.reset_index()
    names = {f.name for f in figures}
    assert len(BENCHMARKS) >= 7
    assert {"Index build (LocateIndex.build)", "Whole-city subtree query"} <= names
    assert any(n.startswith("Queue of the busiest subdistrict") for n in names)
    assert any(n.startswith("City leader's dashboard") for n in names)
    assert all(f.samples and all(s >= 0 for s in f.samples) for f in figures)
    text = render(figures, SCALES["tiny"], "python -m jiceng.bench --scale tiny", "test", "12")
    assert "| Whole-city subtree query |" in text and "## Machine" in text
