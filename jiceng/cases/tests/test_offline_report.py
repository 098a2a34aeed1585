"""Reporting from a phone: every report carries a client key, so a report the phone sends
again (its answer was lost, or two tabs sent it at once) is one case; the outbox gets
JSON answers; a grid worker may name the resident whose request it is by phone."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiceng.accounts.actions import create_user
from jiceng.accounts.choices import Role
from jiceng.cases import actions
from jiceng.cases.forms import NO_RESIDENT
from jiceng.cases.models import Case, CaseEvent, CasePhoto

from .fixtures import IN_GRID, IN_OTHER_GRID, JPEG
from .test_concurrency import race

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def grid_report(cast, catalogue, key, **extra):
    arguments = {
        "acting_user": cast.grid_worker,
        "category": catalogue["garbage"],
        "lng": IN_GRID[0],
        "lat": IN_GRID[1],
        "description": "小区门口垃圾堆放",
        "photos_in": [("a.jpg", JPEG)],
        "client_key": key,
    }
    return actions.report_by_grid_worker(**(arguments | extra))


def form_data(**extra) -> dict:
    data = {
        "category": "0601",
        "description": "健康路垃圾堆放",
        "lng": IN_GRID[0],
        "lat": IN_GRID[1],
        "crs": "wgs84",
        "photos": [SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg")],
        "client_key": str(uuid.uuid4()),
    }
    return data | extra


# --- exactly once -------------------------------------------------------------------------


def test_the_same_report_sent_twice_is_one_case(cast, catalogue, rules):
    key = uuid.uuid4()
    first = grid_report(cast, catalogue, key)
    again = grid_report(cast, catalogue, str(key), description="重发的同一条")
    assert first.created and not again.created
    assert again.pk == first.pk and again.description == "小区门口垃圾堆放"
    assert Case.objects.count() == 1 and CasePhoto.objects.count() == 1
    assert CaseEvent.objects.filter(case=first, action="receive").count() == 1


def test_a_key_belongs_to_its_reporter(cast, catalogue, rules):
    key = uuid.uuid4()
    mine = grid_report(cast, catalogue, key)
    theirs = grid_report(cast, catalogue, key, acting_user=cast.other_worker, lng=IN_OTHER_GRID[0])
    assert theirs.pk != mine.pk and theirs.created


def test_reports_without_a_key_are_never_merged(cast, catalogue, rules):
    grid_report(cast, catalogue, None)
    grid_report(cast, catalogue, None)
    assert Case.objects.count() == 2


def test_a_malformed_key_is_refused_by_name(cast, catalogue, rules):
    with pytest.raises(actions.CaseError, match="客户端编号“abc”格式不正确"):
        grid_report(cast, catalogue, "abc")


def test_every_intake_from_a_person_honours_the_key(cast, catalogue, rules):
    key = uuid.uuid4()
    for _ in range(2):
        actions.report_by_resident(
            acting_user=cast.resident,
            category=catalogue["garbage"],
            description="楼道堆物",
            client_key=key,
        )
        actions.report_patrol_finding(
            acting_user=cast.dispatcher,
            category=catalogue["garbage"],
            lng=IN_GRID[0],
            lat=IN_GRID[1],
            description="巡查发现",
            client_key=key,
        )
    assert Case.objects.count() == 2


def test_when_two_sendings_race_the_second_returns_the_first(cast, catalogue, rules, monkeypatch):
    """Both sendings looked before either wrote: the unique key lets one insert win and
    the other hands back the winner's case, storing nothing."""
    key = uuid.uuid4()
    first = grid_report(cast, catalogue, key)
    checks = []
    real_check = actions._sent_before

    def looked_too_early(reporter, client_key):
        checks.append(client_key)
        return None if len(checks) == 1 else real_check(reporter, client_key)

    monkeypatch.setattr(actions, "_sent_before", looked_too_early)
    second = grid_report(cast, catalogue, key)
    assert len(checks) == 2  # the early look, then the one after the refused insert
    assert second.pk == first.pk and not second.created
    assert Case.objects.count() == 1 and CasePhoto.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_phones_tabs_sending_one_report_at_once_make_one_case(cast, catalogue, rules):
    """Real threads and connections: whichever looks or inserts first, one case."""
    key = uuid.uuid4()

    def send():
        return grid_report(cast, catalogue, key, photos_in=[])

    results = race(send, send)
    assert all(isinstance(r, Case) for r in results), results
    assert results[0].pk == results[1].pk
    assert sorted(r.created for r in results) == [False, True]
    assert Case.objects.filter(client_key=key).count() == 1


# --- the page and its JSON answers ----------------------------------------------------------


def test_the_outbox_gets_the_new_case_as_json(login, cast, catalogue, rules):
    data = form_data()
    response = login(cast.grid_worker).post(reverse("case-new"), data, **JSON)
    case = Case.objects.get()
    assert response.status_code == 201
    assert response.json() == {
        "number": case.number,
        "url": reverse("case", args=[case.number]),
        "created": True,
    }
    assert str(case.client_key) == data["client_key"] and case.reporter == cast.grid_worker


def test_sending_the_same_report_again_answers_with_the_first_case(login, cast, catalogue, rules):
    client = login(cast.grid_worker)
    key = str(uuid.uuid4())
    first = client.post(reverse("case-new"), form_data(client_key=key), **JSON).json()
    response = client.post(reverse("case-new"), form_data(client_key=key), **JSON)
    assert response.status_code == 200
    assert response.json() == first | {"created": False}
    assert Case.objects.count() == 1


