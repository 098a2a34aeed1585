import pytest
import shapely

from jiceng.jurisdictions.choices import GridKind, Kind, Level
from jiceng.jurisdictions.coverage import check_city_grids, grid_geoms
from jiceng.jurisdictions.geometry import area_m2, coverage_problems
from jiceng.jurisdictions.gridgen import build_demo_grids, partition, short_name
from jiceng.jurisdictions.models import Grid, Jurisdiction

NBS_2023_GRID_FLOOR = 21_408  # general grids Tianjin reports; the demo must not have fewer


def test_partition_gives_pieces_in_proportion_to_their_weights():
    square = shapely.box(117.0, 39.0, 117.1, 39.1)
    pieces = partition(square, [1.0, 2.0, 3.0, 6.0])
    shares = [p.area / square.area for p in pieces]
    assert shares == pytest.approx([1 / 12, 2 / 12, 3 / 12, 6 / 12], rel=0.02)
    assert shapely.union_all(pieces).equals(square)


def test_grid_names_use_the_short_community_name():
    assert short_name("花园路社区居委会") == "花园路社区"
    assert short_name("玉锦园社区居民委员会") == "玉锦园社区"
    assert short_name("北赵庄村委会") == "北赵庄村"
    assert short_name("中国民航大学社区") == "中国民航大学社区"


@pytest.mark.django_db
def test_generated_grids_leave_no_gap_and_no_overlap(heping_city, heping_tree):
    grids = grid_geoms(Grid.objects.general())
    coverage = coverage_problems(heping_tree.geometry, grids)
    assert coverage.gaps == [] and coverage.overlaps == []


@pytest.mark.django_db
def test_grid_codes_are_the_community_code_and_three_digits(heping_city):
    rows = list(Grid.objects.values_list("code", "community__code"))
    assert all(len(code) == 15 and code[:12] == community for code, community in rows)
    assert len({code for code, _ in rows}) == len(rows)


@pytest.mark.django_db
def test_every_community_has_a_general_grid(heping_city):
    communities = Jurisdiction.objects.filter(level=Level.COMMUNITY)
    without = communities.exclude(grids__kind=GridKind.GENERAL)
    assert communities.count() == 64 and not without.exists()
    assert heping_city["general_grids"] == Grid.objects.general().count()


@pytest.mark.django_db
def test_generation_is_deterministic(heping_city):
    first = dict(Grid.objects.values_list("code", "geometry_wkb"))
    build_demo_grids()
    second = dict(Grid.objects.values_list("code", "geometry_wkb"))
    assert {k: bytes(v) for k, v in first.items()} == {k: bytes(v) for k, v in second.items()}


@pytest.mark.django_db
def test_the_district_boundary_is_real_and_those_below_it_are_drawn(heping_city, heping_tree):
    below = Jurisdiction.objects.subtree(heping_tree).exclude(pk=heping_tree.pk)
    assert heping_tree.boundary_synthetic is False
    assert not below.filter(boundary_synthetic=False).exists()
    assert not below.filter(geometry_wkb=None).exists()
    assert Jurisdiction.objects.get(level=Level.CITY).boundary_synthetic  # only 和平区 loaded


@pytest.mark.django_db
def test_every_street_has_one_special_grid_inside_its_community(heping_city):
    specials = list(Grid.objects.filter(kind=GridKind.SPECIAL).select_related("community"))
    streets = Jurisdiction.objects.filter(kind=Kind.STREET)
    assert len(specials) == streets.count() == 6
    for grid in specials:
        assert grid.code.endswith("901") and "专属网格（" in grid.name
        assert 0 < grid.area_m2 <= 150 * 150 * 1.01
        assert grid.community.geometry.buffer(1e-9).covers(grid.geometry)


@pytest.mark.django_db
def test_stored_area_and_centre_describe_the_grid(heping_city):
    grid = Grid.objects.general().first()
    assert grid.area_m2 == pytest.approx(area_m2(grid.geometry), abs=0.1)
    assert grid.geometry.contains(shapely.Point(grid.center_lng, grid.center_lat))
    assert grid.synthetic and grid.name.endswith("第1网格")


@pytest.mark.slow
@pytest.mark.django_db
def test_the_whole_city_gets_enough_grids_and_no_gap_or_overlap():
    from django.core.management import call_command

    call_command("import_divisions", verbosity=0)
    result = build_demo_grids()
    coverage, count = check_city_grids()
    assert result["districts"] == 16 and not result["skipped_districts"]
    assert count == result["general_grids"] >= NBS_2023_GRID_FLOOR
    assert coverage.ok, (coverage.gaps[:5], coverage.overlaps[:5])
    assert not Jurisdiction.objects.get(level=Level.CITY).boundary_synthetic


def test_rebuilding_the_grids_keeps_grid_workers_on_their_grids(heping_city):
    from jiceng.accounts.actions import assign_post, create_user
    from jiceng.accounts.choices import Role
    from jiceng.jurisdictions.choices import PostKind
    from jiceng.jurisdictions.gridgen import build_demo_grids
    from jiceng.jurisdictions.models import Grid, Jurisdiction

    community = Jurisdiction.objects.get(code="120101001001")
    worker = create_user(username="w", role=Role.GRID_WORKER, jurisdiction=community)
    grid = Grid.objects.filter(community=community).order_by("code").first()
    post = assign_post(worker, kind=PostKind.GRID_WORKER, community=community, grids=[grid])
    build_demo_grids()
    assert [g.code for g in post.grids.all()] == [grid.code]
    assert post.grids.get().pk != grid.pk  # a new row, found again by its code
