"""Duplicate suggestions: the same category within 250 m and 7 days, or near-identical
text in the same street; shown with a merge button to those who may merge."""

from datetime import timedelta

import pytest
from django.urls import reverse

from jiceng.cases import actions
from jiceng.cases.choices import Status
from jiceng.cases.models import Case
from jiceng.cases.selectors import haversine_m, suggest_duplicates

from .conftest import IN_GRID, run_to

pytestmark = pytest.mark.django_db

LNG, LAT = IN_GRID
METRE = 1 / 111_195  # degrees of latitude per metre


def report(catalogue, *, north_m=0.0, lng=LNG, text="小区门口垃圾堆放", category="garbage"):
    case, _ = actions.receive_hotline_order(
        order_no=f"dup-{Case.objects.count()}",
        category=catalogue[category],
        description=text,
        lng=lng,
        lat=LAT + north_m * METRE,
    )
    return case


def test_the_distance_is_measured_on_the_sphere():
    assert haversine_m(LNG, LAT, LNG, LAT + 250 * METRE) == pytest.approx(250, rel=1e-3)


def test_a_case_within_250_m_is_suggested_and_one_at_300_m_is_not(cast, catalogue, rules):
    case = report(catalogue, text="垃圾")
    near = report(catalogue, north_m=200, text="路边有一堆建筑垃圾")
    report(catalogue, north_m=300, text="绿化带里有塑料袋")
    report(catalogue, north_m=100, text="井盖破了", category="road")  # another category
    assert suggest_duplicates(case) == [near]


def test_only_the_last_7_days_count(cast, catalogue, rules):
    case = report(catalogue)
    old = report(catalogue, north_m=50, text="门口又有垃圾")
    recent = report(catalogue, north_m=50, text="门口的垃圾没人管")
    Case.objects.filter(pk=old.pk).update(received_at=case.received_at - timedelta(days=8))
    Case.objects.filter(pk=recent.pk).update(received_at=case.received_at - timedelta(days=6))
    assert suggest_duplicates(case) == [recent]


def test_near_identical_text_in_the_same_street_is_suggested_far_away(cast, catalogue, rules):
    case = report(catalogue, text="花园路12号门口垃圾堆放三天无人清运")
    twin = report(catalogue, lng=117.15, text="花园路12号门口垃圾堆放三天无人清运了")
    report(catalogue, lng=117.16, text="花园路15号垃圾桶满溢")
    assert suggest_duplicates(case) == [twin]


def test_merged_and_done_cases_and_the_case_itself_are_left_out(cast, catalogue, rules):
    case = report(catalogue)
    done = run_to(report(catalogue, north_m=10), cast, "closed")
    merged = report(catalogue, north_m=20)
    open_one = report(catalogue, north_m=30)
    actions.merge(merged, into=open_one, acting_user=cast.dispatcher)
    assert done.status == Status.CLOSED
    assert suggest_duplicates(case) == [open_one]


def test_a_neighbouring_street_case_across_the_boundary_is_not_offered(cast, catalogue, rules):
    case = report(catalogue, lng=117.1995)
    theirs = report(catalogue, lng=117.2005)
    assert theirs.subdistrict == cast.other_street
    assert suggest_duplicates(case) == [theirs]
    visible = Case.objects.visible_to(cast.dispatcher)
    assert suggest_duplicates(case, among=visible) == []


def test_the_dispatcher_merges_a_suggested_duplicate_from_the_page(login, cast, catalogue, rules):
    original = report(catalogue)
    duplicate = report(catalogue, north_m=80)
    client = login(cast.dispatcher)
    response = client.get(reverse("case", args=[duplicate.number]))
    assert response.context["duplicates"] == [original]
    assert "合并到此件" in response.content.decode()
    data = {"into": original.number, "version": duplicate.version}
    client.post(reverse("case-act", args=[duplicate.number, "merge"]), data)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == original


def test_only_those_who_may_merge_see_suggestions(login, cast, catalogue, rules):
    report(catalogue)
    duplicate = report(catalogue, north_m=80)
    response = login(cast.secretary).get(reverse("case", args=[duplicate.number]))
    assert response.context["duplicates"] == []
    assert "合并到此件" not in response.content.decode()


def test_a_case_the_user_cannot_see_is_no_merge_target(login, cast, catalogue, rules):
    duplicate = report(catalogue)
    theirs = report(catalogue, lng=117.3)
    url = reverse("case-act", args=[duplicate.number, "merge"])
    response = login(cast.dispatcher).post(
        url, {"into": theirs.number, "version": duplicate.version}
    )
    assert response.status_code == 400
    assert "没有这个事件" in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.status == Status.DISPATCHED
