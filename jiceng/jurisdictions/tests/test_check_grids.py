import json
from io import StringIO

import pytest
import shapely
from django.core.management import CommandError, call_command

from jiceng.jurisdictions.choices import Level
from jiceng.jurisdictions.models import Grid, Jurisdiction

pytestmark = pytest.mark.django_db


def check_grids(*args: str) -> tuple[int, str]:
    """(exit status, stdout) of `jiceng check-grids`."""
    out = StringIO()
    try:
        call_command("check_grids", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def test_a_clean_city_exits_0_with_empty_lists(heping_city):
    status, out = check_grids("--json")
    report = json.loads(out)
    assert status == 0
    assert report == {"gaps": [], "overlaps": [], "grids": heping_city["general_grids"], "ok": True}


def test_a_deleted_grid_is_reported_as_a_gap_where_it_was(heping_city):
    grid = Grid.objects.general().order_by("code")[10]
    grid.delete()
    status, out = check_grids("--json")
    gaps = json.loads(out)["gaps"]
    assert status == 1 and len(gaps) == 1
    assert gaps[0]["area_m2"] == pytest.approx(grid.area_m2, rel=1e-3)
    assert grid.geometry.contains(shapely.Point(gaps[0]["lng"], gaps[0]["lat"]))


def test_an_overlapping_grid_is_reported_with_both_codes(heping_city):
    victim = Grid.objects.general().order_by("code")[10]
    intruder = Grid.objects.general().exclude(community=victim.community).first()
    intruder.set_geometry(intruder.geometry.union(victim.geometry))
    intruder.save()
    status, out = check_grids("--json")
    overlaps = json.loads(out)["overlaps"]
    assert status == 1 and len(overlaps) == 1
    assert set(overlaps[0]["codes"]) == {victim.code, intruder.code}
    assert overlaps[0]["area_m2"] == pytest.approx(victim.area_m2, rel=1e-3)


def test_the_text_report_is_in_chinese(heping_city):
    Grid.objects.general().first().delete()
    status, out = check_grids()
    assert status == 1 and "飞地（市界内无网格覆盖）：1 处" in out


def test_without_a_city_boundary_the_districts_are_the_region(heping_city):
    Jurisdiction.objects.filter(level=Level.CITY).update(geometry_wkb=None)
    Grid.objects.general().first().delete()
    status, out = check_grids("--json")
    assert status == 1 and len(json.loads(out)["gaps"]) == 1


def test_small_differences_below_min_area_are_ignored(heping_city):
    grid = Grid.objects.general().first()
    grid.set_geometry(grid.geometry.buffer(-1e-6))  # ~0.1 m inward: a thin ring of gap
    grid.save()
    assert check_grids("--json")[0] == 1
    assert check_grids("--json", "--min-area", "10000")[0] == 0


def test_without_any_boundary_the_check_cannot_run(db):
    with pytest.raises(CommandError, match="generate-grids"):
        call_command("check_grids")
