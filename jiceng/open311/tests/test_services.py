from xml.etree import ElementTree as ET

import pytest

from jiceng.cases.choices import CategoryKind, Urgency
from jiceng.cases.models import Category

from .conftest import items, parse, text

pytestmark = pytest.mark.django_db
FORMATS = ["xml", "json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_georeport_v2_endpoint_and_both_formats(o311, fmt):
    response = o311("get", "discovery", fmt)
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "xml":
        assert body.tag == "discovery"
        endpoint = body.find("endpoints/endpoint")
        assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
        assert [f.text for f in endpoint.findall("formats/format")] == [
            "text/xml",
            "application/json",
        ]
        assert endpoint.findtext("url").endswith("/open311/v2")
    else:
        endpoint = body["endpoints"][0]
        assert endpoint["formats"] == ["text/xml", "application/json"]
        assert endpoint["type"] == "production"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_active_small_categories_are_the_services_with_group_and_keywords(o311, catalogue, fmt):
    Category.objects.filter(code="0602").update(active=False)
    response = o311("get", "services", fmt)
    body = parse(response, fmt)
    if fmt == "xml":
        assert body.tag == "services" and {e.tag for e in body} == {"service"}
    rows = {text(r["service_code"]): r for r in items(body, fmt)}
    assert set(rows) == {"0601"}  # 大类 (06, 0901) and inactive 小类 are not services
    garbage = rows["0601"]
    assert set(garbage) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert text(garbage["service_name"]) == "暴露垃圾"
    assert text(garbage["group"]) == "市容环境"
    assert text(garbage["keywords"]) == "垃圾,堆放"
    assert text(garbage["type"]) == "realtime"
    if fmt == "json":
        assert garbage["metadata"] is True
    else:
        assert garbage["metadata"].text == "true"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_asks_urgency_and_detail(o311, catalogue, fmt):
    body = parse(o311("get", "services/0601", fmt), fmt)
    if fmt == "xml":
        assert body.tag == "service_definition"
        assert body.findtext("service_code") == "0601"
        attributes = body.findall("attributes/attribute")
        urgency = attributes[0]
        assert urgency.findtext("variable") == "true"
        assert urgency.findtext("datatype") == "singlevaluelist"
        assert urgency.findtext("required") == "false"
        assert urgency.findtext("order") == "1"
        assert [v.findtext("key") for v in urgency.findall("values/value")] == [
            "normal",
            "urgent",
            "emergency",
        ]
        assert attributes[1].findtext("code") == "detail"
        return
    attributes = body["attributes"]
    assert [a["code"] for a in attributes] == ["urgency", "detail"]
    for a in attributes:
        assert set(a) == {
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
            "values",
        }
        assert isinstance(a["order"], int) and isinstance(a["required"], bool)
    assert attributes[0]["values"][1] == {"key": "urgent", "name": "紧急"}


def test_an_emergency_category_does_not_ask_urgency_and_a_component_asks_its_number(
    o311, catalogue
):
    Category.objects.create(
        code="0902",
        name="燃气管道泄漏",
        kind=CategoryKind.EVENT,
        urgency=Urgency.EMERGENCY,
        parent=catalogue["group"],
    )
    codes = [a["code"] for a in parse(o311("get", "services/0902"), "json")["attributes"]]
    assert codes == ["detail"]
    Category.objects.create(
        code="0101",
        name="井盖破损",
        kind=CategoryKind.COMPONENT,
        parent=catalogue["group"],
    )
    codes = [a["code"] for a in parse(o311("get", "services/0101"), "json")["attributes"]]
    assert codes == ["urgency", "detail", "component_id"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_service_is_a_404_in_the_spec_error_format(o311, catalogue, fmt):
    response = o311("get", "services/9999", fmt)
    assert response.status_code == 404
    body = parse(response, fmt)
    if fmt == "xml":
        assert body.tag == "errors"
        assert body.findtext("error/code") == "404"
        assert "9999" in body.findtext("error/description")
    else:
        assert body[0]["code"] == 404 and "9999" in body[0]["description"]


def test_a_jurisdiction_id_must_be_our_city(o311, cast, catalogue):
    assert o311("get", "services", jurisdiction_id=cast.city.code).status_code == 200
    response = o311("get", "services", "xml", jurisdiction_id="310000000000")
    assert response.status_code == 404
    assert "310000000000" in ET.fromstring(response.content).findtext("error/description")


def test_the_services_list_costs_the_same_queries_with_more_categories(
    o311, catalogue, django_assert_num_queries
):
    with django_assert_num_queries(1):
        o311("get", "services")
    for n in range(10):
        Category.objects.create(
            code=f"07{n:02d}", name=f"新类{n}", kind=CategoryKind.EVENT, parent=catalogue["group"]
        )
    with django_assert_num_queries(1):
        assert len(parse(o311("get", "services"), "json")) == 12  # 0601, 0602 and ten more
