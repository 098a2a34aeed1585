"""The case pages: the queue, one case with exactly its buttons, the action endpoint,
reporting, photos and the map, as the cast sees them."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jiceng.cases import actions
from jiceng.cases.choices import PhotoStage, Status
from jiceng.cases.forms import FORMS
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.transitions import TRANSITIONS

from .conftest import IN_GRID, IN_OTHER_GRID, JPEG, run_to

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def hotline(catalogue, order_no="12345-1", lnglat=IN_GRID, description="楼下垃圾无人清运"):
    case, _ = actions.receive_hotline_order(
        order_no=order_no,
        category=catalogue["garbage"],
        description=description,
        caller_name="王小二",
        caller_phone=PHONE,
        lng=lnglat[0],
        lat=lnglat[1],
    )
    return case


def page(client, case) -> str:
    return client.get(reverse("case", args=[case.number])).content.decode()


def act_url(case, action: str) -> str:
    return reverse("case-act", args=[case.number, action])


def button_names(response) -> list[str]:
    return [t.name for t, _form in response.context["actions"]]


# --- the queue ----------------------------------------------------------------------------


def test_the_queue_lists_only_visible_cases_and_never_a_raw_phone(login, cast, catalogue, rules):
    ours = hotline(catalogue)
    theirs = hotline(catalogue, "12345-2", IN_OTHER_GRID, "泰安道路口垃圾满溢")
    body = login(cast.dispatcher).get(reverse("case-queue")).content.decode()
    assert ours.number in body and "139****5678" in body and "王*二" in body
    assert theirs.number not in body and PHONE not in body


def test_a_resident_sees_only_their_own_cases_in_the_queue(login, cast, catalogue, rules):
    others = hotline(catalogue)
    mine = actions.report_by_resident(
        acting_user=cast.resident, category=catalogue["garbage"], description="楼道堆物"
    )
    body = login(cast.resident).get(reverse("case-queue")).content.decode()
    assert mine.number in body and others.number not in body
    assert cast.resident.phone not in body


def test_a_clerk_sees_the_department_cases_and_those_it_is_summoned_to(
    login, cast, catalogue, rules, reported
):
    road = actions.report_by_grid_worker(
        acting_user=cast.grid_worker,
        category=catalogue["road"],
        lng=IN_GRID[0],
        lat=IN_GRID[1],
        description="人行道地砖破损",
    )
    actions.blow_whistle(
        reported, acting_user=cast.dispatcher, departments=[cast.department], reason="emergency"
    )
    actions.blow_whistle(  # a second whistle: the case is still listed once
        reported, acting_user=cast.dispatcher, departments=[cast.department], reason="emergency"
    )
    response = login(cast.clerk).get(reverse("case-queue"))
    assert sorted(c.number for c in response.context["page"]) == [reported.number, road.number]
    assert {value: n for value, _label, n in response.context["counts"]} == {"dispatched": 2}


def test_the_queue_filters_and_counts_by_status(login, cast, catalogue, rules, reported):
    accepted = actions.accept(hotline(catalogue), acting_user=cast.secretary)
    client = login(cast.dispatcher)
    response = client.get(reverse("case-queue"), {"status": Status.ACCEPTED})
    assert [c.number for c in response.context["page"]] == [accepted.number]
    counts = {value: n for value, _label, n in response.context["counts"]}
    assert counts == {Status.DISPATCHED: 1, Status.ACCEPTED: 1}


def test_the_queue_shows_the_manual_queue_and_red_cards(login, cast, catalogue, rules, reported):
    queued = actions.report_patrol_finding(
        acting_user=cast.dispatcher,
        category=catalogue["group"],  # no rule for the 大类 itself: manual dispatch
        lng=IN_GRID[0],
        lat=IN_GRID[1],
        description="不明事项",
    )
    Case.objects.filter(pk=reported.pk).update(overdue=True)
    client = login(cast.dispatcher)
    manual = client.get(reverse("case-queue"), {"manual": "on"}).context["page"]
    assert [c.number for c in manual] == [queued.number]
    response = client.get(reverse("case-queue"), {"overdue": "on"})
    assert [c.number for c in response.context["page"]] == [reported.number]
    assert "红牌" in response.content.decode()


def test_the_queue_runs_a_fixed_number_of_queries(
    login, cast, catalogue, rules, django_assert_max_num_queries
):
    client = login(cast.dispatcher)
    hotline(catalogue)
    client.get(reverse("case-queue"))
    # Eleven: session, user, scope, inbox count, permissions (two: the unmask export
    # button), status counts (which give the total too), rows, saved filters, and the
    # category and grid choices of the filters.
    with django_assert_max_num_queries(11):
        client.get(reverse("case-queue"))
    for i in range(20):
        case = hotline(catalogue, f"more-{i}", description=f"第{i}处垃圾")
        if i % 2:
            actions.accept(case, acting_user=cast.secretary)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("case-queue"))
    assert len(response.context["page"]) == 21


# --- one case and its buttons -------------------------------------------------------------


def test_a_secretary_sees_accept_and_return_on_a_dispatched_case_but_not_close(
    login, cast, reported
):
    response = login(cast.secretary).get(reverse("case", args=[reported.number]))
    assert button_names(response) == ["accept", "return", "escalate"]
    body = response.content.decode()
    assert ">签收</button>" in body and ">退单</button>" in body
    assert ">结案</button>" not in body


def test_the_grid_worker_sees_no_buttons_until_the_reply_then_verify_or_reject(
    login, cast, reported
):
    client = login(cast.grid_worker)
    assert button_names(client.get(reverse("case", args=[reported.number]))) == []
    run_to(reported, cast, "replied")
    response = client.get(reverse("case", args=[reported.number]))
    assert button_names(response) == ["verify", "reject"]
    body = response.content.decode()
    assert ">核查通过</button>" in body and ">核查不通过</button>" in body


def test_the_detail_page_shows_the_timeline_and_photos(login, cast, reported):
    body = page(login(cast.dispatcher), reported)
    assert "小区门口垃圾堆放" in body
    assert "受理" in body and "派单" in body and cast.grid_worker.full_name in body
    photo = reported.photos.get()
    assert reverse("case-photo", args=[reported.number, photo.pk]) in body


def test_the_detail_page_runs_a_fixed_number_of_queries(
    login, cast, catalogue, rules, django_assert_max_num_queries
):
    case = hotline(catalogue)
    client = login(cast.dispatcher)
    url = reverse("case", args=[case.number])
    client.get(url)
    with django_assert_max_num_queries(15):
        client.get(url)
    for i in range(10):
        hotline(catalogue, f"near-{i}")  # ten duplicates to suggest
        case = actions.urge(case, acting_user=cast.dispatcher, note=f"第{i}次催办")
    actions.blow_whistle(
        case, acting_user=cast.dispatcher, departments=[cast.department], reason="beyond_power"
    )
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert len(response.context["duplicates"]) == 10


# --- the action endpoint ------------------------------------------------------------------


def test_an_action_redirects_back_with_a_message_and_writes_the_timeline(login, cast, reported):
    client = login(cast.secretary)
    response = client.post(
        act_url(reported, "return"), {"reason": "不属于本社区", "version": reported.version}
    )
    assert response.status_code == 302 and response["Location"] == page_url(reported)
    reported.refresh_from_db()
    assert reported.status == Status.RETURNED
    assert reported.events.last().note == "不属于本社区"
    assert "“退单”已完成" in client.get(page_url(reported)).content.decode()


def page_url(case) -> str:
    return reverse("case", args=[case.number])


def test_a_reply_carries_its_photos(login, cast, reported):
    case = run_to(reported, cast, "in_progress")
    photo = SimpleUploadedFile("after.jpg", JPEG, content_type="image/jpeg")
    data = {"result": "已清运", "photos": [photo], "version": case.version}
    response = login(cast.secretary).post(act_url(case, "reply"), data)
    assert response.status_code == 302
    assert case.photos.filter(stage=PhotoStage.REPLY).count() == 1


def test_an_illegal_action_answers_409_in_chinese_and_writes_nothing(login, cast, reported):
    before = CaseEvent.objects.count()
    response = login(cast.dispatcher).post(
        act_url(reported, "close"), {"version": reported.version}
    )
    assert response.status_code == 409
    assert "事件当前状态为“已派单”，不能结案" in response.content.decode()
    assert CaseEvent.objects.count() == before
    reported.refresh_from_db()
    assert reported.status == Status.DISPATCHED


def test_a_stale_version_answers_409(login, cast, reported):
    actions.urge(reported, acting_user=cast.dispatcher, note="请尽快签收")  # version 0 → 1
    response = login(cast.secretary).post(
        act_url(reported, "accept"), {"version": reported.version}
    )
    assert response.status_code == 409
    assert "该事件已被他人更新" in response.content.decode()
    reported.refresh_from_db()
    assert reported.status == Status.DISPATCHED


def test_a_user_with_no_part_in_the_step_is_refused_with_403(login, cast, reported):
    before = CaseEvent.objects.count()
    response = login(cast.grid_worker).post(
        act_url(reported, "accept"), {"version": reported.version}
    )
    assert response.status_code == 403
    assert "您无权对该事件执行“签收”" in response.content.decode()
    assert CaseEvent.objects.count() == before


def test_bad_input_answers_400_with_the_field(login, cast, reported):
    client = login(cast.secretary)
    response = client.post(act_url(reported, "return"), {"version": reported.version, "reason": ""})
    assert response.status_code == 400
    assert "原因" in response.content.decode()


def test_json_clients_get_the_new_status_and_version(login, cast, reported):
    client = login(cast.secretary)
    response = client.post(
        act_url(reported, "accept"),
        {"version": reported.version},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200
    after = reported.version + 1
    assert json.loads(response.content) == {"ok": True, "status": "accepted", "version": after}
    again = client.post(act_url(reported, "accept") + "?format=json", {"version": after})
    assert again.status_code == 409
    assert json.loads(again.content) == {"error": "事件当前状态为“已签收”，不能签收"}


def test_an_unknown_action_is_404(login, cast, reported):
    response = login(cast.secretary).post(
        act_url(reported, "teleport"), {"version": reported.version}
    )
    assert response.status_code == 404


def test_actions_need_the_csrf_token(cast, reported):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.secretary)
    assert (
        client.post(act_url(reported, "accept"), {"version": reported.version}).status_code == 403
    )
    reported.refresh_from_db()
    assert reported.status == Status.DISPATCHED


def test_a_whistle_and_a_report_in_go_through_the_endpoint(login, cast, reported):
    v = reported.version
    data = {"departments": [cast.department.pk], "reason": "beyond_power", "version": v}
    assert login(cast.dispatcher).post(act_url(reported, "whistle"), data).status_code == 302
    clerk = login(cast.clerk)
    assert "待报到" in page(clerk, reported)
    stale = clerk.post(act_url(reported, "report_in"), {"note": "已到场", "version": v})
    assert stale.status_code == 409
    assert clerk.post(act_url(reported, "report_in"), {"version": v + 1}).status_code == 302
    assert reported.summons.get().reported_at is not None


def test_every_transition_has_a_form():
    assert set(FORMS) == set(TRANSITIONS)


# --- the neighbour and the caller ---------------------------------------------------------


def test_the_neighbour_gets_404_for_our_case_its_photos_map_and_actions(login, cast, reported):
    client = login(cast.neighbour)
    photo = reported.photos.get()
    for url in [
        reverse("case", args=[reported.number]),
        reverse("case-map", args=[reported.number]),
        reverse("case-photo", args=[reported.number, photo.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(act_url(reported, "dispatch"), {"version": reported.version}).status_code == 404
    )


def test_a_photo_is_served_to_those_who_see_the_case(login, cast, reported):
    photo = reported.photos.get()
    response = login(cast.secretary).get(reverse("case-photo", args=[reported.number, photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == JPEG


def test_the_map_holds_the_case_point_and_its_grid(login, cast, reported):
    response = login(cast.secretary).get(reverse("case-map", args=[reported.number]))
    features = json.loads(response.content)["features"]
    assert [f["properties"]["layer"] for f in features] == ["general", "case"]
    assert features[0]["properties"]["code"] == cast.grid.code
    assert features[1]["geometry"] == {"type": "Point", "coordinates": list(IN_GRID)}


def test_the_caller_is_masked_without_the_permission(login, cast, catalogue, rules, audit_lines):
    case = hotline(catalogue)
    body = page(login(cast.dispatcher), case)
    assert "139****5678" in body and "王*二" in body
    assert PHONE not in body and "王小二" not in body
    assert audit_lines == []


def test_unmasking_needs_the_permission_and_writes_an_audit_line(
    login, cast, catalogue, rules, audit_lines
):
    case = hotline(catalogue)
    permission = Permission.objects.get(codename="unmask_personal_data")
    cast.dispatcher.user_permissions.add(permission)
    body = page(login(cast.dispatcher), case)
    assert PHONE in body and "王小二" in body
    assert len(audit_lines) == 1
    assert case.number in audit_lines[0] and cast.dispatcher.username in audit_lines[0]
    assert PHONE not in audit_lines[0]


# --- reporting ----------------------------------------------------------------------------


def report_data(**extra) -> dict:
    photo = SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg")
    data = {
        "category": "0601",
        "description": "健康路垃圾堆放",
        "lng": IN_GRID[0],
        "lat": IN_GRID[1],
        "crs": "wgs84",
        "photos": [photo],
    }
    return data | extra


def test_a_grid_worker_files_a_report_through_the_form_and_it_is_dispatched(
    login, cast, catalogue, rules
):
    response = login(cast.grid_worker).post(reverse("case-new"), report_data())
    case = Case.objects.get(description="健康路垃圾堆放")
    assert response.status_code == 302 and response["Location"] == page_url(case)
    assert case.status == Status.DISPATCHED and case.assigned_jurisdiction == cast.community
    assert case.reporter == cast.grid_worker and case.photos.count() == 1


def test_a_grid_worker_can_close_a_self_resolved_report_with_an_after_photo(
    login, cast, catalogue, rules
):
    after = SimpleUploadedFile("b.jpg", JPEG, content_type="image/jpeg")
    data = report_data(self_resolved="on", after_photos=[after])
    login(cast.grid_worker).post(reverse("case-new"), data)
    case = Case.objects.get(description="健康路垃圾堆放")
    assert case.status == Status.CLOSED and case.self_resolved


def test_report_errors_are_shown_in_the_form(login, cast, catalogue, rules):
    client = login(cast.grid_worker)
    bad = SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(reverse("case-new"), report_data(photos=[bad]))
    assert response.status_code == 400
    assert "照片格式不支持" in response.content.decode()
    response = client.post(reverse("case-new"), report_data(lng=""))
    assert response.status_code == 400 and "lng" in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_resident_reports_without_a_point_and_a_dispatcher_reports_a_patrol_finding(
    login, cast, catalogue, rules
):
    data = {"category": "0601", "description": "楼道堆物", "crs": "wgs84"}
    login(cast.resident).post(reverse("case-new"), data)
    case = Case.objects.get(description="楼道堆物")
    assert case.source == "resident" and case.community == cast.community
    assert case.status == Status.DISPATCHED
    login(cast.dispatcher).post(reverse("case-new"), report_data(description="巡查发现垃圾"))
    assert Case.objects.get(description="巡查发现垃圾").source == "patrol"


def test_a_done_report_in_or_rating_leaves_no_button_behind(login, cast, reported):
    from jiceng.cases.choices import WhistleReason

    whistle = actions.blow_whistle(
        reported,
        acting_user=cast.dispatcher,
        departments=[cast.department],
        reason=WhistleReason.JOINT_ENFORCEMENT,
    )
    clerk = login(cast.clerk)
    assert "act/report_in/" in page(clerk, reported)
    summons = actions.report_in(whistle.summons.get(), acting_user=cast.clerk)
    assert "act/report_in/" not in page(clerk, reported)
    case = run_to(reported, cast, "closed")
    dispatcher = login(cast.dispatcher)
    assert "act/rate_department/" in page(dispatcher, case)
    actions.rate_department(summons, acting_user=cast.dispatcher, speed=5, attitude=5, result=5)
    assert "act/rate_department/" not in page(dispatcher, case)
