"""A realistic recent month of cases for the demo city, made through the real actions.

Deterministic (a seeded generator; the same database gives the same cases), and every
source, state and side path appears: self-resolution, returns, escalations, whistles
with report-ins (some late), failed site checks, follow-ups, reopenings, overdue stages.
Each case lives its whole life inside `clock.frozen(...)` at the instants drawn for it.
"""

from __future__ import annotations

import logging
import random
import struct
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from jiceng.accounts.choices import Role
from jiceng.accounts.models import User
from jiceng.jurisdictions.choices import GridKind, Level
from jiceng.jurisdictions.models import Department, Grid, Jurisdiction
from jiceng.lib.clock import frozen

from . import actions, notify
from .catalogue import load_catalogue
from .choices import Handler, Satisfaction, Status, Urgency, WhistleReason
from .models import Case, Category, Responsibility, SkipLevelRule
from .transitions import CaseError

log = logging.getLogger(__name__)

# Which kind of district department handles each 大类 when its level is "department".
DEPARTMENT_KIND = {
    "01": "urban_management", "02": "transport", "03": "urban_management",
    "04": "urban_management", "05": "housing", "06": "urban_management",
    "07": "urban_management", "08": "housing", "09": "emergency", "10": "urban_management",
    "11": "market_regulation", "12": "housing", "13": "housing", "14": "housing",
    "15": "water", "16": "transport", "17": "ecology", "20": "health",
    "21": "market_regulation", "22": "public_security", "25": "emergency",
}  # fmt: skip
SOURCES = [("grid_report", 45), ("hotline", 35), ("resident", 10), ("patrol", 10)]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志海燕"


@dataclass
class Staff:
    """Who acts for each unit in the demo."""

    community: dict[int, User]
    subdistrict: dict[int, User]
    department: dict[int, User]
    residents: dict[int, User]  # community id → its demo resident


# --- policy and people ------------------------------------------------------------------


def ensure_policy() -> dict[str, int]:
    """The default catalogue, a responsibility list per district and skip-level rules."""
    load_catalogue()
    if Responsibility.objects.exists():
        return {"rules": Responsibility.objects.count()}
    items = list(Category.objects.filter(parent__isnull=False).select_related("parent"))
    departments = {(d.jurisdiction_id, d.kind): d for d in Department.objects.all()}
    rules = []
    for district in Jurisdiction.objects.filter(level=Level.DISTRICT).defer("geometry_wkb"):
        for category in items:
            rules.append(_rule(category, district, departments))
    Responsibility.objects.bulk_create(rules, batch_size=500)
    _skip_rules(items)
    return {"rules": len(rules)}


def _rule(category: Category, district: Jurisdiction, departments) -> Responsibility:
    kind = DEPARTMENT_KIND.get(category.parent.code)
    department = departments.get((district.pk, kind))
    if category.handling_level == Handler.DEPARTMENT and department is not None:
        return Responsibility(
            category=category,
            jurisdiction=district,
            handler=Handler.DEPARTMENT,
            department=department,
            note="演示权责清单",
        )
    handler = (
        Handler.SUBDISTRICT if category.handling_level != Handler.COMMUNITY else (Handler.COMMUNITY)
    )
    return Responsibility(
        category=category, jurisdiction=district, handler=handler, note="演示权责清单"
    )


def _skip_rules(items: list[Category]) -> None:
    SkipLevelRule.objects.bulk_create(
        [
            SkipLevelRule(
                category=c,
                urgency=Urgency.EMERGENCY,
                target_level=Handler.DEPARTMENT,
                department_kind="emergency",
                copy_kinds="urban_management",
            )
            for c in items
            if c.urgency == Urgency.EMERGENCY
        ]
    )


def ensure_staff(seed: int = 2026) -> Staff:
    """One secretary per community, one dispatcher per subdistrict and one clerk per
    department where the demo accounts have none (they cannot log in: no password)."""
    rng = random.Random(seed)
    have = _existing_staff()
    unusable = make_password(None)
    new = []
    for unit in Jurisdiction.objects.filter(level__in=["community", "subdistrict"]).defer(
        "geometry_wkb"
    ):
        role = (
            Role.COMMUNITY_SECRETARY if unit.level == "community" else (Role.SUBDISTRICT_DISPATCHER)
        )
        if unit.pk not in have[unit.level]:
            new.append(_person(f"auto_{unit.code}", role, rng, unusable, jurisdiction=unit))
    for department in Department.objects.all():
        if department.pk not in have["department"]:
            new.append(
                _person(
                    f"auto_d{department.pk}",
                    Role.DEPARTMENT_CLERK,
                    rng,
                    unusable,
                    department=department,
                )
            )
    User.objects.bulk_create(new, batch_size=500)
    return _staff_maps()


