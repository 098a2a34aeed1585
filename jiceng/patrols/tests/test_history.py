"""我的记录: a grid worker's own patrol logs and reported cases, newest first, paginated,
with the same queries however long the history."""

import pytest
from django.urls import reverse

from jiceng.cases import actions
from jiceng.cases.tests.fixtures import IN_GRID, IN_OTHER_GRID
from jiceng.patrols import views

from .conftest import write_log

pytestmark = pytest.mark.django_db


def report(worker, catalogue, where, text):
    return actions.report_by_grid_worker(
        acting_user=worker,
        category=catalogue["garbage"],
        lng=where[0],
        lat=where[1],
        description=text,
    )


def entries(client, **params):
    response = client.get(reverse("patrol-history"), params)
    assert response.status_code == 200
    return response.context["entries"], response


def test_the_history_mixes_logs_and_reports_newest_first(login, cast, catalogue, rules):
    old_log = write_log(cast.grid_worker, cast.grid, hours_ago=5)
    case = report(cast.grid_worker, catalogue, IN_GRID, "健康路垃圾")  # now
    new_log = write_log(cast.grid_worker, cast.grid, hours_ago=2)
    listed, response = entries(login(cast.grid_worker))
    assert listed == [case, new_log, old_log]
    body = response.content.decode()
    assert reverse("patrol", args=[new_log.pk]) in body
    assert reverse("case", args=[case.number]) in body


def test_the_history_is_the_workers_own(login, cast, catalogue, rules):
    mine = write_log(cast.grid_worker, cast.grid)
    write_log(cast.other_worker, cast.other_grid)
    theirs = report(cast.other_worker, catalogue, IN_OTHER_GRID, "泰安道垃圾")
    # A case in the worker's grid reported by the secretary is not the worker's record.
    actions.report_patrol_finding(
        acting_user=cast.secretary,
        category=catalogue["garbage"],
        lng=IN_GRID[0],
        lat=IN_GRID[1],
        description="书记巡查发现",
    )
    listed, response = entries(login(cast.grid_worker))
    assert listed == [mine]
    assert theirs.number not in response.content.decode()


def test_the_history_is_paginated(login, cast, catalogue, rules, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    logs = [write_log(cast.grid_worker, cast.grid, hours_ago=h) for h in (4, 3, 2)]
    client = login(cast.grid_worker)
    first, response = entries(client)
    assert first == [logs[2], logs[1]] and response.context["page"].has_next()
    second, _ = entries(client, page=2)
    assert second == [logs[0]]


def test_the_history_runs_the_same_queries_however_long_it_is(
    login, cast, catalogue, rules, django_assert_num_queries
):
    client = login(cast.grid_worker)
    write_log(cast.grid_worker, cast.grid)
    report(cast.grid_worker, catalogue, IN_GRID, "第一处")
    client.get(reverse("patrol-history"))
    # Session, user, the user's community and grids (their scope), the count, the page's
    # rows, its logs, its cases, the inbox count.
    with django_assert_num_queries(9):
        client.get(reverse("patrol-history"))
    for i in range(8):
        write_log(cast.grid_worker, cast.grid, hours_ago=1 + i / 10, minutes=3)
        report(cast.grid_worker, catalogue, IN_GRID, f"第{i + 2}处")
    with django_assert_num_queries(9):
        listed, _ = entries(client)
    assert len(listed) == 18
