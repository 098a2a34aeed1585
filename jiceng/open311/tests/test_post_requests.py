from xml.etree import ElementTree as ET

import pytest

from jiceng.cases.choices import Source, Status, Urgency
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.tests.fixtures import IN_GRID, IN_OTHER_GRID

from .conftest import parse

pytestmark = pytest.mark.django_db


def post(o311, keys, fmt="json", **params):
    base = {
        "api_key": keys.ours,
        "service_code": "0601",
        "lat": IN_GRID[1],
        "long": IN_GRID[0],
        "first_name": "梅梅",
        "last_name": "韩",
        "phone": "13902200303",
        "email": "hmm@example.com",
        "description": "花园路12号门口垃圾三天没人清运",
    }
    return o311("post", "requests", fmt, **{**base, **params})


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_post_makes_a_resident_case_with_the_caller_fields(o311, keys, rules, cast, fmt):
    response = post(
        o311,
        keys,
        fmt,
        account_id="fms-77",
        media_url="https://fixmystreet.example/photo/1.jpeg",
        **{"attribute[urgency]": "urgent", "attribute[detail]": "靠近公交站"},
    )
    assert response.status_code == 200, response.content
    body = parse(response, fmt)
    if fmt == "xml":
        assert body.tag == "service_requests"
        number = body.findtext("request/service_request_id")
        assert body.findtext("request/account_id") == "fms-77"
        assert "小时内签收" in body.findtext("request/service_notice")
    else:
        (row,) = body
        number = row["service_request_id"]
        assert isinstance(number, str) and row["account_id"] == "fms-77"
    case = Case.objects.numbered(number)
    assert case.source == Source.RESIDENT
    assert case.reporter == keys_user(keys.ours)
    assert (case.caller_name, case.caller_phone) == ("韩梅梅", "13902200303")
    assert case.urgency == Urgency.URGENT
    assert case.community == cast.community and case.status == Status.DISPATCHED
    assert "靠近公交站" in case.description
    receipt = CaseEvent.objects.get(case=case, action="receive").data
    assert receipt["media_url"] == "https://fixmystreet.example/photo/1.jpeg"
    assert "hmm@example.com" not in str(receipt)  # the email is not kept


def keys_user(raw):
    from jiceng.api.keys import authenticate_key

    return authenticate_key(raw)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_post_without_a_key_or_with_a_wrong_one_is_refused_403(o311, keys, rules, fmt):
    for key in ("", "jck_not-a-key", keys.read_only):
        response = post(o311, keys, fmt, api_key=key)
        assert response.status_code == 403
        body = parse(response, fmt)
        code = body.findtext("error/code") if fmt == "xml" else body[0]["code"]
        assert str(code) == "403"
    assert not Case.objects.exists()


def test_a_point_in_the_neighbouring_street_is_refused_for_our_key(o311, keys, rules):
    response = post(o311, keys, lat=IN_OTHER_GRID[1], long=IN_OTHER_GRID[0])
    assert response.status_code == 400
    assert "服务区域" in parse(response, "json")[0]["description"]
    assert post(o311, keys, api_key=keys.theirs).status_code == 400
    assert not Case.objects.exists()


def test_a_point_outside_the_city_is_refused(o311, keys, rules):
    response = post(o311, keys, fmt="xml", lat=31.23, long=121.47)
    assert response.status_code == 400
    assert "不在本市任何网格内" in ET.fromstring(response.content).findtext("error/description")


def test_each_bad_field_is_named_in_its_own_error(o311, keys, rules):
    response = post(
        o311,
        keys,
        service_code="9999",
        lat="north",
        description="x" * 4001,
        media_url="not a url",
    )
    assert response.status_code == 400
    text = " ".join(e["description"] for e in parse(response, "json"))
    for name in ("service_code", "lat", "description", "media_url"):
        assert name in text
    assert not Case.objects.exists()


def test_a_bad_attribute_value_is_named(o311, keys, rules):
    response = post(o311, keys, **{"attribute[urgency]": "very"})
    assert response.status_code == 400
    assert "attribute[urgency]" in parse(response, "json")[0]["description"]


def test_a_request_needs_a_place(o311, keys, rules):
    response = post(o311, keys, lat="", long="")
    assert response.status_code == 400
    assert "address_string" in parse(response, "json")[0]["description"]


def test_an_address_string_alone_is_placed_in_the_key_street(o311, keys, rules, cast):
    response = post(o311, keys, lat="", long="", address_string="和平路与滨江道交口")
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.subdistrict == cast.street and case.address == "和平路与滨江道交口"
    assert case.lat is None and case.in_manual_queue


def test_an_address_id_names_a_grid_of_the_key_area(o311, keys, rules, cast):
    response = post(o311, keys, lat="", long="", address_id=cast.grid.code)
    assert response.status_code == 200
    assert Case.objects.get().grid == cast.grid
    response = post(o311, keys, lat="", long="", address_id=cast.other_grid.code)
    assert response.status_code == 400
