"""Patrol logs in the admin: looked up through the user's scope, never added or edited
there (the phone form and the action check them)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from .conftest import write_log

pytestmark = pytest.mark.django_db


def test_a_dispatcher_finds_their_streets_logs_and_not_the_neighbours(client, cast):
    ours = write_log(cast.grid_worker, cast.grid, notes="花园路巡查")
    theirs = write_log(cast.other_worker, cast.other_grid)
    cast.dispatcher.user_permissions.add(Permission.objects.get(codename="view_patrollog"))
    client.force_login(cast.dispatcher)
    response = client.get(reverse("admin:patrols_patrollog_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [ours]
    change = reverse("admin:patrols_patrollog_change", args=[theirs.pk])
    assert client.get(change).status_code in (302, 404)
    assert client.get(reverse("admin:patrols_patrollog_add")).status_code == 403
