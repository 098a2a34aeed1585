"""The grid-location service and `jiceng locate`, over a tiny tree in the database."""

from __future__ import annotations

import json
import threading
import time
from io import StringIO
from types import SimpleNamespace

import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError

from jiceng.jurisdictions import locate as service
from jiceng.jurisdictions.choices import GridKind, Kind, Level
from jiceng.jurisdictions.models import Grid, Jurisdiction
from jiceng.lib.crs import wgs84_to_bd09, wgs84_to_gcj02

CITY, DISTRICT, STREET, COMMUNITY = (
    "120000000000",
    "120101000000",
    "120101001000",
    "120101001001",
)
WEST_GRID, EAST_GRID = f"{COMMUNITY}001", f"{COMMUNITY}002"
IN_WEST = (117.15, 39.11)
IN_EAST = (117.25, 39.11)
NOWHERE = (117.5, 39.5)


def node(code: str, name: str, level: str, kind: str, parent: Jurisdiction | None):
    path = (parent.path if parent else "") + code
    return Jurisdiction.objects.create(
        code=code,
        name=name,
        level=level,
        kind=kind,
        parent=parent,
        path=path,
        depth=len(path) // 12 - 1,
    )


def grid(code: str, name: str, community, box, kind=GridKind.GENERAL) -> Grid:
    g = Grid(code=code, name=name, kind=kind, community=community)
    g.set_geometry(shapely.box(*box))
    g.save()
    return g


@pytest.fixture(autouse=True)
def fresh_index():
    service.reset_index()
    yield
    service.reset_index()


@pytest.fixture
def tree(db) -> SimpleNamespace:
    t = SimpleNamespace()
    t.city = node(CITY, "天津市", Level.CITY, Kind.CITY, None)
    t.district = node(DISTRICT, "和平区", Level.DISTRICT, Kind.DISTRICT, t.city)
    t.street = node(STREET, "劝业场街道", Level.SUBDISTRICT, Kind.STREET, t.district)
    t.community = node(COMMUNITY, "花园路社区居委会", Level.COMMUNITY, Kind.COMMUNITY, t.street)
    t.west = grid(WEST_GRID, "花园路社区第1网格", t.community, (117.1, 39.1, 117.2, 39.12))
    t.east = grid(EAST_GRID, "花园路社区第2网格", t.community, (117.2, 39.1, 117.3, 39.12))
    # A special grid over part of the west grid: the service answers general grids only.
    t.school = grid(
        f"{COMMUNITY}901",
        "花园路社区专属网格（学校）",
        t.community,
        (117.14, 39.105, 117.16, 39.115),
        kind=GridKind.SPECIAL,
    )
    return t


def run_locate(*args: str) -> dict:
    out = StringIO()
    call_command("locate", *args, stdout=out)
    return json.loads(out.getvalue())


def test_a_point_in_a_grid_names_the_grid_and_its_ancestors(tree):
    found = service.locate(*IN_EAST)
    assert found == service.Location(
        grid_code=EAST_GRID,
        grid_name="花园路社区第2网格",
        community_code=COMMUNITY,
        community_name="花园路社区居委会",
        subdistrict_code=STREET,
        subdistrict_name="劝业场街道",
        district_code=DISTRICT,
        district_name="和平区",
    )
    assert found.outside is False


def test_a_point_outside_every_grid_is_an_explicit_outside_result(tree):
    found = service.locate(*NOWHERE)
    assert found.outside is True
    assert found.as_dict() == {"outside": True}


def test_special_grids_are_not_what_a_point_is_located_in(tree):
    assert service.locate(117.15, 39.11).grid_code == WEST_GRID


def test_a_point_on_the_edge_between_two_grids_goes_to_the_east_one(tree):
    assert service.locate(117.2, 39.11).grid_code == EAST_GRID


