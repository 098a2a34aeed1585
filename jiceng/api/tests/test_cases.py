"""Cases through the API: intake per source, the list's filters and cursor, the detail,
and the lifecycle actions with the pages' forms and answers."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from jiceng.cases import actions
from jiceng.cases.models import Case
from jiceng.cases.tests.fixtures import IN_GRID, JPEG, run_to


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def report(**extra) -> dict:
    body = {"category": "0601", "description": "楼道堆放杂物", "lng": IN_GRID[0], "lat": IN_GRID[1]}
    return body | extra


def test_a_grid_worker_reports_with_photos_as_multipart(cast, rules, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg")
    body = report(source="grid_report", photos=[photo])
    response = api(cast.grid_worker).post("/api/v1/cases/", body, format="multipart")
    assert response.status_code == 201, response.json()
    case = Case.objects.get()
    assert case.source == "grid_report" and case.photos.count() == 1
    assert response["Location"] == response.json()["url"]  # the detail lists the photos
    detail = api(cast.grid_worker).get(response["Location"]).json()
    assert detail["photos"][0]["url"].startswith(f"/api/v1/cases/{case.number}/photos/")


def test_a_resident_and_a_secretary_report_under_their_own_sources(cast, rules, api):
    mine = api(cast.resident).post("/api/v1/cases/", report(source="resident"), format="json")
    assert mine.status_code == 201 and mine.json()["source"] == "resident"
    found = api(cast.secretary).post("/api/v1/cases/", report(source="patrol"), format="json")
    assert found.status_code == 201 and found.json()["source"] == "patrol"


def test_a_report_under_another_roles_source_is_refused(cast, rules, api):
    response = api(cast.resident).post("/api/v1/cases/", report(source="patrol"), format="json")
    assert response.status_code == 403
    assert "群众自报" in response.json()["error"]["message"]


def test_a_bad_report_names_the_wrong_fields_in_chinese(cast, rules, api):
    body = report(source="grid_report", category="9999", lng=500)
    response = api(cast.grid_worker).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["category"] == ["没有这个事项类别，请重新选择"]
    assert "lng" in fields
    assert not Case.objects.exists()


def test_the_list_filters_by_status_category_group_source_and_time(cast, rules, reported, api):
    client = api(cast.dispatcher)
    assert numbers(client, status="dispatched") == [reported.number]
    assert numbers(client, status="closed") == []
    assert numbers(client, category="06") == [reported.number]  # the 大类 holds its 小类
    assert numbers(client, category="0602") == []
    assert numbers(client, source="hotline") == []
    assert numbers(client, grid=cast.grid.code) == [reported.number]
    assert numbers(client, overdue="false") == [reported.number]
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    assert numbers(client, received_after=later) == []
    assert numbers(client, updated_since=later) == []
    assert numbers(client, received_before=later) == [reported.number]


def test_an_unknown_filter_value_is_a_clear_400(cast, reported, api):
    response = api(cast.dispatcher).get("/api/v1/cases/", {"status": "lost", "category": "77"})
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def numbers(client, **params) -> list[str]:
    response = client.get("/api/v1/cases/", params)
    assert response.status_code == 200, response.json()
    return [row["number"] for row in response.json()["results"]]


def test_the_cursor_pages_through_every_case_once(cast, rules, api):
    made = [grid_report(cast, n) for n in range(5)]
    client, seen, url = api(cast.dispatcher), [], "/api/v1/cases/?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [row["number"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(c.number for c in made) and len(seen) == 5


def grid_report(cast, n: int, category=None) -> Case:
    from jiceng.cases.models import Category

    return actions.report_by_grid_worker(
        acting_user=cast.grid_worker,
        category=category or Category.objects.get(code="0601"),
        lng=IN_GRID[0],
        lat=IN_GRID[1],
        description=f"第{n}处垃圾",
    )


def test_the_detail_has_the_timeline_photos_and_the_users_actions(cast, reported, api):
    data = api(cast.secretary).get(f"/api/v1/cases/{reported.number}/").json()
    assert [e["action"] for e in data["events"]] == ["receive", "dispatch"]
    assert len(data["photos"]) == 1
    assert "accept" in data["actions"] and "dispatch" not in data["actions"]


def test_an_action_uses_the_pages_form_and_returns_the_case(cast, reported, api):
    client = api(cast.secretary)
    url = f"/api/v1/cases/{reported.number}/actions/"
    assert client.post(url + "accept/", {"version": 0}, format="json").status_code == 200
    assert client.post(url + "start/").status_code == 200
    response = client.post(url + "reply/", {"result": "已清运完毕"}, format="json")
    assert response.status_code == 200
    assert response.json()["case"]["status"] == "replied"


def test_an_illegal_or_stale_action_answers_409_and_changes_nothing(cast, reported, api):
    client = api(cast.secretary)
    url = f"/api/v1/cases/{reported.number}/actions/"
    response = client.post(url + "start/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "illegal_transition"
    actions.urge(reported, acting_user=cast.dispatcher, note="请尽快签收")  # version 1 now
    stale = client.post(url + "accept/", {"version": 0}, format="json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    assert Case.objects.get().status == "dispatched"


def test_an_action_with_a_missing_field_answers_400_with_the_field(cast, reported, api):
    case = run_to(reported, cast, "accepted")
    response = api(cast.secretary).post(f"/api/v1/cases/{case.number}/actions/return/")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


def test_someone_with_no_part_in_a_step_gets_403(cast, reported, api):
    response = api(cast.grid_worker).post(f"/api/v1/cases/{reported.number}/actions/accept/")
    assert response.status_code == 403


def test_the_dispatcher_whistles_and_the_clerk_reports_in(cast, reported, api):
    url = f"/api/v1/cases/{reported.number}/actions/"
    body = {"departments": [cast.department.pk], "reason": "joint_enforcement", "note": "联合执法"}
    response = api(cast.dispatcher).post(url + "whistle/", body, format="json")
    assert response.status_code == 200, response.json()
    whistles = api(cast.clerk).get("/api/v1/whistles/").json()["results"]
    assert (
        whistles[0]["case"] == reported.number and whistles[0]["summons"][0]["reported_at"] is None
    )
    assert (
        api(cast.clerk).post(url + "report_in/", {"note": "已到场"}, format="json").status_code
        == 200
    )
    whistle = api(cast.dispatcher).get(f"/api/v1/whistles/{whistles[0]['id']}/").json()
    assert whistle["summons"][0]["reported_at"] is not None


def hotline(cast, rules):
    case, _created = actions.receive_hotline_order(
        order_no="GD1",
        category=rules[0].category,
        description="噪音扰民",
        caller_name="王小明",
        caller_phone="13912345678",
        lng=IN_GRID[0],
        lat=IN_GRID[1],
    )
    return case


def test_callers_are_masked_in_lists_and_details(cast, rules, api):
    case = hotline(cast, rules)
    client = api(cast.dispatcher)
    row = client.get("/api/v1/cases/").json()["results"][0]
    assert (row["caller_name"], row["caller_phone"]) == ("王*明", "139****5678")
    detail = client.get(f"/api/v1/cases/{case.number}/?unmask=1").json()
    assert detail["caller_phone"] == "139****5678"  # asked, but no permission


def test_unmasking_needs_the_permission_and_the_request_and_is_logged(
    cast, rules, api, audit_lines
):
    case = hotline(cast, rules)
    cast.dispatcher.user_permissions.add(Permission.objects.get(codename="unmask_personal_data"))
    client = api(type(cast.dispatcher).objects.get(pk=cast.dispatcher.pk))
    assert client.get(f"/api/v1/cases/{case.number}/").json()["caller_phone"] == "139****5678"
    detail = client.get(f"/api/v1/cases/{case.number}/?unmask=1").json()
    assert detail["caller_phone"] == "13912345678"
    assert any("personal data unmasked: user=dispatcher" in line for line in audit_lines)
    assert not any("13912345678" in line for line in audit_lines)


def test_the_list_runs_a_fixed_number_of_queries(cast, rules, api, django_assert_num_queries):
    client = api(cast.dispatcher)
    grid_report(cast, 0)
    client.get("/api/v1/cases/")
    with django_assert_num_queries(1) as few:
        assert len(client.get("/api/v1/cases/").json()["results"]) == 1
    for n in range(1, 8):
        grid_report(cast, n)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/cases/").json()["results"]) == 8


def test_the_answer_to_a_report_is_brief_and_says_where_the_case_is(cast, rules, api):
    response = api(cast.grid_worker).post("/api/v1/cases/", report(source="grid_report"))
    body = response.json()
    case = Case.objects.get()
    assert response.status_code == 201 and response["Location"] == body["url"]
    assert body["number"] == case.number and body["status"] == case.status
    assert body["category"] == case.category.code and body["version"] == case.version
    assert "caller_phone" not in body and "description" not in body  # nothing personal


@pytest.mark.parametrize("source", ["grid_report", "hotline"])
def test_the_brief_answer_is_exactly_what_the_schema_s_serializer_says(cast, rules, api, source):
    from jiceng.api.serializers import CaseCreatedSerializer

    sender = cast.grid_worker if source == "grid_report" else cast.dispatcher
    fields = {"order_no": "brief-1"} if source == "hotline" else {}
    body = api(sender).post("/api/v1/cases/", report(source=source, **fields)).json()
    assert body == CaseCreatedSerializer(Case.objects.get()).data
