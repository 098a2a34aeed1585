"""Who may read a patrol log: the worker their own; community staff their community's;
street, district and city leaders their subtree; a department, a resident and the
neighbouring street nothing."""

import pytest
from django.urls import reverse

from jiceng.accounts.actions import create_user
from jiceng.accounts.choices import Role
from jiceng.cases import actions as case_actions
from jiceng.cases.tests.fixtures import IN_OTHER_GRID
from jiceng.patrols.models import PatrolLog

from .conftest import write_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def logs(cast):
    return {
        "ours": write_log(cast.grid_worker, cast.grid),
        "theirs": write_log(cast.other_worker, cast.other_grid),
    }


def visible(user) -> set[int]:
    return set(PatrolLog.objects.visible_to(user).values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("member", "sees"),
    [
        ("grid_worker", {"ours"}),
        ("secretary", {"ours"}),
        ("dispatcher", {"ours"}),
        ("district_leader", {"ours", "theirs"}),
        ("clerk", set()),
        ("resident", set()),
        ("neighbour", {"theirs"}),
        ("other_worker", {"theirs"}),
    ],
)
def test_each_member_of_the_cast_sees_exactly_their_part(cast, logs, member, sees):
    assert visible(getattr(cast, member)) == {logs[name].pk for name in sees}


def test_a_city_leader_sees_every_log(cast, logs):
    leader = create_user(
        username="city", role=Role.CITY_LEADER, password="x-pass-1234", jurisdiction=cast.city
    )
    assert visible(leader) == {logs["ours"].pk, logs["theirs"].pk}


def test_a_grid_worker_does_not_see_a_colleagues_log_of_the_same_community(cast, logs):
    colleague = create_user(
        username="colleague",
        role=Role.GRID_WORKER,
        password="x-pass-1234",
        jurisdiction=cast.community,
    )
    assert visible(colleague) == set()


def test_anonymous_sees_nothing(logs):
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser()) == set()


@pytest.mark.parametrize("member", ["neighbour", "other_worker", "clerk", "resident"])
def test_the_log_page_is_not_found_for_those_outside(login, cast, logs, member):
    response = login(getattr(cast, member)).get(reverse("patrol", args=[logs["ours"].pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("member", ["grid_worker", "secretary", "dispatcher", "district_leader"])
def test_the_log_page_opens_for_those_above_and_the_writer(login, cast, logs, member):
    response = login(getattr(cast, member)).get(reverse("patrol", args=[logs["ours"].pk]))
    assert response.status_code == 200
    assert cast.grid.name in response.content.decode()


def test_a_missing_log_answers_like_a_foreign_one(login, cast, logs):
    client = login(cast.grid_worker)
    missing = client.get(reverse("patrol", args=[logs["theirs"].pk + 100]))
    foreign = client.get(reverse("patrol", args=[logs["theirs"].pk]))
    assert missing.status_code == foreign.status_code == 404
    assert missing.content == foreign.content


def test_a_leader_reading_a_log_sees_only_the_linked_cases_in_their_scope(
    login, cast, catalogue, rules, reported
):
    # The worker reported something across the street boundary: theirs to see (they
    # reported it), not their secretary's.
    across = case_actions.report_by_grid_worker(
        acting_user=cast.grid_worker,
        category=catalogue["garbage"],
        lng=IN_OTHER_GRID[0],
        lat=IN_OTHER_GRID[1],
        description="路过泰安道看到的垃圾",
    )
    entry = write_log(cast.grid_worker, cast.grid, cases=[reported, across])
    mine = login(cast.grid_worker).get(reverse("patrol", args=[entry.pk])).content.decode()
    assert reported.number in mine and across.number in mine
    body = login(cast.secretary).get(reverse("patrol", args=[entry.pk])).content.decode()
    assert reported.number in body and across.number not in body