def _person(username, role, rng, password, **scope) -> User:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
    return User(username=username, role=role, full_name=name, password=password, **scope)


def _existing_staff() -> dict[str, set[int]]:
    return {
        "community": set(
            User.objects.filter(role=Role.COMMUNITY_SECRETARY).values_list(
                "jurisdiction_id", flat=True
            )
        ),
        "subdistrict": set(
            User.objects.filter(role=Role.SUBDISTRICT_DISPATCHER).values_list(
                "jurisdiction_id", flat=True
            )
        ),
        "department": set(
            User.objects.filter(role=Role.DEPARTMENT_CLERK).values_list("department_id", flat=True)
        ),
    }


def _staff_maps() -> Staff:
    residents = User.objects.filter(role=Role.RESIDENT, jurisdiction__isnull=False)
    staff = Staff({}, {}, {}, {u.jurisdiction_id: u for u in residents.order_by("-pk")})
    users = User.objects.filter(
        role__in=[Role.COMMUNITY_SECRETARY, Role.SUBDISTRICT_DISPATCHER, Role.DEPARTMENT_CLERK]
    ).order_by("-id")  # the demo accounts (created first) win: setdefault keeps the last seen
    for user in users:
        if user.role == Role.COMMUNITY_SECRETARY:
            staff.community[user.jurisdiction_id] = user
        elif user.role == Role.SUBDISTRICT_DISPATCHER:
            staff.subdistrict[user.jurisdiction_id] = user
        else:
            staff.department[user.department_id] = user
    return staff


# --- one case's life --------------------------------------------------------------------


