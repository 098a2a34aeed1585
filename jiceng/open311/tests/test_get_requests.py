from datetime import datetime, timedelta

import pytest

from jiceng.cases import actions
from jiceng.cases.models import Case
from jiceng.cases.tests.fixtures import IN_GRID, IN_OTHER_GRID, run_to

from .conftest import items, parse, text

pytestmark = pytest.mark.django_db
FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
    "extended_attributes",
}


def report(cast, catalogue, where=IN_GRID, worker=None, text="小区门口垃圾堆放"):
    return actions.report_by_grid_worker(
        acting_user=worker or cast.grid_worker,
        category=catalogue["garbage"],
        lng=where[0],
        lat=where[1],
        description=text,
    )


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_key_reads_every_spec_field_with_the_spec_types(o311, keys, reported, cast, fmt):
    body = parse(o311("get", "requests", fmt, api_key=keys.ours), fmt)
    if fmt == "xml":
        assert body.tag == "service_requests" and [e.tag for e in body] == ["request"]
    (row,) = items(body, fmt)
    assert set(row) == FIELDS
    assert text(row["service_request_id"]) == reported.number
    assert text(row["status"]) == "open"
    assert text(row["agency_responsible"]) == cast.community.name
    assert text(row["description"]) == "小区门口垃圾堆放"
    assert text(row["address_id"]) == cast.grid.code
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        when = datetime.fromisoformat(text(row[name]))
        assert when.utcoffset() == timedelta(hours=8)
    if fmt == "json":
        assert isinstance(row["service_request_id"], str)
        assert isinstance(row["lat"], float) and isinstance(row["long"], float)
        assert row["extended_attributes"] == {
            "jiceng_status": "dispatched",
            "jiceng_status_label": "已派单",
        }
        assert row["zipcode"] is None
    else:
        assert float(row["lat"].text) == IN_GRID[1]
        assert row["extended_attributes"].findtext("jiceng_status") == "dispatched"


def test_no_caller_data_is_ever_read(o311, keys, rules, cast):
    actions.receive_hotline_order(
        order_no="T-1",
        category=rules[0].category,
        description="楼道堆物",
        caller_name="王小明",
        caller_phone="13811112222",
        lng=IN_GRID[0],
        lat=IN_GRID[1],
    )
    body = o311("get", "requests", api_key=keys.ours).content.decode()
    assert "王小明" not in body and "13811112222" not in body and "2222" not in body


def test_a_key_of_our_street_never_sees_the_neighbours_requests(o311, keys, cast, catalogue):
    ours = report(cast, catalogue)
    theirs = report(cast, catalogue, IN_OTHER_GRID, cast.other_worker, "小白楼井盖缺失")
    rows = parse(o311("get", "requests", api_key=keys.ours), "json")
    assert [r["service_request_id"] for r in rows] == [ours.number]
    response = o311("get", f"requests/{theirs.number}", api_key=keys.ours)
    assert response.status_code == 404
    listed = o311("get", "requests", api_key=keys.ours, service_request_id=theirs.number)
    assert parse(listed, "json") == []
    theirs_rows = parse(o311("get", "requests", api_key=keys.theirs), "json")
    assert [r["service_request_id"] for r in theirs_rows] == [theirs.number]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_invalid_key_is_refused_403_also_for_reading(o311, keys, reported, fmt):
    response = o311("get", "requests", fmt, api_key="jck_wrong")
    assert response.status_code == 403
    assert o311("get", f"requests/{reported.number}", fmt, api_key="x").status_code == 403


def test_the_public_reads_closed_requests_only_without_their_text(o311, reported, cast, catalogue):
    open_one = report(cast, catalogue)
    closed = run_to(reported, cast, "closed")
    rows = parse(o311("get", "requests"), "json")
    assert [r["service_request_id"] for r in rows] == [closed.number]
    (row,) = rows
    assert row["status"] == "closed" and row["description"] is None
    assert row["status_notes"] == "已结案"  # not the handler's words
    assert row["lat"] == round(IN_GRID[1], 3)
    assert o311("get", f"requests/{open_one.number}").status_code == 404
    assert o311("get", f"requests/{closed.number}").status_code == 200


def test_filters_by_id_list_service_status_and_dates(o311, keys, reported, cast, catalogue):
    road = actions.report_by_grid_worker(
        acting_user=cast.grid_worker,
        category=catalogue["road"],
        lng=IN_GRID[0],
        lat=IN_GRID[1],
        description="路面坑洼",
    )
    closed = run_to(reported, cast, "closed")

    def ids(**params):
        rows = parse(o311("get", "requests", api_key=keys.ours, **params), "json")
        return sorted(r["service_request_id"] for r in rows)

    assert ids() == sorted([road.number, closed.number])
    assert ids(service_code="0602") == [road.number]
    assert ids(service_code="0601,0602") == sorted([road.number, closed.number])
    assert ids(status="closed") == [closed.number]
    assert ids(status="open") == [road.number]
    assert ids(service_request_id=f"{road.number},2000010100000001") == [road.number]
    tomorrow = (datetime.now() + timedelta(days=1)).date().isoformat()
    assert ids(start_date=tomorrow) == []
    assert ids(end_date="2020-01-01T00:00:00+08:00") == []


def test_the_default_window_is_ninety_days(o311, keys, reported):
    Case.objects.filter(pk=reported.pk).update(
        received_at=reported.received_at - timedelta(days=91)
    )
    assert parse(o311("get", "requests", api_key=keys.ours), "json") == []
    old = (reported.received_at - timedelta(days=92)).isoformat()
    rows = parse(o311("get", "requests", api_key=keys.ours, start_date=old), "json")
    assert len(rows) == 1


@pytest.mark.parametrize(
    "params, named",
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"status": "pending"}, "status"),
        ({"start_date": "2026-02-01", "end_date": "2026-01-01"}, "start_date"),
    ],
)
def test_bad_filters_are_a_400_naming_the_parameter(o311, keys, params, named):
    response = o311("get", "requests", "xml", api_key=keys.ours, **params)
    assert response.status_code == 400
    assert named in parse(response, "xml").findtext("error/description")


def test_the_list_costs_the_same_queries_with_more_requests(
    o311, keys, reported, cast, catalogue, django_assert_num_queries
):
    o311("get", "requests", api_key=keys.ours)  # the key's first use is stamped once
    # The key with its user, the area's path, the rows (each with its last update).
    with django_assert_num_queries(3):
        o311("get", "requests", api_key=keys.ours)
    for n in range(5):
        report(cast, catalogue, text=f"第{n}处垃圾")
    with django_assert_num_queries(3):
        assert len(parse(o311("get", "requests", api_key=keys.ours), "json")) == 6
