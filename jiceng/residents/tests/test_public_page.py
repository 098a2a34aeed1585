"""The public community page and the community search: figures and closed cases of one
community, and no personal data at all."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.cases import actions
from jiceng.cases.tests.fixtures import JPEG
from jiceng.dashboards.models import DailyStat
from jiceng.residents.selectors import monthly_counts

from .conftest import (
    CALLER,
    CALLER_PHONE,
    IN_OTHER_GRID,
    another_resident,
    closed,
    hotline_for,
    queries_of,
    resident_report,
)

pytestmark = pytest.mark.django_db


def public_url(node) -> str:
    return reverse("public-community", args=[node.code])


def closed_ones(cast, catalogue, n: int, start: int = 0) -> list:
    """n closed cases in the community: every other one self-resolved on the spot."""
    cases = []
    for i in range(start, start + n):
        if i % 2:
            cases.append(
                actions.report_by_grid_worker(
                    acting_user=cast.grid_worker,
                    category=catalogue["garbage"],
                    lng=117.05,
                    lat=39.1,
                    description=f"路边垃圾{i}",
                    self_resolved=True,
                    after_photos=[("after.jpg", JPEG)],
                )
            )
        else:
            cases.append(closed(hotline_for(catalogue, order_no=f"12345-{i}"), cast))
    return cases


def test_the_public_page_needs_no_login_and_names_the_community(client, cast):
    response = client.get(public_url(cast.community))
    assert response.status_code == 200
    body = response.content.decode()
    assert cast.community.name in body and cast.street.name in body
    assert response.context["grids"] == 2


def test_a_code_that_is_not_a_community_is_404(client, cast):
    for code in (cast.street.code, cast.grid.code, "999999999999"):
        assert client.get(reverse("public-community", args=[code])).status_code == 404


def test_only_closed_cases_of_that_community_are_listed(client, cast, catalogue, rules):
    ours = closed(hotline_for(catalogue, order_no="12345-1"), cast)
    hotline_for(catalogue, order_no="12345-2")  # still open
    other = resident_report(
        cast,
        catalogue,
        user=another_resident(cast, community=cast.other_community),
        at=IN_OTHER_GRID,
    )
    assert other.community == cast.other_community
    response = client.get(public_url(cast.community))
    (row,) = response.context["cases"]
    assert row.category == "暴露垃圾" and row.place == cast.grid.name
    assert row.unit == cast.community.name and row.closed_at == ours.closed_at


def test_the_public_page_shows_no_personal_data(client, cast, catalogue, rules):
    case = closed(hotline_for(catalogue), cast)
    actions.follow_up(case, acting_user=cast.dispatcher, resolved=True, satisfaction="satisfied")
    mine = closed(resident_report(cast, catalogue, text="我家楼道堆满杂物"), cast)
    body = client.get(public_url(cast.community)).content.decode()
    assert "满意" in body
    for secret in [
        CALLER,
        CALLER_PHONE,
        "139****5678",
        "楼下垃圾三天无人清运",
        "我家楼道堆满杂物",
        "已清运",
        case.number,
        mine.number,
        cast.resident.full_name,
        cast.resident.phone,
        cast.secretary.full_name,
        cast.grid_worker.full_name,
        cast.dispatcher.full_name,
        "/photos/",
    ]:
        assert secret not in body, secret


def test_a_self_resolved_case_is_shown_as_handled_on_the_spot(client, cast, catalogue, rules):
    closed_ones(cast, catalogue, 1, start=1)
    (row,) = client.get(public_url(cast.community)).context["cases"]
    assert row.unit == "网格员现场处置"


def test_the_list_is_paginated(client, cast, catalogue, rules):
    closed_ones(cast, catalogue, 22)
    first = client.get(public_url(cast.community))
    assert len(first.context["cases"]) == 20 and first.context["page"].paginator.count == 22
    second = client.get(public_url(cast.community), {"page": 2})
    assert len(second.context["cases"]) == 2


def test_the_page_costs_the_same_queries_for_3_and_30_closed_cases(
    client, cast, catalogue, rules, django_assert_num_queries
):
    closed_ones(cast, catalogue, 3)
    few = queries_of(lambda: client.get(public_url(cast.community)))
    closed_ones(cast, catalogue, 27, start=3)
    with django_assert_num_queries(few):
        response = client.get(public_url(cast.community))
    assert response.context["page"].paginator.count == 30


def test_the_monthly_counts_come_from_the_communitys_rollups(cast, catalogue, rules):
    case = closed(hotline_for(catalogue), cast)
    actions.follow_up(case, acting_user=cast.dispatcher, resolved=True, satisfaction="basic")
    today = timezone.localdate()
    DailyStat.objects.create(
        day=date(2020, 1, 5), unit=f"j{cast.community.pk}", level="community", received=99
    )  # long ago: outside the six months
    months = monthly_counts(cast.community, today)
    assert len(months) == 6 and months[0].month == today.replace(day=1)
    assert (months[0].received, months[0].closed, months[0].satisfaction_rate) == (1, 1, 1.0)
    assert all(m.received == 0 and m.satisfaction_rate is None for m in months[1:])


def test_six_months_reach_back_over_the_new_year(cast):
    months = monthly_counts(cast.community, date(2026, 2, 14))
    assert [m.month for m in months] == [
        date(2026, 2, 1),
        date(2026, 1, 1),
        date(2025, 12, 1),
        date(2025, 11, 1),
        date(2025, 10, 1),
        date(2025, 9, 1),
    ]


def test_the_public_index_lists_nothing_until_a_name_is_searched(client, cast):
    empty = client.get(reverse("public"))
    assert empty.status_code == 200 and empty.context["found"] == []
    assert cast.community.name not in empty.content.decode()
    found = client.get(reverse("public"), {"q": "花园路"})
    assert found.context["found"] == [cast.community]
    assert public_url(cast.community) in found.content.decode()
    assert client.get(reverse("public"), {"q": "劝业场"}).context["found"] == []


def test_the_community_node_page_links_to_its_public_page(login, cast):
    body = login(cast.secretary).get(reverse("jurisdiction", args=[cast.community.code]))
    assert public_url(cast.community) in body.content.decode()