class Life:
    """Walks one case through its lifecycle at drawn instants, stopping at `end`."""

    def __init__(self, rng: random.Random, staff: Staff, end: datetime):
        self.rng, self.staff, self.end = rng, staff, end

    def at(self, moment: datetime):
        return frozen(moment)

    def handler(self, case: Case) -> User | None:
        if case.assigned_department_id:
            return self.staff.department.get(case.assigned_department_id)
        unit = case.assigned_jurisdiction
        if unit is None:
            return None
        pool = self.staff.community if unit.level == "community" else self.staff.subdistrict
        return pool.get(unit.pk)

    def dispatcher(self, case: Case) -> User | None:
        return self.staff.subdistrict.get(case.subdistrict_id)

    def verifier(self, case: Case) -> User | None:
        from .notify import verifiers_of

        return verifiers_of(case).first()

    def later(self, t: datetime, low_h: float, high_h: float) -> datetime:
        return t + timedelta(hours=self.rng.uniform(low_h, high_h))

    def live(self, case: Case) -> None:
        t = case.received_at
        if case.status == Status.RECEIVED and case.in_manual_queue:
            t = self.later(t, 0.1, 2)
            if t >= self.end or not self._manual_dispatch(case, t):
                return
            case.refresh_from_db()
        self._handle(case, t)

    def _manual_dispatch(self, case: Case, t: datetime) -> bool:
        user = self.dispatcher(case)
        if user is None or case.community is None:
            return False
        with self.at(t):
            actions.dispatch(case, acting_user=user, jurisdiction=case.community)
        return True

    def _handle(self, case: Case, t: datetime) -> None:
        rng = self.rng
        while case.status == Status.DISPATCHED:
            user = self.handler(case)
            # Most units accept within their limit; one in ten is late.
            t = self.later(t, 0.05, 1.5) if rng.random() > 0.1 else self.later(t, 3, 30)
            if t >= self.end or user is None:
                return
            case = self._first_step(case, user, t)
            if case is None:
                return
        self._work(case, t)

    def _first_step(self, case: Case, user: User, t: datetime) -> Case | None:
        roll = self.rng.random()
        with self.at(t):
            if roll < 0.04 and case.return_count == 0:
                case = actions.return_case(case, acting_user=user, reason="不属于本单位职责")
                return self._after_return(case, t)
            if (
                roll < 0.07
                and case.assigned_jurisdiction_id
                and case.escalation_level == ("community")
            ):
                return actions.escalate(case, acting_user=user, reason="超出社区处置能力")
            return actions.accept(case, acting_user=user)

    def _after_return(self, case: Case, t: datetime) -> Case | None:
        user = self.dispatcher(case)
        t = self.later(t, 0.2, 3)
        if user is None or t >= self.end:
            return None
        with self.at(t):
            if self.rng.random() < 0.5:
                return actions.overrule(case, acting_user=user, note="经核实属于该单位职责")
            if case.subdistrict_id:
                return actions.dispatch(case, acting_user=user, jurisdiction=case.subdistrict)
        return None

    def _work(self, case: Case, t: datetime) -> None:
        if case.status != Status.ACCEPTED:
            return
        self._maybe_whistle(case, t)
        user = self.handler(case)
        t = self.later(t, 2, 60)
        if t >= self.end:
            return
        with self.at(t):
            case = actions.reply(case, acting_user=user, result="已按要求处置完毕")
        self._check_and_close(case, t)

    def _maybe_whistle(self, case: Case, t: datetime) -> None:
        user = self.dispatcher(case)
        if user is None or self.rng.random() > 0.03:
            return
        pool = list(Department.objects.filter(jurisdiction_id=case.district_id)[:9])
        chosen = self.rng.sample(pool, k=min(len(pool), self.rng.choice([1, 2])))
        with self.at(self.later(t, 0, 0.5)):
            whistle = actions.blow_whistle(
                case,
                acting_user=user,
                departments=chosen,
                reason=self.rng.choice(WhistleReason.values),
            )
        for summons in whistle.summons.all():
            clerk = self.staff.department.get(summons.department_id)
            moment = whistle.blown_at + timedelta(minutes=self.rng.uniform(5, 50))
            if clerk is not None and moment < self.end:
                with self.at(moment):
                    actions.report_in(summons, acting_user=clerk, note="已到现场联合处置")

    def _check_and_close(self, case: Case, t: datetime) -> None:
        verifier = self.verifier(case)
        t = self.later(t, 0.3, 8)
        if verifier is None or t >= self.end:
            return
        if self.rng.random() < 0.08:  # the site check fails: rework
            with self.at(t):
                case = actions.verify(case, acting_user=verifier, passed=False, note="现场仍有问题")
            t = self.later(t, 2, 24)
            if t >= self.end:
                return
            with self.at(t):
                case = actions.reply(case, acting_user=self.handler(case), result="已返工")
            t = self.later(t, 0.3, 6)
            if t >= self.end:
                return
        with self.at(t):
            case = actions.verify(case, acting_user=verifier, passed=True)
        self._close_and_follow(case, t)

    def _close_and_follow(self, case: Case, t: datetime) -> None:
        user = self.dispatcher(case)
        t = self.later(t, 0.1, 4)
        if user is None or t >= self.end:
            return
        with self.at(t):
            case = actions.close(case, acting_user=user)
        self._rate(case, user, t)
        t = self.later(t, 6, 48)
        if t >= self.end:
            return
        satisfaction = self.rng.choices(Satisfaction.values, weights=[75, 15, 10])[0]
        with self.at(t):
            case = actions.follow_up(
                case,
                acting_user=user,
                resolved=satisfaction != Satisfaction.DISSATISFIED,
                satisfaction=satisfaction,
            )
        if satisfaction == Satisfaction.DISSATISFIED and self.rng.random() < 0.4:
            t = self.later(t, 1, 24)
            if t < self.end:
                with self.at(t):
                    actions.reopen(case, acting_user=user, note="群众不满意，重新办理")

    def _rate(self, case: Case, user: User, t: datetime) -> None:
        for summons in case.summons.filter(rated_at__isnull=True):
            with self.at(self.later(t, 0, 1)):
                actions.rate_department(
                    summons,
                    acting_user=user,
                    speed=self.rng.randint(3, 5),
                    attitude=self.rng.randint(3, 5),
                    result=self.rng.randint(2, 5),
                )


# --- intake -----------------------------------------------------------------------------


def _arrivals(rng: random.Random, total: int, days: int, end: datetime) -> list[datetime]:
    """Arrival instants over the last `days`, more by day than by night."""
    start = end - timedelta(days=days)
    out = []
    while len(out) < total:
        moment = start + timedelta(seconds=rng.uniform(0, days * 86400))
        hour = timezone.localtime(moment).hour
        if rng.random() < (1.0 if 8 <= hour < 20 else 0.25):
            out.append(moment)
    return sorted(out)