@pytest.mark.parametrize("crs,convert", [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_shifted_input_lands_in_the_same_grid_as_its_wgs84_equivalent(tree, crs, convert):
    # 117.199 is ~85 m west of the shared edge: the raw GCJ-02/BD-09 values lie several
    # hundred metres east, in the other grid, so only a real conversion passes.
    wgs = (117.199, 39.11)
    shifted = convert(*wgs)
    assert service.locate(*shifted).grid_code == EAST_GRID  # read as if it were WGS-84
    assert service.locate(*shifted, crs=crs) == service.locate(*wgs)
    assert service.locate(*wgs).grid_code == WEST_GRID


def test_locate_many_answers_each_point_in_order(tree):
    found = service.locate_many([IN_WEST, NOWHERE, IN_EAST])
    assert [f.grid_code for f in found] == [WEST_GRID, "", EAST_GRID]
    assert found[1].outside is True
    gcj = [wgs84_to_gcj02(*IN_WEST), wgs84_to_gcj02(*IN_EAST)]
    assert [f.grid_code for f in service.locate_many(gcj, crs="gcj02")] == [WEST_GRID, EAST_GRID]


def test_an_unknown_crs_is_refused(tree):
    with pytest.raises(ValueError, match="crs"):
        service.locate(*IN_WEST, crs="epsg:3857")
    with pytest.raises(ValueError, match="crs"):
        service.locate_many([IN_WEST], crs="mercator")


def test_the_index_is_built_once_and_rebuilt_after_a_reset(tree, django_assert_num_queries):
    service.locate(*IN_WEST)
    with django_assert_num_queries(0):
        service.locate(*IN_EAST)
    tree.east.delete()
    assert service.locate(*IN_EAST).grid_code == EAST_GRID  # still the old index
    service.reset_index()
    assert service.locate(*IN_EAST).outside is True


def test_concurrent_first_calls_build_the_index_only_once(monkeypatch):
    built = []

    def slow_build():
        time.sleep(0.05)
        built.append(1)
        return service.GridIndex(service.LocateIndex.build([]), ())

    monkeypatch.setattr(service, "build_index", slow_build)
    threads = [threading.Thread(target=service.get_index) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built) == 1


def test_the_command_prints_the_grid_as_json(tree):
    assert run_locate(str(IN_WEST[0]), str(IN_WEST[1])) == {
        "grid_code": WEST_GRID,
        "grid_name": "花园路社区第1网格",
        "community_code": COMMUNITY,
        "community_name": "花园路社区居委会",
        "subdistrict_code": STREET,
        "subdistrict_name": "劝业场街道",
        "district_code": DISTRICT,
        "district_name": "和平区",
    }


def test_the_command_prints_outside_for_a_point_outside(tree):
    assert run_locate(str(NOWHERE[0]), str(NOWHERE[1])) == {"outside": True}
    assert run_locate("-74.0", "40.7") == {"outside": True}


def test_the_command_converts_gcj02_input(tree):
    lng, lat = wgs84_to_gcj02(*IN_WEST)
    assert run_locate(str(lng), str(lat), "--crs", "gcj02")["grid_code"] == WEST_GRID


@pytest.mark.parametrize(
    "lng,lat,message",
    [("abc", "39.1", "不是有效的数字"), ("117.2", "nan", "超出范围"), ("200", "39.1", "超出范围")],
)
def test_the_command_rejects_invalid_numbers(tree, lng, lat, message):
    with pytest.raises(CommandError, match=message):
        call_command("locate", lng, lat)


def test_the_command_rejects_an_unknown_crs(tree):
    with pytest.raises(CommandError):
        call_command("locate", "117.15", "39.11", "--crs", "mercator")


def test_rebuilding_grids_makes_the_next_locate_see_the_new_grids(
    heping_city, django_capture_on_commit_callbacks
):
    """The index is cached per process; writing grids must not leave it stale."""
    from jiceng.jurisdictions.gridgen import build_demo_grids
    from jiceng.jurisdictions.locate import get_index

    before = get_index()
    with django_capture_on_commit_callbacks(execute=True):
        build_demo_grids()
    assert get_index() is not before


def test_a_grid_saved_one_by_one_as_the_admin_does_is_seen_by_the_next_locate(
    tree, django_capture_on_commit_callbacks
):
    assert service.locate(*IN_EAST).grid_code == EAST_GRID
    with django_capture_on_commit_callbacks(execute=True):
        tree.east.kind = GridKind.SPECIAL  # e.g. turned into a special grid in the admin
        tree.east.save()
    assert service.locate(*IN_EAST).outside


def test_a_deleted_grid_is_forgotten_by_the_index(tree, django_capture_on_commit_callbacks):
    assert service.locate(*IN_WEST).grid_code == WEST_GRID
    with django_capture_on_commit_callbacks(execute=True):
        tree.west.delete()
    assert service.locate(*IN_WEST).outside
