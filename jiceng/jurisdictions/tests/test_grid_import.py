import json
from io import StringIO

import numpy as np
import pytest
import shapely
from django.core.management import CommandError, call_command

from jiceng.jurisdictions.choices import GridKind, Level
from jiceng.jurisdictions.gridfiles import GridImportError, import_grids
from jiceng.jurisdictions.gridgen import partition
from jiceng.jurisdictions.models import Grid, Jurisdiction
from jiceng.lib.crs import wgs84_to_gcj02_np

pytestmark = pytest.mark.django_db

BOW_TIE = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])


@pytest.fixture
def community(heping_city) -> Jurisdiction:
    """A community with at least three general grids."""
    for node in Jurisdiction.objects.filter(level=Level.COMMUNITY, kind="community"):
        if node.grids.filter(kind=GridKind.GENERAL).count() >= 3:
            return node
    raise AssertionError("和平区 should have a community with three grids")


def general_grids(community: Jurisdiction) -> dict:
    return {g.code: g.geometry for g in community.grids.general()}


def snapshot() -> dict:
    return {code: bytes(wkb) for code, wkb in Grid.objects.values_list("code", "geometry_wkb")}


def problems_of(path, crs="wgs84") -> list:
    with pytest.raises(GridImportError) as caught:
        import_grids(path, crs)
    return caught.value.problems


def fit_into(shape: shapely.Geometry, target: shapely.Geometry) -> shapely.Geometry:
    """`shape` scaled to a tenth of the target's size, placed at a point inside it."""
    point = target.representative_point()
    small = shapely.affinity.scale(shape, 1e-4, 1e-4, origin=(0, 0))
    return shapely.affinity.translate(small, point.x, point.y)


def test_a_valid_file_replaces_the_communitys_grids(community, write_grid_file):
    new = partition(community.geometry, [1.0, 1.0, 1.0])
    path = write_grid_file({f"{community.code}{n:03d}": g for n, g in enumerate(new, 11)})
    result = import_grids(path)
    grids = list(community.grids.all())
    assert result["general_grids"] == 3 and [g.code[-3:] for g in grids] == ["011", "012", "013"]
    assert not any(g.synthetic for g in grids)
    community.refresh_from_db()
    assert community.geometry.symmetric_difference(shapely.union_all(new)).area < 1e-12


def test_other_communities_keep_their_grids(community, write_grid_file):
    before = {k: v for k, v in snapshot().items() if not k.startswith(community.code)}
    import_grids(write_grid_file(general_grids(community)))
    after = snapshot()
    assert all(after[code] == wkb for code, wkb in before.items())


def test_an_overlapping_file_names_both_grids_and_writes_nothing(community, write_grid_file):
    grids = general_grids(community)
    first, second = list(grids)[:2]
    grids[second] = grids[second].union(shapely.affinity.scale(grids[first], 0.5, 0.5))
    before = snapshot()
    problems = problems_of(write_grid_file(grids))
    overlaps = [p for p in problems if p.kind == "overlap"]
    assert len(overlaps) == 1 and set(overlaps[0].codes) == {first, second}
    assert overlaps[0].area_m2 > 1 and first in overlaps[0].message
    assert snapshot() == before


def test_a_self_intersecting_polygon_is_rejected_with_its_code(community, write_grid_file):
    grids = general_grids(community)
    code = list(grids)[0]
    grids[f"{community.code}099"] = fit_into(BOW_TIE, grids[code])
    problems = problems_of(write_grid_file(grids))
    invalid = [p for p in problems if p.kind == "invalid"]
    assert [p.codes for p in invalid] == [(f"{community.code}099",)]
    assert "自相交" in invalid[0].message and invalid[0].lng is not None


def test_a_file_that_leaves_a_gap_is_rejected(community, write_grid_file):
    grids = general_grids(community)
    code, dropped = grids.popitem()
    problems = problems_of(write_grid_file(grids))
    gaps = [p for p in problems if p.kind == "gap"]
    assert len(gaps) == 1 and gaps[0].codes == (code,)
    assert gaps[0].area_m2 == pytest.approx(Grid.objects.get(code=code).area_m2, rel=1e-3)
    assert dropped.contains(shapely.Point(gaps[0].lng, gaps[0].lat))


def test_a_grid_outside_its_district_is_rejected(community, write_grid_file):
    grids = general_grids(community)
    code = list(grids)[0]
    grids[code] = shapely.affinity.translate(grids[code], 1.0, 0.0)  # 1° east: the sea
    problems = problems_of(write_grid_file(grids))
    outside = [p for p in problems if p.kind == "outside"]
    assert [p.codes for p in outside] == [(code,)]
    assert "120101000000" in outside[0].message and outside[0].area_m2 > 1


def test_a_grid_taking_a_neighbours_land_is_rejected(community, write_grid_file):
    grids = general_grids(community)
    code = list(grids)[0]
    neighbour = Grid.objects.general().exclude(community=community).first()
    grids[code] = grids[code].union(neighbour.geometry)
    problems = problems_of(write_grid_file(grids))
    assert any(p.kind == "overlap" and neighbour.code in p.codes for p in problems)


def test_gcj02_coordinates_are_converted_to_wgs84(community, write_grid_file):
    grids = general_grids(community)

    def to_gcj02(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(wgs84_to_gcj02_np(coords[:, 0], coords[:, 1]))

    shifted = {code: shapely.transform(g, to_gcj02) for code, g in grids.items()}
    assert problems_of(write_grid_file(shifted))  # read as WGS84 it sits ~500 m off
    import_grids(write_grid_file(shifted), crs="gcj02")
    for grid in community.grids.general():
        assert grid.geometry.hausdorff_distance(grids[grid.code]) < 1e-8


def test_every_problem_is_reported_not_just_the_first(community, write_grid_file):
    grids = general_grids(community)
    first = list(grids)[0]
    grids["99" + first[2:]] = grids.pop(first)  # unknown community, and a gap
    grids[f"{community.code}098"] = fit_into(BOW_TIE, grids[list(grids)[0]])
    kinds = {p.kind for p in problems_of(write_grid_file(grids))}
    assert {"community", "invalid", "gap"} <= kinds


def test_malformed_features_are_each_reported(community, tmp_path):
    path = tmp_path / "bad.geojson"
    features = [
        {"type": "Feature", "properties": {"code": "12", "name": "x"}, "geometry": None},
        {"type": "Feature", "properties": {"name": "y"}, "geometry": {"type": "Point"}},
        "not a feature",
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    problems = problems_of(path)
    assert len(problems) == 5 and all(p.kind == "feature" for p in problems)
    assert problems[0].message.startswith("第1个要素")


def test_duplicate_codes_are_rejected(community, write_grid_file, tmp_path):
    path = write_grid_file(general_grids(community))
    data = json.loads(path.read_text())
    data["features"].append(data["features"][0])
    path.write_text(json.dumps(data))
    assert any(p.kind == "duplicate" for p in problems_of(path))


def test_the_command_prints_every_problem_and_exits_non_zero(community, write_grid_file):
    grids = general_grids(community)
    grids.popitem()
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_grids", str(write_grid_file(grids)), "--json", stdout=out)
    assert caught.value.returncode == 1
    report = json.loads(out.getvalue())
    assert report["ok"] is False and report["problems"][0]["kind"] == "gap"


def test_the_command_reports_success_in_chinese(community, write_grid_file):
    out = StringIO()
    call_command("import_grids", str(write_grid_file(general_grids(community))), stdout=out)
    assert "网格导入完成" in out.getvalue()
