"""Helpers of the residents' tests: resident requests made through the real actions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.accounts.actions import create_user
from jiceng.accounts.choices import Role
from jiceng.cases import actions
from jiceng.cases.models import Case
from jiceng.cases.tests.fixtures import IN_GRID, IN_OTHER_GRID, run_to

CALLER = "王小二"
CALLER_PHONE = "13912345678"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def resident_report(cast, catalogue, *, user=None, text="楼道堆物无人清理", at=IN_GRID) -> Case:
    """A resident's own report with a point in the cast's first grid (the community's)."""
    return actions.report_by_resident(
        acting_user=user or cast.resident,
        category=catalogue["garbage"],
        description=text,
        lng=at[0],
        lat=at[1],
    )


def hotline_for(catalogue, requester=None, *, order_no="12345-9", at=IN_GRID) -> Case:
    """A 12345 order; `requester` is recorded on it the way intake records it for a caller
    who has an account (set on the row here: intake is another module's)."""
    case, _created = actions.receive_hotline_order(
        order_no=order_no,
        category=catalogue["garbage"],
        description="楼下垃圾三天无人清运，电话13912345678",
        caller_name=CALLER,
        caller_phone=CALLER_PHONE,
        lng=at[0],
        lat=at[1],
    )
    if requester is not None:
        Case.objects.filter(pk=case.pk).update(requester=requester)
        case.refresh_from_db()
    return case


def closed(case, cast) -> Case:
    return run_to(case, cast, "closed")


def another_resident(cast, username="neighbour_resident", community=None):
    return create_user(
        username=username,
        role=Role.RESIDENT,
        password="x-password-1",
        full_name="李雷",
        jurisdiction=community or cast.community,
        phone="13902200404",
    )


def queries_of(fetch) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == 200
    return len(captured)


__all__ = ["IN_OTHER_GRID", "run_to"]
