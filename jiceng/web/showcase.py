"""A believable day for the demo accounts, on top of the demo month.

The month's 20,000 cases are spread over the whole city, so the people of 花园路社区 and
劝业场街道 would see only a handful. This step gives them a working day: cases in the
grid worker's two grids in every state (some with a yellow or red card), a whistle with
one department reported in and one still on its way, a rated department, the grid
worker's patrol logs, and the resident's own requests, one of them closed and waiting
for their rating.

Everything is made through the real actions at instants before now (`clock.frozen`), in
one transaction: the step happens whole or not at all, and is skipped when its first
case exists. Deterministic: the same cases, texts and places every time; only the
instants follow the moment it runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import shapely
from django.db import transaction
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.cases import actions
from jiceng.cases.calendar import deadline
from jiceng.cases.choices import Satisfaction, Stage, WhistleReason
from jiceng.cases.demo import demo_photo, ensure_staff
from jiceng.cases.models import Case, Category
from jiceng.jurisdictions.models import Department, Grid, Jurisdiction
from jiceng.lib.clock import frozen
from jiceng.patrols.actions import log_patrol

from .demo import HEPING, QUANYECHANG

log = logging.getLogger(__name__)

MARK = "DEMO-SHOW-01"  # the 12345 order number of the step's first case
BEFORE = ("before.png", demo_photo())
AFTER = ("after.png", demo_photo(fixed=True))


@dataclass
class Day:
    """The demo accounts and the moment their day is drawn up to."""

    now: datetime
    worker: User
    secretary: User
    dispatcher: User
    clerk: User  # 和平区城市管理委员会
    resident: User
    grids: list[Grid]
    departments: dict[str, Department]  # kind → 和平区's department
    clerks: dict[int, User]  # department id → who acts for it
    categories: dict[str, Category] = field(default_factory=dict)
    spots: int = 0

    def ago(self, minutes: float) -> datetime:
        return self.now - timedelta(minutes=minutes)

    def category(self, code: str) -> Category:
        if code not in self.categories:
            self.categories[code] = Category.objects.get(code=code)
        return self.categories[code]

    def spot(self, grid: int) -> dict[str, float]:
        """A point inside one of the worker's grids, a few metres from the last one."""
        shape = self.grids[grid].geometry
        anchor = shape.representative_point()
        self.spots += 1
        step = self.spots % 9
        lng = anchor.x + 0.00015 * (step % 3 - 1)
        lat = anchor.y + 0.00012 * (step // 3 - 1)
        if not shape.contains(shapely.Point(lng, lat)):
            lng, lat = anchor.x, anchor.y
        return {"lng": round(lng, 6), "lat": round(lat, 6)}


def at(moment: datetime, action, *args, **kwargs):
    """Run an action as if at `moment`."""
    with frozen(moment):
        return action(*args, **kwargs)


def start_for(hours: float, before: datetime) -> datetime:
    """The latest start, in whole minutes before `before`, whose limit of `hours` working
    hours has run out by then. A limit in working hours may span a night, a weekend or a
    holiday, so the start is found by bisection over the calendar, not by subtraction."""

    def ran_out(minutes: int) -> bool:
        start = before - timedelta(minutes=minutes)
        return deadline(start, float(hours), natural=False) <= before

    low, high = 0, 30 * 24 * 60  # a month back, any limit of the catalogue has run out
    while low < high:
        middle = (low + high) // 2
        if ran_out(middle):
            high = middle
        else:
            low = middle + 1
    return before - timedelta(minutes=low)


# --- the step -------------------------------------------------------------------------------


def seed_showcase(now: datetime | None = None) -> str:
    """Draw up the demo accounts' day, unless it is there or the demo accounts are not."""
    if Case.objects.filter(hotline_order_no=MARK).exists():
        return "已存在，跳过"
    day = _day((now or timezone.now()).replace(second=0, microsecond=0))
    if day is None:
        return "没有演示账号，跳过"
    with transaction.atomic():
        made = [scene(day) for scene in SCENES]
        patrols = _patrols(day, made)
    swept = actions.sweep()  # the yellow and red cards the day has earned by now
    log.info("showcase: %s cases, %s patrol logs, sweep %s", len(made), len(patrols), swept)
    return f"{len(made)} 件演示事件, {len(patrols)} 条民情日志"


def _day(now: datetime) -> Day | None:
    names = ["qyc_gridworker", "qyc_secretary", "qyc_dispatcher", "heping_cgw_clerk"]
    people = {u.username: u for u in User.objects.filter(username__in=[*names, "qyc_resident"])}
    if len(people) < 5:
        return None
    worker = people["qyc_gridworker"]
    grids = list(Grid.objects.filter(posts__user=worker, posts__active=True).order_by("code"))
    if not grids:
        return None
    district = Jurisdiction.objects.defer("geometry_wkb").get(code=HEPING)
    departments = {d.kind: d for d in Department.objects.filter(jurisdiction=district)}
    return Day(
        now=now,
        worker=worker,
        secretary=people["qyc_secretary"],
        dispatcher=people["qyc_dispatcher"],
        clerk=people["heping_cgw_clerk"],
        resident=people["qyc_resident"],
        grids=(grids * 2)[:2],  # the first two (twice the one, for a one-grid worker)
        departments=departments,
        clerks=ensure_staff().department,
    )


# --- the scenes: one case each, in the order of their states ---------------------------------


def manual_queue(d: Day) -> Case:
    """已受理: a 12345 order placed only at street level; the dispatcher must choose."""
    case, _created = at(
        d.ago(35),
        actions.receive_hotline_order,
        order_no=MARK,
        category=d.category("0606"),
        description="滨江道与和平路交口附近垃圾桶满溢，气味很大，希望尽快清运",
        caller_name="赵秀兰",
        caller_phone="13920061234",
        address="劝业场街道 滨江道与和平路交口附近",
        jurisdiction_code=QUANYECHANG,
    )
    return case


def to_accept(d: Day) -> Case:
    """已派单: a report routed to the community, not yet accepted."""
    return at(
        d.ago(18),
        actions.report_by_grid_worker,
        acting_user=d.worker,
        category=d.category("0601"),
        description="12号楼东侧绿地内有人倾倒生活垃圾两袋",
        photos_in=[BEFORE],
        **d.spot(0),
    )


def overdue_at_the_department(d: Day) -> Case:
    """红牌: a street lamp order the department has not accepted in time; urged."""
    lamp = d.category("0111")
    received = start_for(lamp.limits(Stage.ACCEPT)[1], d.ago(20))
    case, _created = at(
        received,
        actions.receive_hotline_order,
        order_no="DEMO-SHOW-02",
        category=lamp,
        description="花园路与滨江道交口路灯连续三晚不亮，夜间行人看不清路",
        caller_name="钱国强",
        caller_phone="13820078899",
        **d.spot(1),
    )
    return at(d.ago(10), actions.urge, case, acting_user=d.dispatcher, note="已超时，请立即签收")


def duplicate(d: Day) -> Case:
    """已合并: a second call about the same lamp joins the first order."""
    original = Case.objects.get(hotline_order_no="DEMO-SHOW-02")
    case, _created = at(
        d.ago(50),
        actions.receive_hotline_order,
        order_no="DEMO-SHOW-04",
        category=original.category,
        description="花园路路灯不亮，晚上很黑，老人不敢出门",
        caller_name="孙丽",
        caller_phone="13622013456",
        lng=original.lng,
        lat=original.lat,
    )
    return at(d.ago(40), actions.merge, case, into=original, acting_user=d.dispatcher)


def warned_at_the_department(d: Day) -> Case:
    """黄牌: accepted by 城管委 long enough ago that its handling warning has passed."""
    grate = d.category("0104")
    accepted = start_for(grate.limits(Stage.HANDLE)[0], d.ago(10))
    case = at(
        accepted - timedelta(minutes=45),
        actions.report_by_grid_worker,
        acting_user=d.worker,
        category=grate,
        description="花园路8号门前雨水箅子缺失一块，有行人踩空的危险",
        photos_in=[BEFORE],
        **d.spot(1),
    )
    return at(accepted, actions.accept, case, acting_user=d.clerk)


def residents_request_in_progress(d: Day) -> Case:
    """办理中: the resident's own request, being handled by the community."""
    case = at(
        d.ago(185),
        actions.report_by_resident,
        acting_user=d.resident,
        category=d.category("0504"),
        description="3号楼2单元楼道灯坏了好几天，老人上下楼很不方便",
        address="花园路小区3号楼2单元",
        photos_in=[BEFORE],
        **d.spot(0),
    )
    case = at(d.ago(160), actions.accept, case, acting_user=d.secretary)
    return at(d.ago(120), actions.start, case, acting_user=d.secretary)


def replied_by_the_department(d: Day) -> Case:
    """已反馈: 城管委 replied with a photo; the grid worker checks it on site."""
    case = at(
        d.ago(300),
        actions.report_by_grid_worker,
        acting_user=d.worker,
        category=d.category("0102"),
        description="花园路与山西路交口污水井盖松动，车辆经过哐哐响",
        photos_in=[BEFORE],
        **d.spot(0),
    )
    case = at(d.ago(270), actions.accept, case, acting_user=d.clerk)
    return at(
        d.ago(55),
        actions.reply,
        case,
        acting_user=d.clerk,
        result="已更换井盖防震垫圈并紧固，现场恢复通行",
        photos_in=[AFTER],
    )


def replied_by_the_community(d: Day) -> Case:
    """已反馈: the community cleared it; also waiting for the worker's check."""
    case = at(
        d.ago(240),
        actions.report_by_grid_worker,
        acting_user=d.worker,
        category=d.category("0616"),
        description="5号楼下堆放废旧沙发和床垫，占用消防通道",
        photos_in=[BEFORE],
        **d.spot(1),
    )
    case = at(d.ago(225), actions.accept, case, acting_user=d.secretary)
    return at(
        d.ago(15),
        actions.reply,
        case,
        acting_user=d.secretary,
        result="已联系物业清运大件垃圾，消防通道已畅通",
        photos_in=[AFTER],
    )


def verified(d: Day) -> Case:
    """已核查: checked on site; the dispatcher closes it."""
    case = at(
        d.ago(1560),
        actions.report_by_grid_worker,
        acting_user=d.worker,
        category=d.category("0401"),
        description="滨江道行道树枝条下垂，遮挡交通标志",
        photos_in=[BEFORE],
        **d.spot(0),
    )
    case = at(d.ago(1500), actions.accept, case, acting_user=d.clerk)
    case = at(d.ago(200), actions.reply, case, acting_user=d.clerk, result="已修剪遮挡枝条")
    note = "现场查看，枝条已修剪到位"
    return at(d.ago(30), actions.verify, case, acting_user=d.worker, passed=True, note=note)


def awaiting_the_residents_rating(d: Day) -> Case:
    """已结案: recorded for the resident by the grid worker; the resident rates it."""
    case = at(
        d.ago(1620),
        actions.report_by_grid_worker,
        acting_user=d.worker,
        category=d.category("0505"),
        description="居民反映4号楼1单元门禁损坏，陌生人随意进出",
        photos_in=[BEFORE],
        requester=d.resident,
        **d.spot(1),
    )
    return _handled_by_the_community(d, case, [1580, 400, 300, 180], "已更换门禁读卡器")


def rated_by_the_resident(d: Day) -> Case:
    """已回访: the resident's request, closed and rated satisfied."""
    case = at(
        d.ago(4320),
        actions.report_by_resident,
        acting_user=d.resident,
        category=d.category("1006"),
        description="小区门口共享单车和电动车乱停，堵住了消防通道",
        photos_in=[BEFORE],
        **d.spot(0),
    )
    case = _handled_by_the_community(d, case, [4300, 2900, 2800, 2700], "已整理并划定停放区")
    return at(
        d.ago(2600),
        actions.rate_by_resident,
        case,
        acting_user=d.resident,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
        comment="现在门口整齐多了，谢谢社区",
    )


def _handled_by_the_community(d: Day, case: Case, minutes: list[int], result: str) -> Case:
    """Accept, reply, verify and close at the given minutes ago."""
    accepted, replied, checked, closed = (d.ago(m) for m in minutes)
    case = at(accepted, actions.accept, case, acting_user=d.secretary)
    case = at(replied, actions.reply, case, acting_user=d.secretary, result=result)
    case = at(checked, actions.verify, case, acting_user=d.worker, passed=True)
    return at(closed, actions.close, case, acting_user=d.dispatcher)


def self_resolved(d: Day) -> Case:
    """自处置: fixed on the spot during this morning's patrol."""
    return at(
        d.ago(260),
        actions.report_by_grid_worker,
        acting_user=d.worker,
        category=d.category("0701"),
        description="花园路公交站亭贴有小广告，已现场清除",
        photos_in=[BEFORE],
        self_resolved=True,
        after_photos=[AFTER],
        **d.spot(0),
    )


def returned(d: Day) -> Case:
    """已退单: not 城管委's to fix; the dispatcher must send it elsewhere."""
    case, _created = at(
        d.ago(150),
        actions.receive_hotline_order,
        order_no="DEMO-SHOW-03",
        category=d.category("0106"),
        description="山西路通信井盖破损下沉，路过车辆颠簸",
        caller_name="周建华",
        caller_phone="13512024680",
        **d.spot(1),
    )
    reason = "通信井盖属通信运营商产权，请转运营商处置"
    return at(d.ago(100), actions.return_case, case, acting_user=d.clerk, reason=reason)


def parked(d: Day) -> Case:
    """已挂账: needs the three carriers together; the street parked it."""
    case = at(
        d.ago(2880),
        actions.report_by_grid_worker,
        acting_user=d.worker,
        category=d.category("0119"),
        description="2号楼外墙架空线缆杂乱下垂，存在安全隐患",
        photos_in=[BEFORE],
        **d.spot(1),
    )
    case = at(d.ago(2850), actions.accept, case, acting_user=d.clerk)
    why = "需协调电信、移动、联通三家统一整治，申请挂账"
    case = at(d.ago(2000), actions.request_park, case, acting_user=d.clerk, reason=why)
    why = "同意挂账，纳入本月线缆整治计划"
    return at(d.ago(1900), actions.approve_park, case, acting_user=d.dispatcher, reason=why)


def whistled_with_one_on_its_way(d: Day) -> Case:
    """吹哨: 城管委 and the transport bureau summoned for an hour; 城管委 reported in."""
    housing, transport = d.departments["housing"], d.departments["transport"]
    case = at(
        d.ago(130),
        actions.report_by_grid_worker,
        acting_user=d.worker,
        category=d.category("0803"),
        description="9号楼旁施工围挡占用人行道，行人只能走机动车道",
        photos_in=[BEFORE],
        **d.spot(1),
    )
    case = at(d.ago(110), actions.accept, case, acting_user=d.clerks[housing.pk])
    whistle = at(
        d.ago(25),
        actions.blow_whistle,
        case,
        acting_user=d.dispatcher,
        departments=[d.departments["urban_management"], transport],
        reason=WhistleReason.JOINT_ENFORCEMENT,
        note="施工占道影响通行，请城管委、交通运输局到场联合处置",
        minutes=60,
    )
    summons = whistle.summons.get(department=d.clerk.department)
    at(d.ago(12), actions.report_in, summons, acting_user=d.clerk, note="执法队员已到现场")
    return case


def whistled_just_now(d: Day) -> Case:
    """吹哨: the street's own case; 城管委 summoned six minutes ago, not there yet."""
    case = at(
        d.ago(70),
        actions.report_by_grid_worker,
        acting_user=d.worker,
        category=d.category("0603"),
        description="花园路菜市场门口路面油污面积较大，行人易滑倒",
        photos_in=[BEFORE],
        **d.spot(0),
    )
    case = at(d.ago(60), actions.accept, case, acting_user=d.dispatcher)
    at(
        d.ago(6),
        actions.blow_whistle,
        case,
        acting_user=d.dispatcher,
        departments=[d.departments["urban_management"]],
        reason=WhistleReason.JOINT_ENFORCEMENT,
        note="请城管委派执法队员到场，督促商户清理油污",
    )
    return case


def departments_rated(d: Day) -> Case:
    """下考上: a closed case whose two summoned departments the street has rated."""
    urban, ecology = d.departments["urban_management"], d.departments["ecology"]
    case = at(
        d.ago(3000),
        actions.report_by_grid_worker,
        acting_user=d.worker,
        category=d.category("0602"),
        description="花园路拆迁空地积存建筑垃圾渣土，未苫盖，起风扬尘",
        photos_in=[BEFORE],
        **d.spot(0),
    )
    case = at(d.ago(2980), actions.accept, case, acting_user=d.dispatcher)
    whistle = at(
        d.ago(2960),
        actions.blow_whistle,
        case,
        acting_user=d.dispatcher,
        departments=[urban, ecology],
        reason=WhistleReason.JOINT_ENFORCEMENT,
    )
    for department, minutes in ((urban, 2945), (ecology, 2920)):  # 生态环境局 comes late
        summons = whistle.summons.get(department=department)
        at(d.ago(minutes), actions.report_in, summons, acting_user=d.clerks[department.pk])
    result = "已联合城管、生态环境部门清运渣土，剩余部分已苫盖"
    case = at(d.ago(1500), actions.reply, case, acting_user=d.dispatcher, result=result)
    case = at(d.ago(1400), actions.verify, case, acting_user=d.worker, passed=True)
    case = at(d.ago(1380), actions.close, case, acting_user=d.dispatcher)
    for department, scores, minutes in ((urban, (5, 5, 4), 1370), (ecology, (3, 4, 3), 1365)):
        summons = whistle.summons.get(department=department)
        speed, attitude, result_score = scores
        at(
            d.ago(minutes),
            actions.rate_department,
            summons,
            acting_user=d.dispatcher,
            speed=speed,
            attitude=attitude,
            result=result_score,
        )
    return at(
        d.ago(1300),
        actions.follow_up,
        case,
        acting_user=d.dispatcher,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
        note="回访周边居民，表示满意",
    )


SCENES = [
    manual_queue,
    to_accept,
    overdue_at_the_department,
    duplicate,
    warned_at_the_department,
    residents_request_in_progress,
    replied_by_the_department,
    replied_by_the_community,
    verified,
    awaiting_the_residents_rating,
    rated_by_the_resident,
    self_resolved,
    returned,
    parked,
    whistled_with_one_on_its_way,
    whistled_just_now,
    departments_rated,
]


# --- the grid worker's patrol logs -------------------------------------------------------------


PATROLS = [
    # (grid, started and ended minutes ago, households, people, problems, notes)
    (0, 330, 235, 9, 14, "12号楼东侧绿地有人倾倒垃圾；公交站亭有小广告（已清除）",
     "走访3号楼独居老人王大爷，身体状况良好，反映楼道灯不亮"),
    (1, 1500, 1410, 6, 8, "4号楼1单元门禁损坏", "入户走访新入住租户两户，登记基本信息"),
    (0, 1260, 1170, 7, 11, "", "巡查小区消防通道，无占用"),
    (1, 2920, 2830, 5, 7, "2号楼外墙线缆下垂", "与物业沟通线缆整治计划"),
]  # fmt: skip


def _patrols(d: Day, made: list[Case]) -> list:
    """Today's first patrol (with the case fixed on the way), and three before it."""
    fixed_on_the_way = [c for c in made if c.self_resolved]
    logs = []
    for n, (grid, started, ended, households, people, issues, notes) in enumerate(PATROLS):
        logs.append(
            at(
                d.ago(ended - 5),
                log_patrol,
                acting_user=d.worker,
                grid=d.grids[grid],
                started_at=d.ago(started),
                ended_at=d.ago(ended),
                households_visited=households,
                people_visited=people,
                issues_found=issues,
                notes=notes,
                cases=fixed_on_the_way if n == 0 else [],
            )
        )
    return logs