def test_the_plain_form_sent_twice_says_it_was_received_before(login, cast, catalogue, rules):
    client = login(cast.grid_worker)
    key = str(uuid.uuid4())
    client.post(reverse("case-new"), form_data(client_key=key))
    response = client.post(reverse("case-new"), form_data(client_key=key), follow=True)
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == reverse("case", args=[case.number])
    assert "这条上报此前已收到" in response.content.decode()


def test_a_refused_report_answers_400_json_naming_the_problem(login, cast, catalogue, rules):
    client = login(cast.grid_worker)
    response = client.post(reverse("case-new"), form_data(description="", lng=""), **JSON)
    assert response.status_code == 400
    answer = response.json()
    assert "事件描述" in answer["error"] and "经度" in answer["error"]
    assert {"description", "lng"} <= set(answer["errors"])
    bad = SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(reverse("case-new"), form_data(photos=[bad]), **JSON)
    assert response.status_code == 400 and "照片格式不支持" in response.json()["error"]
    response = client.post(reverse("case-new"), form_data(self_resolved="on"), **JSON)
    assert response.status_code == 400 and "自处置必须上传处置后照片" in response.json()["error"]
    assert not Case.objects.exists()


def test_a_report_sent_after_the_session_ended_is_sent_to_the_login_page(client, cast, catalogue):
    response = client.post(reverse("case-new"), form_data(), **JSON)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Case.objects.exists()


def test_the_report_page_carries_what_it_needs_offline(login, cast, catalogue, rules):
    response = login(cast.grid_worker).get(reverse("case-new"))
    body = response.content.decode()
    catalogue_json = response.context["catalogue"]
    assert {"code": "0601", "name": "暴露垃圾", "group": "市容环境", "keywords": "垃圾,堆放"} in (
        catalogue_json
    )
    codes = [f["properties"]["code"] for f in response.context["grids"]["features"]]
    assert codes == [cast.grid.code]  # the worker's own grid, nobody else's
    assert cast.other_grid.code not in body and cast.second_grid.code not in body
    assert 'id="report-catalogue"' in body and 'id="report-grids"' in body
    assert 'capture="environment"' in body and "使用当前位置" in body
    assert '<optgroup label="06 市容环境">' in body  # the select works without JS
    key = response.context["form"]["client_key"].value()
    assert f'name="client_key" value="{key}"' in body and uuid.UUID(str(key))


# --- the resident whose request it is ---------------------------------------------------------


def test_a_grid_worker_names_the_resident_by_phone(login, cast, catalogue, rules):
    data = form_data(requester_phone=f" {cast.resident.phone} ")
    response = login(cast.grid_worker).post(reverse("case-new"), data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.requester == cast.resident and case.reporter == cast.grid_worker
    assert case.caller_phone == cast.resident.phone and case.caller_name == cast.resident.full_name


def test_only_a_resident_can_be_a_cases_requester(cast, catalogue, rules):
    with pytest.raises(actions.CaseError, match="不是在册的群众账号"):
        grid_report(cast, catalogue, None, requester=cast.secretary)
    assert not Case.objects.exists()


def test_an_unknown_phone_is_a_form_error_not_a_silent_drop(login, cast, catalogue, rules):
    response = login(cast.grid_worker).post(
        reverse("case-new"), form_data(requester_phone="13900000000")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["requester_phone"] == [NO_RESIDENT]
    assert str(NO_RESIDENT) in response.content.decode()
    assert not Case.objects.exists()


def test_a_resident_of_another_community_gets_the_same_answer_as_no_one(
    login, cast, catalogue, rules
):
    create_user(
        username="otherresident",
        role=Role.RESIDENT,
        password="x-pass-1234",
        jurisdiction=cast.other_community,
        phone="13902200909",
    )
    client = login(cast.grid_worker)
    unknown = client.post(reverse("case-new"), form_data(requester_phone="13900000000"))
    elsewhere = client.post(reverse("case-new"), form_data(requester_phone="13902200909"))
    # Nor may a pin dropped across the boundary ask who lives there.
    across = client.post(
        reverse("case-new"),
        form_data(requester_phone="13902200909", lng=IN_OTHER_GRID[0], lat=IN_OTHER_GRID[1]),
    )
    for response in (unknown, elsewhere, across):
        assert response.status_code == 400
        assert response.context["form"].errors["requester_phone"] == [NO_RESIDENT]
    assert not Case.objects.exists()


def test_a_resident_who_left_is_not_matched(login, cast, catalogue, rules):
    cast.resident.is_active = False
    cast.resident.save()
    response = login(cast.grid_worker).post(
        reverse("case-new"), form_data(requester_phone=cast.resident.phone)
    )
    assert response.status_code == 400 and not Case.objects.exists()


def test_a_residents_own_report_names_them_as_its_requester(login, cast, catalogue, rules):
    data = {"category": "0601", "description": "楼道堆物", "crs": "wgs84"}
    login(cast.resident).post(reverse("case-new"), data)
    case = Case.objects.get()
    assert case.requester == cast.resident and case.reporter == cast.resident


def test_only_a_grid_worker_is_asked_for_the_residents_phone(login, cast, catalogue, rules):
    for member in (cast.dispatcher, cast.resident, cast.secretary):
        form = login(member).get(reverse("case-new")).context["form"]
        assert "requester_phone" not in form.fields
    form = login(cast.grid_worker).get(reverse("case-new")).context["form"]
    assert "requester_phone" in form.fields
