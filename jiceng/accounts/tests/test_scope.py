import pytest
from django.contrib.auth.models import AnonymousUser

from jiceng.accounts.models import User
from jiceng.jurisdictions.models import Department, Grid, Jurisdiction, Post

pytestmark = pytest.mark.django_db


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def usernames(qs):
    return sorted(qs.values_list("username", flat=True))


def test_a_dispatcher_sees_their_subdistrict_subtree_and_nothing_beside_it(cast):
    assert codes(Jurisdiction.objects.visible_to(cast.dispatcher)) == [
        "120101001000",
        "120101001001",
    ]
    assert codes(Grid.objects.visible_to(cast.dispatcher)) == [
        cast.grid.code,
        cast.second_grid.code,
    ]


def test_the_neighbour_is_refused_our_nodes_grids_and_people(cast):
    assert not Jurisdiction.objects.visible_to(cast.neighbour).filter(pk=cast.community.pk)
    assert not Grid.objects.visible_to(cast.neighbour).filter(pk=cast.grid.pk)
    assert "gridworker" not in usernames(User.objects.visible_to(cast.neighbour))
    assert not Post.objects.visible_to(cast.neighbour).filter(user=cast.grid_worker)


def test_a_grid_worker_sees_only_their_own_grids_and_community(cast):
    assert codes(Grid.objects.visible_to(cast.grid_worker)) == [cast.grid.code]
    assert codes(Jurisdiction.objects.visible_to(cast.grid_worker)) == [cast.community.code]
    assert usernames(User.objects.visible_to(cast.grid_worker)) == ["gridworker"]


def test_a_district_leader_sees_both_streets(cast):
    visible = codes(Jurisdiction.objects.visible_to(cast.district_leader))
    assert cast.street.code in visible and cast.other_street.code in visible
    assert "neighbour" in usernames(User.objects.visible_to(cast.district_leader))


def test_a_department_clerk_sees_the_district_and_only_their_colleagues(cast):
    assert Jurisdiction.objects.visible_to(cast.clerk).filter(pk=cast.other_community.pk)
    assert usernames(User.objects.visible_to(cast.clerk)) == ["clerk"]
    assert list(Department.objects.visible_to(cast.clerk)) == [cast.department]


def test_a_dispatcher_sees_the_departments_above_it_that_it_can_summon(cast):
    assert list(Department.objects.visible_to(cast.dispatcher)) == [cast.department]


def test_a_resident_sees_no_internal_records(cast):
    assert not Jurisdiction.objects.visible_to(cast.resident)
    assert not Grid.objects.visible_to(cast.resident)
    assert usernames(User.objects.visible_to(cast.resident)) == ["resident"]


def test_an_anonymous_visitor_sees_nothing(cast):
    anonymous = AnonymousUser()
    assert not Jurisdiction.objects.visible_to(anonymous)
    assert not Grid.objects.visible_to(anonymous)
    assert not User.objects.visible_to(anonymous)


def test_an_inactive_user_sees_nothing(cast):
    cast.dispatcher.is_active = False
    cast.dispatcher._jiceng_scope = None
    assert not Jurisdiction.objects.visible_to(cast.dispatcher)
