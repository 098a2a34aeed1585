"""What FixMyStreet does against an Open311 server: read the services and a definition,
post a report with its attributes, read it back, and poll servicerequestupdates while the
people of jiceng work on it through the real actions."""

from datetime import datetime, timedelta
from xml.etree import ElementTree as ET

import pytest

from jiceng.cases import actions
from jiceng.cases.models import Case
from jiceng.cases.tests.fixtures import IN_GRID, run_to
from jiceng.lib.clock import now as clock_now

from .conftest import parse

pytestmark = pytest.mark.django_db


def xml(response) -> ET.Element:
    assert response.status_code == 200, response.content
    return ET.fromstring(response.content)


def window() -> dict:
    now = clock_now()
    return {
        "start_date": (now - timedelta(hours=1)).isoformat(),
        "end_date": (now + timedelta(hours=1)).isoformat(),
    }


def test_a_fixmystreet_like_client_follows_its_report_to_closure(o311, keys, rules, cast):
    services = xml(o311("get", "services", "xml", jurisdiction_id=cast.city.code))
    code = services.find("service").findtext("service_code")
    definition = xml(o311("get", f"services/{code}", "xml"))
    assert definition.find("attributes/attribute/code").text == "urgency"
    posted = xml(
        o311(
            "post",
            "requests",
            "xml",
            api_key=keys.ours,
            jurisdiction_id=cast.city.code,
            service_code=code,
            lat=IN_GRID[1],
            long=IN_GRID[0],
            email="reporter@example.com",
            first_name="Mei",
            last_name="Han",
            description="title: 垃圾\n\ndetail: 花园路垃圾堆放\n\nSubmitted via FixMyStreet",
            **{"attribute[urgency]": "normal"},
        )
    )
    number = posted.findtext("request/service_request_id")
    read = xml(o311("get", "requests", "xml", api_key=keys.ours, service_request_id=number))
    assert read.findtext("request/status") == "open"

    case = run_to(Case.objects.numbered(number), cast, "closed")
    updates = xml(o311("get", "servicerequestupdates", "xml", api_key=keys.ours, **window()))
    assert updates.tag == "service_requests_updates"
    rows = updates.findall("request_update")
    assert {r.findtext("service_request_id") for r in rows} == {number}
    assert [r.findtext("external_status_code") for r in rows] == [
        "received",
        "dispatched",
        "accepted",
        "in_progress",
        "replied",
        "verified",
        "closed",
    ]
    assert rows[-1].findtext("status") == "closed"
    assert all(r.findtext("status") == "open" for r in rows[:-1])
    assert "已清运" in rows[4].findtext("description")  # the reply's result
    assert cast.community.name in rows[1].findtext("description")
    ids = [r.findtext("update_id") for r in rows]
    assert len(set(ids)) == len(ids) and all(i.isdigit() for i in ids)
    for r in rows:
        assert datetime.fromisoformat(r.findtext("updated_datetime")).utcoffset() == timedelta(
            hours=8
        )
    detail = xml(o311("get", f"requests/{case.number}", "xml", api_key=keys.ours))
    assert detail.findtext("request/status_notes") == "已清运"


def test_updates_in_json_carry_the_spec_fields(o311, keys, reported):
    rows = parse(o311("get", "servicerequestupdates", api_key=keys.ours, **window()), "json")
    assert [r["external_status_code"] for r in rows] == ["received", "dispatched"]
    for r in rows:
        assert set(r) == {
            "update_id",
            "service_request_id",
            "status",
            "updated_datetime",
            "description",
            "media_url",
            "external_status_code",
        }
        assert isinstance(r["update_id"], str) and r["status"] == "open"


def test_the_neighbours_key_hears_no_update_of_ours(o311, keys, reported):
    rows = parse(o311("get", "servicerequestupdates", api_key=keys.theirs, **window()), "json")
    assert rows == []


def test_the_public_hears_updates_of_closed_requests_without_the_result(o311, reported, cast):
    run_to(reported, cast, "closed")
    rows = parse(o311("get", "servicerequestupdates", **window()), "json")
    assert rows and all("已清运" not in r["description"] for r in rows)


def test_updates_outside_the_window_are_not_sent(o311, keys, reported):
    past = {"start_date": "2020-01-01", "end_date": "2020-01-02"}
    assert parse(o311("get", "servicerequestupdates", api_key=keys.ours, **past), "json") == []
    response = o311("get", "servicerequestupdates", "xml", start_date="soon")
    assert response.status_code == 400


def test_the_updates_cost_the_same_queries_with_more_cases(
    o311, keys, reported, cast, catalogue, django_assert_num_queries
):
    o311("get", "servicerequestupdates", api_key=keys.ours)
    with django_assert_num_queries(3):
        o311("get", "servicerequestupdates", api_key=keys.ours)
    for n in range(4):
        case = actions.report_by_grid_worker(
            acting_user=cast.grid_worker,
            category=catalogue["garbage"],
            lng=IN_GRID[0],
            lat=IN_GRID[1],
            description=f"第{n}处",
        )
        actions.accept(case, acting_user=cast.secretary)
    with django_assert_num_queries(3):
        rows = parse(o311("get", "servicerequestupdates", api_key=keys.ours), "json")
    assert len(rows) == 2 + 4 * 3
