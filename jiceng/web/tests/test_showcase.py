"""The demo accounts' day (jiceng/web/showcase.py): every state, the cards, the whistle,
the patrols and the resident's requests; made once however often it runs; and each demo
account's main page has something on it."""

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from jiceng.accounts.models import User
from jiceng.cases.calendar import deadline
from jiceng.cases.choices import Status
from jiceng.cases.models import Case, CaseEvent, Summons
from jiceng.jurisdictions.actions import create_jurisdiction
from jiceng.jurisdictions.choices import Kind, Level
from jiceng.patrols.models import PatrolLog
from jiceng.web.demo import NANKAI, seed_demo
from jiceng.web.showcase import MARK, seed_showcase, start_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(cast):
    """The demo accounts on the cast's tree (it has the demo's codes for 和平区, its two
    streets and their communities), with the real catalogue and responsibility list."""
    create_jurisdiction(
        code=NANKAI, name="南开区", level=Level.DISTRICT, kind=Kind.DISTRICT, parent=cast.city
    )
    seed_demo()
    assert seed_showcase() == "17 件演示事件, 4 条民情日志"
    return {u.username: u for u in User.objects.filter(username__contains="_")}


def test_the_day_has_a_case_in_every_state_with_a_yellow_and_a_red_card(demo, cast):
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    assert Case.objects.filter(overdue=True, status=Status.DISPATCHED).count() == 1
    assert Case.objects.filter(warned=True, overdue=False, status=Status.ACCEPTED).count() == 1
    # All in the grid worker's two grids, but the 12345 order placed only at street level.
    grids = Counter(Case.objects.values_list("grid", flat=True))
    assert set(grids) == {cast.grid.pk, cast.second_grid.pk, None} and grids[None] == 1
    assert Case.objects.get(grid=None).in_manual_queue


def test_the_whistle_has_one_department_reported_in_and_one_on_its_way(demo):
    clerk = demo["heping_cgw_clerk"]
    whistled = Case.objects.get(hotline_order_no=None, category__code="0803")
    summons = {s.department.name: s for s in whistled.summons.select_related("department")}
    assert set(summons) == {"和平区城市管理委员会", "和平区交通运输局"}
    assert summons["和平区城市管理委员会"].reported_by == clerk
    assert summons["和平区交通运输局"].reported_at is None
    rated = Summons.objects.filter(rated_by=demo["qyc_dispatcher"])
    assert sorted(s.score for s in rated) == [3.33, 4.67]  # 下考上 of a closed case


def test_the_resident_has_requests_and_one_waits_for_their_rating(demo):
    resident = demo["qyc_resident"]
    theirs = Case.objects.filter(requester=resident)
    assert Counter(theirs.values_list("status", flat=True)) == {
        Status.IN_PROGRESS: 1,
        Status.CLOSED: 1,
        Status.FOLLOWED_UP: 1,
    }
    rated = theirs.get(status=Status.FOLLOWED_UP)
    assert rated.events.filter(action="rate", actor=resident).exists()


def test_the_grid_worker_has_patrol_logs_and_cases_to_verify(demo):
    worker = demo["qyc_gridworker"]
    assert PatrolLog.objects.filter(worker=worker).count() == 4
    assert PatrolLog.objects.filter(cases__self_resolved=True).count() == 1
    assert Case.objects.filter(status=Status.REPLIED, grid__posts__user=worker).count() == 2


def test_running_it_again_makes_nothing_more(demo):
    before = [m.objects.count() for m in (Case, CaseEvent, Summons, PatrolLog)]
    assert seed_showcase() == "已存在，跳过"
    assert [m.objects.count() for m in (Case, CaseEvent, Summons, PatrolLog)] == before
    assert Case.objects.filter(hotline_order_no=MARK).count() == 1


def test_without_the_demo_accounts_it_does_nothing(cast, catalogue):
    assert seed_showcase() == "没有演示账号，跳过"
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("username", "page", "shows"),
    [
        ("qyc_gridworker", "home", ['待核查 <span class="count">2</span>', "已反馈"]),
        ("qyc_secretary", "home", ["暴露垃圾", "楼道照明"]),
        ("qyc_dispatcher", "case-queue", ["垃圾满溢", "待人工派单", "红牌", "黄牌"]),
        ("heping_cgw_clerk", "home", ["道路不洁", "路灯", "红牌", "雨水箅子"]),
        ("qyc_resident", "home", ["单元门禁", "提交评价", "楼道照明", "非机动车乱停放"]),
        ("heping_leader", "home", ["劝业场街道"]),
        ("city_leader", "home", ["和平区"]),
    ],
)
def test_each_demo_account_sees_a_busy_main_page(demo, client, username, page, shows):
    client.force_login(demo[username])
    html = client.get(reverse(page)).content.decode()
    for text in shows:
        assert text in html, (username, text)


def test_the_communitys_public_page_lists_the_closed_cases(demo, client, cast):
    html = client.get(reverse("public-community", args=[cast.community.code])).content.decode()
    for category in ("非机动车乱停放", "单元门禁", "积存垃圾渣土", "乱张贴小广告"):
        assert category in html


def test_a_start_is_found_whose_working_hours_limit_has_just_run_out():
    shanghai = ZoneInfo("Asia/Shanghai")
    monday = datetime(2026, 11, 23, 9, 30, tzinfo=shanghai)
    start = start_for(16, monday)  # back over the weekend: Monday ½ h, Friday, Thursday, …
    assert start == datetime(2026, 11, 18, 16, 0, tzinfo=shanghai)  # … Wednesday's last 1½ h
    assert deadline(start, 16, natural=False) == monday
    assert deadline(start + timedelta(minutes=1), 16, natural=False) > monday
