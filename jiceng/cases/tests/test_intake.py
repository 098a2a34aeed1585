import pytest

from jiceng.cases import actions
from jiceng.cases.choices import Source, Status
from jiceng.cases.models import Case
from jiceng.cases.photos import PhotoError
from jiceng.lib.crs import wgs84_to_gcj02

from .conftest import IN_GRID, JPEG

pytestmark = pytest.mark.django_db


def hotline(catalogue, **kw):
    defaults = dict(
        order_no="12345-20261121-0001",
        category=catalogue["garbage"],
        description="楼下垃圾无人清运",
        caller_name="王小二",
        caller_phone="13912345678",
        lng=IN_GRID[0],
        lat=IN_GRID[1],
    )
    return actions.receive_hotline_order(**(defaults | kw))


def test_the_same_hotline_order_twice_is_one_case(cast, catalogue, rules):
    first, created = hotline(catalogue)
    again, created_again = hotline(catalogue, description="重复推送")
    assert created and not created_again
    assert again.pk == first.pk
    assert Case.objects.filter(source=Source.HOTLINE).count() == 1
    assert first.caller_phone == "13912345678"


def test_a_hotline_order_without_a_point_stays_with_the_unit_it_names(cast, catalogue, rules):
    case, _ = hotline(
        catalogue, lng=None, lat=None, address="花园路5号", jurisdiction_code=cast.community.code
    )
    assert case.community == cast.community and case.grid is None
    assert case.status == Status.DISPATCHED


def test_a_hotline_order_nobody_can_place_waits_in_a_queue_not_the_void(cast, catalogue, rules):
    case, _ = hotline(catalogue, lng=None, lat=None, order_no="x-2")
    assert case.status == Status.RECEIVED and case.in_manual_queue
    assert case.path == ""


def test_a_point_outside_every_grid_is_kept_with_its_coordinates(cast, catalogue, rules):
    case = actions.report_patrol_finding(
        acting_user=cast.dispatcher,
        category=catalogue["garbage"],
        lng=120.0,
        lat=30.0,
        description="区外",
    )
    assert case.grid is None and case.lng == 120.0 and case.in_manual_queue


def test_a_gcj02_point_from_a_phone_lands_in_the_same_grid(cast, catalogue, rules):
    lng, lat = wgs84_to_gcj02(*IN_GRID)
    case = actions.report_by_grid_worker(
        acting_user=cast.grid_worker,
        category=catalogue["garbage"],
        lng=lng,
        lat=lat,
        description="手机定位",
        crs="gcj02",
    )
    assert case.grid == cast.grid
    assert abs(case.lng - IN_GRID[0]) < 1e-6


def test_a_resident_report_is_placed_in_their_community(cast, catalogue, rules):
    case = actions.report_by_resident(
        acting_user=cast.resident, category=catalogue["garbage"], description="楼道堆物"
    )
    assert case.community == cast.community and case.source == Source.RESIDENT
    assert case.caller_phone == cast.resident.phone


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_written(cast, catalogue, rules):
    with pytest.raises(PhotoError, match="只接受 JPEG、PNG 或 WebP"):
        actions.report_by_grid_worker(
            acting_user=cast.grid_worker,
            category=catalogue["garbage"],
            lng=IN_GRID[0],
            lat=IN_GRID[1],
            description="x",
            photos_in=[("virus.exe", b"MZ\x90\x00")],
        )
    assert not Case.objects.exists()


def test_a_photo_over_the_size_limit_is_refused_by_name(cast, catalogue, rules, settings):
    settings.JICENG_MAX_PHOTO_BYTES = 10
    with pytest.raises(PhotoError, match="big.jpg.*太大"):
        actions.report_by_grid_worker(
            acting_user=cast.grid_worker,
            category=catalogue["garbage"],
            lng=IN_GRID[0],
            lat=IN_GRID[1],
            description="x",
            photos_in=[("big.jpg", JPEG)],
        )


def test_an_empty_description_is_refused(cast, catalogue, rules):
    with pytest.raises(actions.CaseError, match="描述"):
        actions.report_by_grid_worker(
            acting_user=cast.grid_worker,
            category=catalogue["garbage"],
            lng=IN_GRID[0],
            lat=IN_GRID[1],
            description="  ",
        )