def _intake(rng, source: str, category: Category, grid: Grid, staff: Staff, order: int):
    lng = grid.center_lng + rng.uniform(-0.0003, 0.0003)
    lat = grid.center_lat + rng.uniform(-0.0003, 0.0003)
    text = (
        f"{category.name}：{rng.choice(['请尽快处理', '影响居民出行', '已持续多日', '多人反映'])}"
    )
    reporter = staff.community.get(grid.community_id)
    if source == "hotline":
        case, _ = actions.receive_hotline_order(
            order_no=f"DEMO-{order:07d}",
            category=category,
            description=text,
            caller_name=rng.choice(SURNAMES) + "先生",
            caller_phone=f"139{rng.randint(0, 99999999):08d}",
            lng=lng,
            lat=lat,
        )
        return case
    if source == "grid_report" and rng.random() < 0.3:
        return actions.report_by_grid_worker(
            acting_user=reporter,
            category=category,
            lng=lng,
            lat=lat,
            description=text,
            self_resolved=True,
            after_photos=[("after.png", demo_photo(fixed=True))],
        )
    if source == "grid_report":
        return actions.report_by_grid_worker(
            acting_user=reporter, category=category, lng=lng, lat=lat, description=text
        )
    if source == "resident":
        # A demo resident reports in their own community only; elsewhere the request comes
        # in without an account (随手拍), and the street's follow-up call closes the loop.
        return actions.report_by_resident(
            acting_user=staff.residents.get(grid.community_id),
            category=category,
            lng=lng,
            lat=lat,
            description=f"群众反映：{text}",
        )
    return actions.report_patrol_finding(
        acting_user=reporter, category=category, lng=lng, lat=lat, description=f"巡查发现：{text}"
    )


@lru_cache(maxsize=2)
def demo_photo(fixed: bool = False, width: int = 240, height: int = 160) -> bytes:
    """A small PNG drawn here, with no image library: a street under a pale sky with a dark
    hole in the road, or the fresh patch over it once fixed. A placeholder, but one that a
    browser shows as a picture (an empty JPEG header shows as a broken image)."""
    rows = [
        b"\x00" + b"".join(_pixel(x, y, width, height, fixed) for x in range(width))
        for y in range(height)
    ]  # each row starts with its filter type, 0: none
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    body = zlib.compress(b"".join(rows), 9)
    chunks = _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def _pixel(x: int, y: int, width: int, height: int, fixed: bool) -> bytes:
    horizon = height * 0.38
    if y < horizon:  # sky, lighter towards the horizon
        t = y / horizon
        return bytes((int(150 + 80 * t), int(190 + 50 * t), 235))
    dx, dy = (x - width * 0.5) / (width * 0.17), (y - height * 0.66) / (height * 0.1)
    if dx * dx + dy * dy <= 1:
        return bytes((88, 90, 96)) if fixed else bytes((38, 34, 32))
    if abs(y - height * 0.86) < 2 and (x // 18) % 2 == 0:
        return bytes((235, 235, 225))  # the dashed lane line
    shade = int(140 - 30 * (y - horizon) / (height - horizon))
    return bytes((shade, shade, shade + 6))


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def seed_cases(
    total: int = 20000, days: int = 30, seed: int = 2026, end=None, progress=None
) -> dict:
    """Make `total` cases over the `days` before `end`, resuming where an interrupted run
    stopped: case i is drawn from its own seeded generator, so the same `end` gives the
    same cases whether the run was stopped or not."""
    ensure_policy()
    staff = ensure_staff(seed)
    end = end or timezone.now()
    done = Case.objects.count()
    if done >= total:
        return {"cases": done, "made": 0}
    grids = list(Grid.objects.filter(kind=GridKind.GENERAL).defer("geometry_wkb").order_by("code"))
    categories = list(Category.objects.filter(parent__isnull=False, active=True).order_by("code"))
    arrivals = _arrivals(random.Random(seed), total, days, end)
    with notify.muted():
        for start in range(done, total, BATCH):
            with transaction.atomic():  # a stopped run loses at most this batch
                for i in range(start, min(start + BATCH, total)):
                    _one(
                        random.Random(seed * 1_000_003 + i),
                        arrivals[i],
                        end,
                        grids,
                        categories,
                        staff,
                        i,
                    )
            if progress:
                progress(min(start + BATCH, total), total)
            _let_others_write()
    with frozen(end):
        swept = actions.sweep()
    return {"cases": Case.objects.count(), "made": total - done, **swept}


BATCH = 25
# `make run` makes the month in the background while people sign in: on SQLite one writer
# holds the lock per batch, and a writer that takes it back at once starves the server's
# writes (a login's session) past their busy timeout. Short batches and a pause between.
PAUSE_BETWEEN_BATCHES = 0.05


def _let_others_write() -> None:
    if connection.vendor == "sqlite":
        time.sleep(PAUSE_BETWEEN_BATCHES)


def _one(rng, moment, end, grids, categories, staff, order) -> None:
    sources, weights = zip(*SOURCES, strict=True)
    source = rng.choices(sources, weights)[0]
    with frozen(moment):
        case = _intake(rng, source, rng.choice(categories), rng.choice(grids), staff, order)
    try:
        Life(rng, staff, end).live(case)
    except CaseError as exc:  # a path the demo's rough dice cannot take: leave it there
        log.debug("demo case %s stopped: %s", case.number, exc)
