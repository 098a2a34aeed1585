"""The demo city: the real Tianjin tree, synthetic grids, departments and one user per
role in two subdistricts (劝业场街道 and 小白楼街道 of 和平区) plus a neighbouring district.

Re-runnable and deterministic: every step skips what is already there.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.db import transaction

from jiceng.accounts.actions import assign_post, create_user
from jiceng.accounts.choices import Role
from jiceng.accounts.models import User
from jiceng.jurisdictions.choices import Employment, GridKind, PostKind
from jiceng.jurisdictions.departments import ensure_default_departments
from jiceng.jurisdictions.models import Department, Grid, Jurisdiction

log = logging.getLogger(__name__)

DEMO_PASSWORD = "jiceng-demo-2026"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    full_name: str
    place: str  # jurisdiction code, or department name for clerks
    phone: str = ""
    post: str = ""  # PostKind for community posts
    grids: int = 0  # grid workers: how many of the community's grids they cover
    employment: str = ""


CITY, HEPING, NANKAI = "120000000000", "120101000000", "120104000000"
QUANYECHANG, XIAOBAILOU = "120101001000", "120101002000"
HUAYUANLU, TAIANDAO = "120101001001", "120101002002"  # 花园路社区, 泰安道社区
DEMO_SYSTEM = "和平区12345热线分中心"  # the demo's external system (X-Api-Key)

DEMO_USERS = [
    DemoUser("admin", Role.SYSTEM_ADMIN, "系统管理员", ""),
    DemoUser("city_leader", Role.CITY_LEADER, "王建国", CITY),
    DemoUser("heping_leader", Role.DISTRICT_LEADER, "李卫东", HEPING),
    DemoUser("nankai_leader", Role.DISTRICT_LEADER, "赵丽华", NANKAI),
    DemoUser("qyc_dispatcher", Role.SUBDISTRICT_DISPATCHER, "刘洋", QUANYECHANG),
    DemoUser("xbl_dispatcher", Role.SUBDISTRICT_DISPATCHER, "陈静", XIAOBAILOU),
    DemoUser(
        "qyc_secretary",
        Role.COMMUNITY_SECRETARY,
        "张桂英",
        HUAYUANLU,
        post="dual",  # 一肩挑: secretary and committee chair
    ),
    DemoUser("qyc_staff", Role.COMMUNITY_STAFF, "孙明", HUAYUANLU),
    DemoUser(
        "qyc_gridworker",
        Role.GRID_WORKER,
        "周海燕",
        HUAYUANLU,
        "13802200101",
        PostKind.GRID_WORKER,
        2,
        Employment.FULL_TIME,
    ),
    DemoUser(
        "xbl_secretary",
        Role.COMMUNITY_SECRETARY,
        "吴晓东",
        TAIANDAO,
        post=PostKind.COMMUNITY_SECRETARY,
    ),
    DemoUser("xbl_staff", Role.COMMUNITY_STAFF, "郑芳", TAIANDAO),
    DemoUser(
        "xbl_gridworker",
        Role.GRID_WORKER,
        "钱志强",
        TAIANDAO,
        "13802200202",
        PostKind.GRID_WORKER,
        1,
        Employment.PART_TIME,
    ),
    DemoUser("heping_cgw_clerk", Role.DEPARTMENT_CLERK, "冯涛", "和平区城市管理委员会"),
    DemoUser("nankai_sw_clerk", Role.DEPARTMENT_CLERK, "许娜", "南开区水务局"),
    DemoUser("qyc_resident", Role.RESIDENT, "韩梅梅", HUAYUANLU, "13902200303"),
    DemoUser("xbl_resident", Role.RESIDENT, "李雷", TAIANDAO, "13902200404"),
]


def seed_demo(stdout=None) -> dict[str, float]:
    """Build whatever part of the demo city is missing; returns seconds per step."""
    timings: dict[str, float] = {}
    _step("divisions", _ensure_divisions, timings, stdout)
    _step("grids", _ensure_grids, timings, stdout)
    _step("departments", ensure_default_departments, timings, stdout)
    _step("users", _ensure_users, timings, stdout)
    _step("policy", _ensure_policy, timings, stdout)
    _step("external system", _ensure_external_system, timings, stdout)
    return timings


def _step(name, func, timings, stdout) -> None:
    started = time.perf_counter()
    result = func()
    timings[name] = round(time.perf_counter() - started, 2)
    if stdout is not None:
        stdout.write(f"  {name}: {result} ({timings[name]} s)")


def _ensure_policy() -> str:
    """The catalogue, the responsibility list and staff for every unit; the month of
    cases itself comes from `jiceng seed-demo-cases` (make run starts it in the
    background)."""
    from jiceng.cases.demo import ensure_policy, ensure_staff

    rules = ensure_policy()
    staff = ensure_staff()
    return f"{rules['rules']} 条权责清单, {len(staff.community)} 个社区/村有书记"


def _ensure_external_system() -> str:
    """和平区's 12345 centre, serving the demo accounts' district, made by the real action.
    Its key is thrown away: keys are kept only as digests, so `demo-logins` prints the
    command that rotates in a fresh one."""
    from jiceng.api.actions import create_external_system
    from jiceng.api.choices import Use
    from jiceng.api.models import ExternalSystem

    if ExternalSystem.objects.filter(name=DEMO_SYSTEM).exists():
        return "已存在，跳过"
    area = Jurisdiction.objects.defer("geometry_wkb").get(code=HEPING)
    create_external_system(name=DEMO_SYSTEM, area=area, uses=list(Use.values))
    return f"新建外部系统 {DEMO_SYSTEM}"


def _ensure_divisions() -> str:
    from django.conf import settings

    from jiceng.jurisdictions.divisions import default_files, import_divisions

    if Jurisdiction.objects.exists():
        return "已存在，跳过"
    result = import_divisions(*default_files(settings.JICENG_DATA_DIR))
    return f"导入 {result['created']} 个单位"


def _ensure_grids() -> str:
    from jiceng.jurisdictions.gridgen import build_demo_grids

    if Grid.objects.filter(kind=GridKind.GENERAL).exists():
        return "已存在，跳过"
    return str(build_demo_grids())


@transaction.atomic
def _ensure_users() -> str:
    made = 0
    for spec in DEMO_USERS:
        if User.objects.filter(username=spec.username).exists():
            continue
        _create_demo_user(spec)
        made += 1
    return f"新建 {made} 个演示账号"


def _create_demo_user(spec: DemoUser) -> User:
    jurisdiction = department = None
    if spec.role == Role.DEPARTMENT_CLERK:
        department = Department.objects.get(name=spec.place)
    elif spec.place:
        jurisdiction = Jurisdiction.objects.defer("geometry_wkb").get(code=spec.place)
    user = create_user(
        username=spec.username,
        role=spec.role,
        password=DEMO_PASSWORD,
        full_name=spec.full_name,
        phone=spec.phone,
        jurisdiction=jurisdiction,
        department=department,
    )
    _give_posts(user, spec, jurisdiction)
    return user


def _give_posts(user: User, spec: DemoUser, community: Jurisdiction | None) -> None:
    if spec.post == "dual":
        for kind in (PostKind.COMMUNITY_SECRETARY, PostKind.COMMITTEE_CHAIR):
            assign_post(user, kind=kind, community=community)
    elif spec.post == PostKind.GRID_WORKER:
        grids = list(community.grids.filter(kind=GridKind.GENERAL).order_by("code"))
        assign_post(
            user,
            kind=spec.post,
            community=community,
            grids=grids[: spec.grids],
            employment=spec.employment,
        )
    elif spec.post:
        assign_post(user, kind=spec.post, community=community)
