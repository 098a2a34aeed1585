"""Bulk dispatch from the queue: the ticked rows go to one unit, each through the
dispatch action on its own; refusals name the case and the reason, and a case the user
cannot see is refused in the same words as one that does not exist."""

import pytest
from django.urls import reverse

from jiceng.cases import actions
from jiceng.cases.choices import Status
from jiceng.cases.models import Case, CaseEvent

from .fixtures import IN_GRID, IN_OTHER_GRID

pytestmark = pytest.mark.django_db

BULK = "case-bulk-dispatch"
MISSING = "没有这个事件，或您无权查看"


def waiting(cast, catalogue, text="不明事项", lnglat=IN_GRID, by=None):
    """A case no rule covers: it waits in its subdistrict's manual queue (received)."""
    return actions.report_patrol_finding(
        acting_user=by or cast.dispatcher,
        category=catalogue["group"],
        lng=lnglat[0],
        lat=lnglat[1],
        description=text,
    )


def post(client, numbers, *, department=None, jurisdiction=None, next_query=""):
    data = {"number": numbers, "next": next_query}
    if department is not None:
        data["department"] = department.pk
    if jurisdiction is not None:
        data["jurisdiction"] = jurisdiction.pk
    return client.post(reverse(BULK), data)


def messages_of(client, response) -> str:
    return client.get(response["Location"]).content.decode()


def test_every_ticked_case_is_dispatched_with_its_own_timeline_row(login, cast, catalogue, rules):
    cases = [waiting(cast, catalogue, f"第{i}处") for i in range(3)]
    client = login(cast.dispatcher)
    response = post(client, [c.number for c in cases], jurisdiction=cast.community)
    assert response.status_code == 302
    for case in cases:
        case.refresh_from_db()
        assert case.status == Status.DISPATCHED and case.assigned_jurisdiction == cast.community
        assert case.events.filter(action="dispatch").count() == 1
    body = messages_of(client, response)
    assert "已派单 3 件：" + "、".join(c.number for c in cases) in body


def test_cases_go_to_a_department_too(login, cast, catalogue, rules):
    case = waiting(cast, catalogue)
    post(login(cast.dispatcher), [case.number], department=cast.department)
    case.refresh_from_db()
    assert case.assigned_department == cast.department and case.status == Status.DISPATCHED


def test_one_refused_case_is_named_with_its_reason_and_the_others_go_through(
    login, cast, catalogue, rules, reported
):
    fresh = waiting(cast, catalogue)
    client = login(cast.dispatcher)
    response = post(client, [fresh.number, reported.number], jurisdiction=cast.community)
    fresh.refresh_from_db()
    assert fresh.status == Status.DISPATCHED
    body = messages_of(client, response)
    assert f"已派单 1 件：{fresh.number}" in body
    assert f"未派单 {reported.number}：事件当前状态为“已派单”，不能派单" in body


def test_a_neighbours_case_is_refused_exactly_like_a_missing_one(login, cast, catalogue, rules):
    theirs = waiting(cast, catalogue, "泰安道不明事项", IN_OTHER_GRID, by=cast.neighbour)
    ours = waiting(cast, catalogue)
    missing = ours.number[:8] + "99999999"
    client = login(cast.dispatcher)
    before = CaseEvent.objects.count()
    response = post(client, [theirs.number, missing], jurisdiction=cast.community)
    body = messages_of(client, response)
    assert f"未派单 {theirs.number}：{MISSING}" in body
    assert f"未派单 {missing}：{MISSING}" in body
    assert "泰安道" not in body
    theirs.refresh_from_db()
    assert theirs.status == Status.RECEIVED and CaseEvent.objects.count() == before


def test_a_unit_outside_the_cases_subdistrict_is_refused_for_that_case(
    login, cast, catalogue, rules
):
    ours = waiting(cast, catalogue)
    theirs = waiting(cast, catalogue, "泰安道不明事项", IN_OTHER_GRID, by=cast.neighbour)
    client = login(cast.district_leader)  # sees both streets
    response = post(client, [ours.number, theirs.number], jurisdiction=cast.community)
    body = messages_of(client, response)
    assert f"已派单 1 件：{ours.number}" in body
    assert f"未派单 {theirs.number}：“花园路社区居委会”不在该事件所在的街道内" in body
    theirs.refresh_from_db()
    assert theirs.status == Status.RECEIVED


def test_someone_who_may_not_dispatch_is_refused_case_by_case(login, cast, catalogue, rules):
    case = waiting(cast, catalogue)
    client = login(cast.secretary)
    body = messages_of(client, post(client, [case.number], jurisdiction=cast.community))
    assert f"未派单 {case.number}：您无权对该事件执行“派单”" in body
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_no_unit_or_no_case_is_a_400_that_says_what_is_missing(login, cast, catalogue, rules):
    case = waiting(cast, catalogue)
    client = login(cast.dispatcher)
    response = post(client, [case.number])
    assert response.status_code == 400
    assert "请指定一个处置单位：职能部门或社区/街道" in response.content.decode()
    both = post(client, [case.number], department=cast.department, jurisdiction=cast.community)
    assert both.status_code == 400
    response = post(client, [], jurisdiction=cast.community)
    assert response.status_code == 400
    assert "事件：请至少勾选一件事件" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_the_refused_page_keeps_the_ticks_and_the_filters(login, cast, catalogue, rules):
    case = waiting(cast, catalogue)
    response = post(login(cast.dispatcher), [case.number], next_query="manual=on")
    assert response.status_code == 400
    assert [c.number for c in response.context["page"]] == [case.number]
    assert f'value="{case.number}" form="bulk-dispatch"' in response.content.decode()
    assert case.number in response.context["ticked"]


def test_only_rows_the_user_may_dispatch_get_a_checkbox(login, cast, catalogue, rules, reported):
    case = waiting(cast, catalogue)
    returned = actions.return_case(
        actions.report_by_grid_worker(
            acting_user=cast.grid_worker,
            category=catalogue["garbage"],
            lng=IN_GRID[0],
            lat=IN_GRID[1],
            description="又一处垃圾",
        ),
        acting_user=cast.secretary,
        reason="不属于本社区",
    )
    response = login(cast.dispatcher).get(reverse("case-queue"))
    ticks = {c.number for c in response.context["page"] if c.dispatchable}
    assert ticks == {case.number, returned.number}
    body = response.content.decode()
    assert f'value="{reported.number}" form="bulk-dispatch"' not in body
    # The unit picker offers what the single dispatch form offers.
    units = set(response.context["bulk_form"].fields["jurisdiction"].queryset)
    assert units == {cast.street, cast.community}


def test_a_secretary_gets_no_bulk_dispatch_form(login, cast, catalogue, rules, reported):
    waiting(cast, catalogue)
    response = login(cast.secretary).get(reverse("case-queue"))
    assert response.context["bulk_form"] is None
    assert 'id="bulk-dispatch"' not in response.content.decode()


def test_after_dispatch_the_queue_comes_back_with_its_filters(login, cast, catalogue, rules):
    case = waiting(cast, catalogue)
    response = post(
        login(cast.dispatcher), [case.number], jurisdiction=cast.community, next_query="manual=on"
    )
    assert response["Location"] == reverse("case-queue") + "?manual=on"


def test_a_get_of_the_bulk_address_goes_to_the_queue(login, cast):
    response = login(cast.dispatcher).get(reverse(BULK))
    assert response.status_code == 302 and response["Location"] == reverse("case-queue")
    assert not Case.objects.exists()
