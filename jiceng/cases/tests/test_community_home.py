"""The community home: its open cases per state linking into the filtered queue, the
cases its staff must handle now, the overdue ones, and what the page showed before
(grids, posts, the map)."""

import pytest
from django.urls import reverse

from jiceng.cases import actions
from jiceng.cases.models import Case

from .fixtures import IN_GRID, IN_OTHER_GRID

pytestmark = pytest.mark.django_db


def garbage(cast, catalogue, text="小区门口垃圾堆放", lnglat=IN_GRID, worker=None):
    return actions.report_by_grid_worker(
        acting_user=worker or cast.grid_worker,
        category=catalogue["garbage"],
        lng=lnglat[0],
        lat=lnglat[1],
        description=text,
    )


def home(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def test_the_home_counts_open_cases_per_state_with_links_into_the_queue(
    login, cast, catalogue, rules, reported
):
    actions.accept(garbage(cast, catalogue, "楼道堆物"), acting_user=cast.secretary)
    body = home(login(cast.secretary)).content.decode()
    assert '<a href="/cases/?status=dispatched">已派单 <b>1</b></a>' in body
    assert '<a href="/cases/?status=accepted">已签收 <b>1</b></a>' in body
    assert '<a href="/cases/?overdue=on">红牌超期 <b>0</b></a>' in body


def test_the_home_lists_what_the_community_must_handle_and_what_is_overdue(
    login, cast, catalogue, rules, reported
):
    road = actions.report_by_grid_worker(  # the 城管委's, not the community's to handle
        acting_user=cast.grid_worker,
        category=catalogue["road"],
        lng=IN_GRID[0],
        lat=IN_GRID[1],
        description="人行道地砖破损",
    )
    Case.objects.filter(pk=road.pk).update(overdue=True)
    response = home(login(cast.secretary))
    context = response.context
    work = next(c["work"] for c in context if "work" in c)
    assert [c.number for c in work.to_handle.rows] == [reported.number]
    assert [c.number for c in work.overdue.rows] == [road.number]
    assert (work.to_handle.count, work.overdue.count) == (1, 1)


def test_the_home_still_shows_the_grids_posts_and_map(login, cast, catalogue, rules):
    body = home(login(cast.secretary)).content.decode()
    assert cast.grid.name in body and cast.second_grid.name in body
    assert f'href="/cases/?grid={cast.grid.code}"' in body
    assert "张桂英" in body and 'id="map"' in body


def test_the_neighbours_cases_never_reach_the_community_home(login, cast, catalogue, rules):
    theirs = garbage(cast, catalogue, "泰安道路口垃圾满溢", IN_OTHER_GRID, cast.other_worker)
    Case.objects.filter(pk=theirs.pk).update(overdue=True)
    body = home(login(cast.secretary)).content.decode()
    assert theirs.number not in body and "泰安道" not in body
    assert "没有超期事件" in body


def test_the_community_home_runs_a_fixed_number_of_queries(
    login, cast, catalogue, rules, django_assert_num_queries, django_assert_max_num_queries
):
    client = login(cast.secretary)
    garbage(cast, catalogue)
    home(client)
    with django_assert_max_num_queries(30) as few:
        home(client)
    for i in range(15):
        case = garbage(cast, catalogue, f"第{i}处垃圾")
        if i % 2:
            Case.objects.filter(pk=case.pk).update(overdue=True)
    with django_assert_num_queries(len(few.captured_queries)):
        home(client)
