"""今日任务: the grid worker's home page. Cases to verify and open cases of their own grids
(never the neighbour's), today's patrols against 两巡, and the three big buttons."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.actions import assign_post, create_user
from jiceng.accounts.choices import Role
from jiceng.cases import actions
from jiceng.cases.models import Case
from jiceng.cases.tests.fixtures import IN_GRID, IN_OTHER_GRID, run_to
from jiceng.jurisdictions.choices import PostKind
from jiceng.lib.clock import frozen
from jiceng.patrols.actions import log_patrol
from jiceng.patrols.selectors import today_for

from .conftest import write_log

pytestmark = pytest.mark.django_db


def report(worker, catalogue, where, text="垃圾堆放"):
    return actions.report_by_grid_worker(
        acting_user=worker,
        category=catalogue["garbage"],
        lng=where[0],
        lat=where[1],
        description=text,
    )


@pytest.fixture
def other_secretary(cast):
    person = create_user(
        username="othersecretary",
        role=Role.COMMUNITY_SECRETARY,
        password="x-pass-1234",
        jurisdiction=cast.other_community,
    )
    assign_post(person, kind=PostKind.COMMUNITY_SECRETARY, community=cast.other_community)
    return person


@pytest.fixture
def theirs(cast, catalogue, rules, other_secretary):
    """The neighbour's cases: one waiting for their grid worker's check, one open."""
    replied = report(cast.other_worker, catalogue, IN_OTHER_GRID, "泰安道路口垃圾")
    for step in (actions.accept, actions.start):
        replied = step(replied, acting_user=other_secretary)
    replied = actions.reply(replied, acting_user=other_secretary, result="已清运")
    return [replied, report(cast.other_worker, catalogue, IN_OTHER_GRID, "泰安道垃圾满溢")]


def today(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.context["today"], response.content.decode()


def test_the_grid_workers_home_is_todays_tasks_with_the_big_buttons(login, cast):
    response = login(cast.grid_worker).get(reverse("home"))
    assert "patrols/today.html" in [t.name for t in response.templates]
    body = response.content.decode()
    for label, url in [
        ("上报问题", reverse("case-new")),
        ("写民情日志", reverse("patrol-new")),
        ("我的记录", reverse("patrol-history")),
    ]:
        assert label in body and f'href="{url}"' in body
    assert cast.grid.name in body and cast.second_grid.name not in body  # 我的网格


def test_cases_to_verify_are_the_replied_ones_in_the_workers_grids(
    login, cast, catalogue, rules, reported, theirs
):
    replied = run_to(reported, cast, "replied")
    still_open = report(cast.grid_worker, catalogue, IN_GRID, "健康路垃圾")
    tasks, body = today(login(cast.grid_worker))
    assert [c.pk for c in tasks.to_verify] == [replied.pk] and tasks.to_verify_count == 1
    assert [c.pk for c in tasks.open_cases] == [still_open.pk] and tasks.open_count == 1
    assert reverse("case", args=[replied.number]) in body
    for case in theirs:
        assert case.number not in body and case.description not in body


def test_the_neighbours_worker_sees_their_own_and_none_of_ours(
    login, cast, catalogue, rules, reported, theirs
):
    run_to(reported, cast, "replied")
    tasks, body = today(login(cast.other_worker))
    assert [c.pk for c in tasks.to_verify] == [theirs[0].pk]
    assert [c.pk for c in tasks.open_cases] == [theirs[1].pk]
    assert reported.number not in body


def test_open_cases_carry_their_yellow_and_red_cards_deadline_first(login, cast, catalogue, rules):
    later = report(cast.grid_worker, catalogue, IN_GRID, "第一处")
    warned = report(cast.grid_worker, catalogue, IN_GRID, "第二处")
    overdue = report(cast.grid_worker, catalogue, IN_GRID, "第三处")
    # The sweep marks cards when deadlines pass; stand at those instants instead of waiting.
    Case.objects.filter(pk=warned.pk).update(warned=True, due_at=later.due_at - timedelta(hours=1))
    Case.objects.filter(pk=overdue.pk).update(
        overdue=True, warned=True, due_at=later.due_at - timedelta(hours=2)
    )
    tasks, body = today(login(cast.grid_worker))
    assert [c.pk for c in tasks.open_cases] == [overdue.pk, warned.pk, later.pk]
    assert "红牌" in body and "黄牌" in body


def test_closed_and_self_resolved_cases_leave_the_page(login, cast, catalogue, rules, reported):
    run_to(reported, cast, "closed")
    actions.report_by_grid_worker(
        acting_user=cast.grid_worker,
        category=catalogue["garbage"],
        lng=IN_GRID[0],
        lat=IN_GRID[1],
        description="现场清理",
        self_resolved=True,
        after_photos=[("b.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64)],
    )
    tasks, _body = today(login(cast.grid_worker))
    assert tasks.to_verify == [] and tasks.open_cases == [] and tasks.open_count == 0


def patrol_at(worker, grid, start, minutes=50):
    return log_patrol(
        acting_user=worker,
        grid=grid,
        started_at=start,
        ended_at=start + timedelta(minutes=minutes),
    )


@pytest.fixture
def evening():
    """18:00 yesterday, local time: the tests below stand there, so that their patrols
    fall on one local day whatever the hour they run."""
    noon = timezone.localtime().replace(hour=12, minute=0, second=0) - timedelta(days=1)
    return noon + timedelta(hours=6)


def test_todays_patrols_count_against_two(login, cast, evening):
    with frozen(evening):
        assert today_for(cast.grid_worker).patrols == 0
        patrol_at(cast.grid_worker, cast.grid, evening - timedelta(days=1))  # the day before
        patrol_at(cast.other_worker, cast.other_grid, evening - timedelta(hours=2))
        patrol_at(cast.grid_worker, cast.grid, evening - timedelta(hours=2))
        tasks = today_for(cast.grid_worker)
    assert tasks.patrols == 1 and not tasks.patrols_done


def test_two_patrols_today_complete_the_day(cast, evening):
    with frozen(evening):
        patrol_at(cast.grid_worker, cast.grid, evening - timedelta(hours=9))
        patrol_at(cast.grid_worker, cast.grid, evening - timedelta(hours=3))
        tasks = today_for(cast.grid_worker)
    assert tasks.patrols == 2 and tasks.patrols_done


def test_a_patrol_past_midnight_counts_for_the_day_it_ends(cast, evening):
    midnight = evening + timedelta(hours=6)
    with frozen(midnight + timedelta(hours=1)):
        patrol_at(cast.grid_worker, cast.grid, midnight - timedelta(minutes=30), minutes=60)
        assert today_for(cast.grid_worker).patrols == 1


def test_the_page_shows_the_patrol_count(login, cast):
    write_log(cast.grid_worker, cast.grid, hours_ago=30)
    _tasks, body = today(login(cast.grid_worker))
    assert "今日巡查 0/2" in body


def test_the_page_runs_the_same_queries_however_many_cases(
    login, cast, catalogue, rules, django_assert_num_queries
):
    client = login(cast.grid_worker)
    run_to(report(cast.grid_worker, catalogue, IN_GRID), cast, "replied")
    report(cast.grid_worker, catalogue, IN_GRID)
    write_log(cast.grid_worker, cast.grid)
    client.get(reverse("home"))
    # Session, user, the user's community and grids (their scope), the blocks' counts,
    # each block's rows, today's patrols, the grids' names, the inbox count.
    with django_assert_num_queries(QUERIES):
        client.get(reverse("home"))
    for i in range(6):
        case = report(cast.grid_worker, catalogue, IN_GRID, f"第{i}处")
        if i % 2:
            run_to(case, cast, "replied")
        write_log(cast.grid_worker, cast.grid, hours_ago=0.5 + i / 10, minutes=3)
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("home"))
    tasks = response.context["today"]
    assert tasks.to_verify_count == 4 and tasks.open_count == 4


QUERIES = 10
