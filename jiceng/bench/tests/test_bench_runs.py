"""The benchmark code runs end to end at a tiny scale (no timing is asserted, ever)."""

from __future__ import annotations

import shapely

from jiceng.bench.__main__ import run
from jiceng.bench.kpi import STEPS
from jiceng.bench.registry import BENCHMARKS, SCALES, Figure
from jiceng.bench.report import growth, render
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
    # The pages and the KPI table at each step of the case count, and how they grew.
    for series in ("Queue of the busiest subdistrict", "City leader's dashboard",
                   "Monthly KPI table, all subdistricts"):  # fmt: skip
        assert [f.step for f in figures if f.series == series] == list(STEPS["tiny"])
        assert f"| {series} |" in text.split("## Growth with the number of cases")[1]


def test_the_growth_table_gives_each_page_per_step_and_last_over_first():
    figures = [
        Figure("Queue, 100 cases", "ms", [10.0], series="Queue", step=100),
        Figure("Queue, 1,000 cases", "ms", [12.5], series="Queue", step=1000),
        Figure("Index build", "s", [1.0]),
    ]
    assert growth(figures) == [
        "## Growth with the number of cases",
        "",
        "Medians from the table above, step by step (issue 6: a page should not grow with",
        "the number of cases, so the last ÷ first column should stay near 1×).",
        "",
        "| Page or table | 100 cases | 1,000 cases | last ÷ first |",
        "| --- | ---: | ---: | ---: |",
        "| Queue | 10.0 ms | 12.5 ms | 1.25× |",
        "",
    ]
    assert growth(figures[:1]) == []  # one step: nothing to compare


def test_the_10m_scale_grows_the_whole_city_to_ten_million_cases():
    assert SCALES["10m"].districts is None  # every district, as at full scale
    assert STEPS["10m"] == (100_000, 1_000_000, 10_000_000)
