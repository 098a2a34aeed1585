"""The resident's home "我的诉求": their own and their requested cases with a progress
line, the report button, and a rating card for each closed case awaiting their word."""

import pytest
from django.urls import reverse

from jiceng.cases import actions

from .conftest import (
    IN_OTHER_GRID,
    another_resident,
    closed,
    hotline_for,
    queries_of,
    resident_report,
)

pytestmark = pytest.mark.django_db


def home(client) -> str:
    return client.get(reverse("home")).content.decode()


def test_the_home_lists_what_they_reported_and_what_was_requested_for_them(
    login, cast, catalogue, rules
):
    reported = resident_report(cast, catalogue)
    requested = hotline_for(catalogue, cast.resident)
    someone_elses = hotline_for(catalogue, order_no="12345-10")
    body = home(login(cast.resident))
    assert reported.number in body and requested.number in body
    assert someone_elses.number not in body


def test_the_home_never_lists_a_neighbours_request(login, cast, catalogue, rules):
    neighbour = another_resident(cast, community=cast.other_community)
    theirs = resident_report(
        cast, catalogue, user=neighbour, text="泰安道楼道漏水", at=IN_OTHER_GRID
    )
    body = home(login(cast.resident))
    assert theirs.number not in body and "泰安道楼道漏水" not in body


def test_each_request_shows_how_far_it_has_come(login, cast, catalogue, rules):
    resident_report(cast, catalogue)  # dispatched to the community at intake
    response = login(cast.resident).get(reverse("home"))
    ((_case, steps),) = response.context["rows"]
    assert [s.label for s in steps] == ["已受理", "已派单", "办理中", "已办结", "已评价"]
    assert [s.label for s in steps if s.current] == ["已派单"]
    assert 'aria-current="step">已派单' in response.content.decode()


def test_the_big_button_leads_to_the_report_page(login, cast):
    body = home(login(cast.resident))
    assert f'href="{reverse("case-new")}"' in body and "我要反映问题" in body


def test_the_home_links_to_the_public_page_of_their_community(login, cast):
    body = home(login(cast.resident))
    assert cast.community.name in body
    assert reverse("public-community", args=[cast.community.code]) in body


def test_a_closed_case_awaits_their_rating_on_a_card_and_leaves_it_once_rated(
    login, cast, catalogue, rules
):
    case = closed(resident_report(cast, catalogue), cast)
    client = login(cast.resident)
    response = client.get(reverse("home"))
    assert [c.number for c, _form in response.context["awaiting"]] == [case.number]
    assert reverse("case-act", args=[case.number, "rate"]) in response.content.decode()
    actions.rate_by_resident(
        case, acting_user=cast.resident, resolved=True, satisfaction="satisfied"
    )
    assert client.get(reverse("home")).context["awaiting"] == []


def test_a_case_someone_else_requested_awaits_no_rating_from_its_reporter(
    login, cast, catalogue, rules
):
    case = closed(resident_report(cast, catalogue), cast)
    other = another_resident(cast)
    type(case).objects.filter(pk=case.pk).update(requester=other)
    assert login(cast.resident).get(reverse("home")).context["awaiting"] == []


def test_the_home_costs_the_same_queries_with_more_requests(
    login, cast, catalogue, rules, django_assert_num_queries
):
    client = login(cast.resident)
    closed(resident_report(cast, catalogue), cast)
    hotline_for(catalogue, cast.resident)
    few = queries_of(lambda: client.get(reverse("home")))
    for n in range(3):
        closed(resident_report(cast, catalogue, text=f"楼道堆物{n}"), cast)
        hotline_for(catalogue, cast.resident, order_no=f"12345-2{n}")
    with django_assert_num_queries(few):
        response = client.get(reverse("home"))
    assert len(response.context["rows"]) == 8 and len(response.context["awaiting"]) == 4
