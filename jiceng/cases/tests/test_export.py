"""Excel exports of the case list: the user's cases only, callers masked unless the user
may unmask and asks to, and then the export is logged."""

import logging

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from jiceng.cases import actions
from jiceng.lib.excel import XLSX, read_rows

from .fixtures import IN_GRID, IN_OTHER_GRID

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotline_cases(cast, catalogue, rules):
    ours, _ = actions.receive_hotline_order(
        order_no="X-1",
        category=catalogue["garbage"],
        description="楼下垃圾",
        caller_name="王小二",
        caller_phone="13912345678",
        lng=IN_GRID[0],
        lat=IN_GRID[1],
    )
    theirs, _ = actions.receive_hotline_order(
        order_no="X-2",
        category=catalogue["garbage"],
        description="别处垃圾",
        caller_name="赵大",
        caller_phone="13800001111",
        lng=IN_OTHER_GRID[0],
        lat=IN_OTHER_GRID[1],
    )
    return ours, theirs


def export(client, **params):
    response = client.get(reverse("case-export"), params)
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    return read_rows(response.content)


def test_an_export_lists_the_users_cases_with_callers_masked(login, cast, hotline_cases):
    ours, theirs = hotline_cases
    rows = export(login(cast.dispatcher))
    assert rows[0][0] == "编号"
    numbers = [r[0] for r in rows[1:]]
    assert numbers == [ours.number] and theirs.number not in numbers
    caller = rows[1][14:16]
    assert caller == ("王*二", "139****5678")
    assert "13912345678" not in str(rows)


def test_asking_to_unmask_without_the_permission_still_masks(login, cast, hotline_cases):
    rows = export(login(cast.dispatcher), unmask="1")
    assert rows[1][15] == "139****5678"


def test_an_unmasked_export_needs_the_permission_and_is_logged(login, cast, hotline_cases):
    cast.dispatcher.user_permissions.add(Permission.objects.get(codename="unmask_personal_data"))
    cast.dispatcher._perm_cache = set()
    seen = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    audit = logging.getLogger("jiceng.audit")
    audit.addHandler(handler)
    try:
        rows = export(login(cast.dispatcher), unmask="1")
    finally:
        audit.removeHandler(handler)
    assert rows[1][15] == "13912345678"
    assert any("unmasked in export" in m and "dispatcher" in m for m in seen)
    assert not any("13912345678" in m for m in seen)


def test_the_export_follows_the_queue_filters(login, cast, hotline_cases):
    rows = export(login(cast.dispatcher), status="closed")
    assert rows[1:] == []
