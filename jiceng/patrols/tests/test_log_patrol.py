"""Writing a patrol log (民情日志): the action checks the grid, the times, the counts and
the linked cases, and names every problem next to the field it is about."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jiceng.cases import actions as case_actions
from jiceng.cases.tests.fixtures import IN_OTHER_GRID
from jiceng.patrols.models import PatrolLog

from .conftest import write_log

pytestmark = pytest.mark.django_db


def problems(**kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        write_log(**kwargs)
    assert not PatrolLog.objects.exists()
    return caught.value.message_dict


def test_a_grid_worker_logs_a_patrol_of_their_grid_with_the_cases_they_reported(cast, reported):
    entry = write_log(cast.grid_worker, cast.grid, cases=[reported], notes=" 居民反映路灯不亮 ")
    assert entry.worker == cast.grid_worker and entry.grid == cast.grid
    assert list(entry.cases.all()) == [reported]
    assert entry.notes == "居民反映路灯不亮" and entry.households_visited == 12


def test_a_grid_that_is_not_the_workers_post_is_refused_by_name(cast):
    found = problems(worker=cast.grid_worker, grid=cast.second_grid)
    assert found == {"grid": [f"网格“{cast.second_grid.name}”不是您在岗负责的网格"]}


def test_the_neighbours_grid_is_refused(cast):
    found = problems(worker=cast.grid_worker, grid=cast.other_grid)
    assert "不是您在岗负责的网格" in found["grid"][0]


def test_a_worker_whose_post_ended_can_no_longer_log_that_grid(cast):
    cast.grid_worker.posts.update(active=False)
    assert "grid" in problems(worker=cast.grid_worker, grid=cast.grid)


def test_the_end_must_come_after_the_start(cast):
    found = problems(worker=cast.grid_worker, grid=cast.grid, minutes=0)
    assert found == {"ended_at": ["结束时间必须晚于开始时间"]}
    found = problems(worker=cast.grid_worker, grid=cast.grid, minutes=-30)
    assert found == {"ended_at": ["结束时间必须晚于开始时间"]}


def test_a_patrol_cannot_end_in_the_future(cast):
    found = problems(worker=cast.grid_worker, grid=cast.grid, hours_ago=0.5, minutes=120)
    assert found == {"ended_at": ["结束时间不能晚于现在"]}


def test_negative_counts_are_named(cast):
    found = problems(
        worker=cast.grid_worker, grid=cast.grid, households_visited=-1, people_visited=-2
    )
    assert found == {
        "households_visited": ["走访户数不能为负数"],
        "people_visited": ["走访人数不能为负数"],
    }


def test_a_case_the_worker_may_not_see_is_refused_and_named(cast, catalogue, rules, reported):
    foreign = case_actions.report_by_grid_worker(
        acting_user=cast.other_worker,
        category=catalogue["garbage"],
        lng=IN_OTHER_GRID[0],
        lat=IN_OTHER_GRID[1],
        description="泰安道垃圾",
    )
    found = problems(worker=cast.grid_worker, grid=cast.grid, cases=[reported, foreign])
    assert found == {"cases": [f"事件 {foreign.number} 不存在或您无权查看"]}


def test_every_problem_is_named_at_once(cast):
    found = problems(
        worker=cast.grid_worker,
        grid=cast.other_grid,
        minutes=-5,
        households_visited=-1,
    )
    assert set(found) == {"grid", "ended_at", "households_visited"}


# --- the phone form ---------------------------------------------------------------------


def form_data(cast, **extra) -> dict:
    now = timezone.localtime()
    data = {
        "grid": cast.grid.pk,
        "started_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ended_at": (now - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M"),
        "households_visited": "8",
        "people_visited": "15",
        "issues_found": "",
        "notes": "走访独居老人",
    }
    return data | extra


def test_the_form_saves_a_log_and_shows_it(login, cast, reported):
    client = login(cast.grid_worker)
    page = client.get(reverse("patrol-new")).content.decode()
    assert cast.grid.name in page and cast.second_grid.name not in page
    assert reported.number in page  # today's report can be linked
    response = client.post(reverse("patrol-new"), form_data(cast, cases=[reported.pk]))
    entry = PatrolLog.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "patrol", args=[entry.pk]
    )
    assert list(entry.cases.all()) == [reported]
    detail = client.get(response["Location"]).content.decode()
    assert "走访独居老人" in detail and reported.number in detail


def test_the_form_shows_the_actions_complaints_next_to_their_fields(login, cast):
    client = login(cast.grid_worker)
    data = form_data(cast, households_visited="-3")
    data["ended_at"] = data["started_at"]
    response = client.post(reverse("patrol-new"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["households_visited"] == ["走访户数不能为负数"]
    assert errors["ended_at"] == ["结束时间必须晚于开始时间"]
    assert not PatrolLog.objects.exists()


def test_the_form_offers_no_grid_that_is_not_the_workers(login, cast):
    client = login(cast.grid_worker)
    response = client.post(reverse("patrol-new"), form_data(cast, grid=cast.other_grid.pk))
    assert response.status_code == 400 and "grid" in response.context["form"].errors
    assert not PatrolLog.objects.exists()


def test_someone_without_a_grid_post_is_told_they_cannot_log(login, cast):
    body = login(cast.dispatcher).get(reverse("patrol-new")).content.decode()
    assert "您没有在岗负责的网格" in body
