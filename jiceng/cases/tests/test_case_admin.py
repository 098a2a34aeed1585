"""The case admin: scoped, masked and read-only (states change only through actions)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from jiceng.cases import actions

from .conftest import IN_GRID, IN_OTHER_GRID

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(cast):
    """The dispatcher, allowed to look at cases in the admin."""
    cast.dispatcher.user_permissions.add(Permission.objects.get(codename="view_case"))
    return cast.dispatcher


def hotline(catalogue, order_no, lnglat):
    case, _ = actions.receive_hotline_order(
        order_no=order_no,
        category=catalogue["garbage"],
        description="垃圾",
        caller_name="王小二",
        caller_phone="13912345678",
        lng=lnglat[0],
        lat=lnglat[1],
    )
    return case


def test_the_list_shows_the_scope_with_masked_callers(login, viewer, catalogue, rules):
    ours = hotline(catalogue, "a-1", IN_GRID)
    theirs = hotline(catalogue, "a-2", IN_OTHER_GRID)
    body = login(viewer).get(reverse("admin:cases_case_changelist")).content.decode()
    assert ours.number in body and "139****5678" in body and "王*二" in body
    assert theirs.number not in body and "13912345678" not in body


def test_a_case_page_is_read_only_with_its_timeline(login, viewer, catalogue, rules):
    case = hotline(catalogue, "a-1", IN_GRID)
    client = login(viewer)
    url = reverse("admin:cases_case_change", args=[case.pk])
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200 and "13912345678" not in body
    assert 'name="status"' not in body and "按权责清单自动派单" in body  # the timeline
    client.post(url, {"status": "closed"})
    case.refresh_from_db()
    assert case.status == "dispatched"


def test_nobody_adds_or_deletes_cases_in_the_admin(login, viewer, catalogue, rules):
    case = hotline(catalogue, "a-1", IN_GRID)
    client = login(viewer)
    assert client.get(reverse("admin:cases_case_add")).status_code == 403
    assert client.get(reverse("admin:cases_case_delete", args=[case.pk])).status_code == 403


def test_a_foreign_case_page_is_not_found(login, viewer, catalogue, rules):
    theirs = hotline(catalogue, "a-2", IN_OTHER_GRID)
    response = login(viewer).get(reverse("admin:cases_case_change", args=[theirs.pk]))
    assert response.status_code == 302  # the admin's "does not exist" redirect
