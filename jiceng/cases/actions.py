"""Every change to a case. Each action locks the case row, checks the transitions table,
changes the case, writes its timeline row in the same transaction and queues the
notifications for after the commit. Views, the API, commands and the demo data all call
these functions; nothing else writes `Case.status`.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.timezone import localdate

from jiceng.accounts.choices import Role
from jiceng.dashboards.rebuild import rebuild_rollups
from jiceng.dashboards.rollups import bump, bump_category_month
from jiceng.jurisdictions.locate import get_index, locate, to_wgs84
from jiceng.jurisdictions.models import Department, Grid, Jurisdiction
from jiceng.lib import fastsql
from jiceng.lib.clock import now as clock_now

from . import clock, notify, photos
from .choices import (
    NotificationKind,
    PhotoStage,
    ResolvedLevel,
    Satisfaction,
    Source,
    Stage,
    Status,
)
from .dispatch import Target, district_department, escalation_target, find_target, skip_level_rule
from .models import Case, CaseEvent, Category, SavedFilter, Summons, Whistle
from .roles import relations
from .transitions import CaseError, Conflict, NotAllowed, check

if TYPE_CHECKING:
    from .transfer import CaseRow  # transfer imports this module; the type is enough

log = logging.getLogger(__name__)
audit = logging.getLogger("jiceng.audit")


# --- places -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where a case is: WGS84 point, located grid and its ancestors (any may be None)."""

    lng: float | None = None
    lat: float | None = None
    grid_id: int | None = None
    community: Jurisdiction | None = None
    subdistrict: Jurisdiction | None = None
    district: Jurisdiction | None = None

    @property
    def path(self) -> str:
        unit = self.community or self.subdistrict or self.district
        return unit.path if unit else ""


@dataclass(frozen=True)
class _PlaceTables:
    """Grid ids and the jurisdictions above them, for the grids the locate index knows;
    rebuilt whenever the index is (after any grid write) or a jurisdiction changes."""

    index: object
    grids: dict[str, tuple[int, int]]  # grid code → (grid id, community id)
    nodes: dict[int, Jurisdiction]


_tables: _PlaceTables | None = None


def _place_tables() -> _PlaceTables:
    global _tables
    index = get_index()
    tables = _tables
    if tables is None or tables.index is not index:
        grids = Grid.objects.filter(kind="general").values_list("code", "id", "community_id")
        nodes = Jurisdiction.objects.exclude(level="city").defer("geometry_wkb")
        tables = _PlaceTables(index, {c: (g, m) for c, g, m in grids}, {n.pk: n for n in nodes})
        _tables = tables
    return tables


def reset_places(**_kwargs) -> None:
    global _tables
    _tables = None


def place_of(lng: float | None, lat: float | None, crs: str = "wgs84", hint: str = "") -> Place:
    """Locate a point; a case with no point (or outside every grid) keeps the unit named
    by `hint` (a jurisdiction code from a hotline order), so it is never dropped."""
    if lng is None or lat is None:
        return _hinted(hint)
    lng, lat = to_wgs84(float(lng), float(lat), crs)
    found = locate(lng, lat)
    tables = _place_tables()
    if found.outside or found.grid_code not in tables.grids:
        return _hinted(hint, lng, lat)
    grid_id, community_id = tables.grids[found.grid_code]
    community = tables.nodes[community_id]
    subdistrict = tables.nodes[community.parent_id]
    return Place(lng, lat, grid_id, community, subdistrict, tables.nodes[subdistrict.parent_id])


def _hinted(code: str, lng: float | None = None, lat: float | None = None) -> Place:
    node = Jurisdiction.objects.defer("geometry_wkb").filter(code=code).first() if code else None
    if node is None:
        return Place(lng, lat)
    chain = {a.level: a for a in node.ancestors().defer("geometry_wkb")} | {node.level: node}
    return Place(
        lng,
        lat,
        community=chain.get("community"),
        subdistrict=chain.get("subdistrict"),
        district=chain.get("district"),
    )


# --- intake -----------------------------------------------------------------------------


def report_by_grid_worker(
    *,
    acting_user,
    category: Category,
    lng: float,
    lat: float,
    description: str,
    photos_in=(),
    self_resolved: bool = False,
    after_photos=(),
    crs: str = "wgs84",
    urgency: str | None = None,
    requester=None,
    client_key=None,
) -> Case:
    """A grid worker's report; `self_resolved` (自处置) closes it at once and needs an
    after-photo. `requester` is the resident who asked for it (their name and phone
    become the caller's, for the follow-up call); `client_key`: see `_once`."""
    if self_resolved and not after_photos:
        raise CaseError("自处置必须上传处置后照片")
    key = _client_key(client_key)
    sent = _sent_before(acting_user, key)
    if sent is not None:
        return sent
    checked = photos.check_photos(photos_in)
    after = photos.check_photos(after_photos)
    place = place_of(lng, lat, crs)

    def make() -> Case:
        case = _create(
            Source.GRID_REPORT,
            category,
            place,
            description,
            acting_user,
            urgency,
            self_resolved=self_resolved,
            client_key=key,
            **_requested_by(requester),
        )
        photos.store_photos(case, PhotoStage.REPORT, checked, acting_user)
        if self_resolved:
            photos.store_photos(case, PhotoStage.AFTER, after, acting_user)
        return case

    return _once(acting_user, key, make)


def receive_hotline_order(
    *,
    order_no: str,
    category: Category,
    description: str,
    caller_name: str = "",
    caller_phone: str = "",
    address: str = "",
    lng: float | None = None,
    lat: float | None = None,
    crs: str = "wgs84",
    jurisdiction_code: str = "",
    acting_user=None,
    urgency: str | None = None,
) -> tuple[Case, bool]:
    """A 12345 order. The same order number twice returns the existing case
    (idempotent): (case, created)."""
    order_no = order_no.strip()
    if not order_no:
        raise CaseError("热线工单号不能为空")
    existing = Case.objects.filter(hotline_order_no=order_no).first()
    if existing:
        return existing, False
    place = place_of(lng, lat, crs, hint=jurisdiction_code)
    try:
        with transaction.atomic():
            case = _create(
                Source.HOTLINE,
                category,
                place,
                description,
                acting_user,
                urgency,
                hotline_order_no=order_no,
                caller_name=caller_name,
                caller_phone=caller_phone,
                address=address,
            )
            return case, True
    except IntegrityError:
        # Two deliveries of one order at the same moment: the unique order number lets
        # one insert win; the other returns the winner's case.
        existing = Case.objects.filter(hotline_order_no=order_no).first()
        if existing:
            return existing, False
        raise


def report_by_resident(
    *,
    acting_user,
    category: Category,
    description: str,
    lng: float | None = None,
    lat: float | None = None,
    address: str = "",
    photos_in=(),
    crs: str = "wgs84",
    client_key=None,
) -> Case:
    """A resident's own request: they are its requester (they follow it and rate it)."""
    key = _client_key(client_key)
    sent = _sent_before(acting_user, key)
    if sent is not None:
        return sent
    checked = photos.check_photos(photos_in)
    hint = acting_user.jurisdiction.code if acting_user and acting_user.jurisdiction_id else ""
    place = place_of(lng, lat, crs, hint=hint)

    def make() -> Case:
        case = _create(
            Source.RESIDENT,
            category,
            place,
            description,
            acting_user,
            None,
            address=address,
            client_key=key,
            **_requested_by(acting_user),
        )
        photos.store_photos(case, PhotoStage.REPORT, checked, acting_user)
        return case

    return _once(acting_user, key, make)


def relay_resident_request(
    *,
    acting_user,
    category: Category,
    description: str,
    place: Place,
    address: str = "",
    caller_name: str = "",
    caller_phone: str = "",
    urgency: str | None = None,
    receipt: dict | None = None,
) -> Case:
    """A resident's request relayed by an external system (Open311 GeoReport v2): source
    resident, reported by the system's service user, the resident's name and phone as the
    caller's (masked like a 12345 caller's). The system checks `place` against its area
    first; `receipt` (channel, media URL, attribute values) stays on the intake row."""
    with transaction.atomic():
        return _create(
            Source.RESIDENT,
            category,
            place,
            description,
            acting_user,
            urgency,
            address=address,
            caller_name=caller_name,
            caller_phone=caller_phone,
            receipt=receipt,
        )


def report_patrol_finding(
    *,
    acting_user,
    category: Category,
    lng: float,
    lat: float,
    description: str,
    photos_in=(),
    crs: str = "wgs84",
    requester=None,
    client_key=None,
) -> Case:
    key = _client_key(client_key)
    sent = _sent_before(acting_user, key)
    if sent is not None:
        return sent
    checked = photos.check_photos(photos_in)
    place = place_of(lng, lat, crs)

    def make() -> Case:
        case = _create(
            Source.PATROL,
            category,
            place,
            description,
            acting_user,
            None,
            client_key=key,
            **_requested_by(requester),
        )
        photos.store_photos(case, PhotoStage.REPORT, checked, acting_user)
        return case

    return _once(acting_user, key, make)


def _client_key(value) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise CaseError(f"客户端编号“{value}”格式不正确") from None


def _sent_before(reporter, key: uuid.UUID | None) -> Case | None:
    """The case this reporter's device already sent under this key, marked not created."""
    if key is None or not getattr(reporter, "is_authenticated", False):
        return None
    case = Case.objects.filter(reporter=reporter, client_key=key).first()
    if case is not None:
        case.created = False
    return case


def _once(reporter, key: uuid.UUID | None, make) -> Case:
    """Write one report (`make`) in a transaction, exactly once per (reporter, client key).

    A phone that sent a report offline retries until it hears a 2xx, so the same report
    can arrive twice (the answer was lost) or twice at once (two tabs, a flaky network).
    The unique (reporter, client_key) lets one insert win; the other returns the winner's
    case, `created` False, and stores nothing.
    """
    try:
        with transaction.atomic():
            case = make()
    except IntegrityError:
        sent = _sent_before(reporter, key)
        if sent is None:
            raise
        return sent
    case.created = True
    return case


def _requested_by(requester) -> dict:
    """The Case fields naming the resident whose request it is (none: no fields)."""
    if requester is None:
        return {}
    if requester.role != Role.RESIDENT or not requester.is_active:
        raise CaseError(f"诉求人“{requester}”不是在册的群众账号")
    return {
        "requester": requester,
        "caller_name": requester.full_name,
        "caller_phone": requester.phone,
    }


def _create(
    source,
    category,
    place: Place,
    description,
    reporter,
    urgency,
    *,
    self_resolved=False,
    receipt: dict | None = None,
    **extra,
) -> Case:
    """Receive a case and, in the same INSERT, route it: dispatched by the skip-level
    rules or the responsibility list, closed on the spot (自处置), or queued for the
    subdistrict dispatcher when no rule matches (never dropped, never defaulted)."""
    if not description.strip():
        raise CaseError("事件描述不能为空")
    now = clock_now()
    case = Case(
        source=source,
        category=category,
        urgency=urgency or category.urgency,
        description=description.strip(),
        lng=place.lng,
        lat=place.lat,
        grid_id=place.grid_id,
        community=place.community,
        subdistrict=place.subdistrict,
        district=place.district,
        path=place.path,
        reporter=reporter if getattr(reporter, "is_authenticated", False) else None,
        received_at=now,
        **extra,
    )
    target, copies = (None, []) if self_resolved else _route(case)
    if self_resolved:
        _close_on_the_spot(case, now)
    elif target is not None:
        _set_assignment(case, target, now)
    else:
        case.in_manual_queue = True
    fastsql.insert(case)
    with fastsql.together():  # the timeline, rollups and notifications in one round trip
        _intake_events(case, target, reporter, now, receipt)
        _intake_rollups(case, now)
        _intake_notifications(case, target, copies)
    return case


def _route(case: Case) -> tuple[Target | None, list[Department]]:
    skip = skip_level_rule(case)
    if skip is not None:
        copies = [district_department(case, kind) for kind in skip.copy_kind_list()]
        if skip.target_level == "subdistrict" and case.subdistrict:
            target = Target(jurisdiction=case.subdistrict)
        else:
            department = district_department(case, skip.department_kind)
            target = Target(department=department) if department else None
        if target is not None:
            return target, [d for d in copies if d is not None]
    target = find_target(case)
    if target is None or (target.jurisdiction is None and target.department is None):
        return None, []
    return target, []


def _close_on_the_spot(case: Case, now) -> None:
    case.status = Status.CLOSED
    case.self_resolved = True
    case.resolved_level = ResolvedLevel.GRID
    case.closed_at = now
    case.closed_on_time = True


def _set_assignment(case: Case, target: Target, now) -> None:
    case.assigned_jurisdiction = target.jurisdiction
    case.assigned_department = target.department
    case.escalation_level = target.level
    case.in_manual_queue = False
    case.status = Status.DISPATCHED
    case.dispatched_at = now
    clock.start_stage(case, Stage.ACCEPT, now)


def _intake_events(
    case: Case, target: Target | None, reporter, now, receipt: dict | None = None
) -> None:
    actor = reporter if getattr(reporter, "is_authenticated", False) else None
    rows = [
        CaseEvent(
            case=case,
            action="receive",
            to_status=Status.RECEIVED,
            actor=actor,
            at=now,
            data={"source": case.source, **(receipt or {})},
        )
    ]
    if case.self_resolved:
        rows.append(
            CaseEvent(
                case=case,
                action="self_resolve",
                from_status=Status.RECEIVED,
                to_status=Status.CLOSED,
                actor=actor,
                at=now,
                note="网格员现场自处置",
            )
        )
    elif target is not None:
        unit = target.department or target.jurisdiction
        rows.append(
            CaseEvent(
                case=case,
                action="dispatch",
                from_status=Status.RECEIVED,
                to_status=Status.DISPATCHED,
                at=now,
                note="按权责清单自动派单",
                data={"unit": unit.name, "level": target.level},
            )
        )
    else:
        rows.append(
            CaseEvent(
                case=case,
                action="queue",
                from_status=Status.RECEIVED,
                to_status=Status.RECEIVED,
                at=now,
                note="权责清单中没有匹配的规则，转街道人工派单",
            )
        )
    fastsql.insert_many(rows)


def _intake_rollups(case: Case, now) -> None:
    bump_category_month(case, now)  # 每月一题: received per 小类, place and month
    if case.self_resolved:
        bump(
            case, now, received=1, self_resolved=1, closed=1, closed_grid=1, due=1, closed_on_time=1
        )
    elif case.status == Status.DISPATCHED:
        bump(
            case,
            now,
            received=1,
            dispatched=1,
            department_id=case.assigned_department_id,
            department_counters={"dispatched": 1},
        )
    else:
        bump(case, now, received=1)


def _intake_notifications(case: Case, target: Target | None, copies: list) -> None:
    if case.self_resolved:
        return
    if target is None:
        notify.notify(
            "dispatchers",
            NotificationKind.ASSIGNMENT,
            case,
            f"待人工派单：{case.number} {case.category.name}",
        )
        return
    notify.notify(
        "handlers",
        NotificationKind.ASSIGNMENT,
        case,
        f"新派单：{case.number} {case.category.name}",
    )
    for department in copies:
        notify.notify(
            f"clerks:{department.pk}",
            NotificationKind.ASSIGNMENT,
            case,
            f"抄送（越级）：{case.number} {case.category.name}",
        )


def _assign(case: Case, target: Target, now, user, action: str, note: str) -> None:
    before = case.status
    if case.status in IN_ROUND:
        _cohort(case, -1)  # an escalation mid-handling ends the old unit's round
    _set_assignment(case, target, now)
    case.version += 1
    _save_changes(case)
    unit = target.department or target.jurisdiction
    _event(
        case,
        action,
        before,
        Status.DISPATCHED,
        user,
        now,
        note,
        data={"unit": unit.name, "level": target.level},
    )
    bump(case, now, department_id=case.assigned_department_id, dispatched=1)
    notify.notify(
        "handlers",
        NotificationKind.ASSIGNMENT,
        case,
        f"新派单：{case.number} {case.category.name}",
    )


# --- the lifecycle ----------------------------------------------------------------------


def _locked(case: Case, name: str, user, expected_version: int | None):
    """Lock the row, check the version and the transitions table; return the fresh case,
    the transition and the clock reading for this action."""
    fresh = (
        Case.objects.select_for_update(of=("self",))
        .select_related("category", "assigned_jurisdiction", "subdistrict")
        .get(pk=case.pk)
    )
    fresh._loaded = _values(fresh)
    if expected_version is not None and fresh.version != expected_version:
        raise Conflict("该事件已被他人更新，请刷新后再操作")
    transition = check(name, fresh.status, relations(user, fresh))
    return fresh, transition, clock_now()


def _finish(case: Case, transition, user, now, note: str = "", **data) -> Case:
    before = case.status
    if transition.target is not None:
        case.status = transition.target
    case.version += 1  # we hold the row lock, so this is the next version
    _save_changes(case)
    _event(case, transition.name, before, case.status, user, now, note, data=data)
    return case


def _values(case: Case) -> dict:
    return {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}


def _save_changes(case: Case) -> None:
    """UPDATE only the columns the action changed (a short statement to build and send)."""
    loaded = getattr(case, "_loaded", None)
    if loaded is None:
        case.save()
        return
    changed = [name for name, value in _values(case).items() if loaded[name] != value]
    case.save(update_fields=[n.removesuffix("_id") if n.endswith("_id") else n for n in changed])
    case._loaded = _values(case)


def _event(case, action, before, after, user, now, note="", data=None) -> CaseEvent:
    actor = user if getattr(user, "is_authenticated", False) else None
    return CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=before,
        to_status=after,
        actor=actor,
        at=now,
        note=note,
        data=data or {},
    )


# A handling round runs from acceptance to closure; its deadline puts it in a cohort.
IN_ROUND = {Status.ACCEPTED, Status.IN_PROGRESS, Status.REPLIED, Status.VERIFIED}


def _cohort(case: Case, sign: int) -> None:
    """Enter (+1) or leave (-1) the cohort of handling rounds due on the handling deadline's
    day: the denominator of the on-time closure rate (按期结案率)."""
    if case.handle_due_at:
        bump(case, case.handle_due_at, department_id=case.assigned_department_id, due=sign)


@transaction.atomic
def dispatch(
    case: Case,
    *,
    acting_user,
    department: Department | None = None,
    jurisdiction: Jurisdiction | None = None,
    expected_version=None,
) -> Case:
    """Manual dispatch (or redispatch after a return) to a named unit."""
    case, t, now = _locked(case, "dispatch", acting_user, expected_version)
    if (department is None) == (jurisdiction is None):
        raise CaseError("请指定一个处置单位：职能部门或社区/街道")
    _assign(
        case,
        Target(jurisdiction=jurisdiction, department=department),
        now,
        acting_user,
        t.name,
        "人工派单",
    )
    return case


@transaction.atomic
def accept(case: Case, *, acting_user, expected_version=None) -> Case:
    case, t, now = _locked(case, "accept", acting_user, expected_version)
    case.accepted_at = now
    case.accepted_on_time = case.due_at is None or now <= case.due_at
    clock.start_stage(case, Stage.HANDLE, now)
    _cohort(case, +1)
    # Counted on the day of the dispatch it answers (a cohort, like 按期结案率), so a case
    # dispatched on the 31st and accepted on the 1st cannot push a month's 响应率 past 100%.
    bump(
        case,
        case.dispatched_at or now,
        department_id=case.assigned_department_id,
        accepted=1,
        accepted_on_time=int(case.accepted_on_time),
    )
    return _finish(case, t, acting_user, now)


@transaction.atomic
def start(case: Case, *, acting_user, expected_version=None) -> Case:
    case, t, now = _locked(case, "start", acting_user, expected_version)
    return _finish(case, t, acting_user, now)


@transaction.atomic
def reply(case: Case, *, acting_user, result: str, photos_in=(), expected_version=None) -> Case:
    if not result.strip():
        raise CaseError("请填写办理结果")
    checked = photos.check_photos(photos_in)
    case, t, now = _locked(case, "reply", acting_user, expected_version)
    case.result = result.strip()
    case.replied_at = now
    clock.start_stage(case, Stage.VERIFY, now)
    photos.store_photos(case, PhotoStage.REPLY, checked, acting_user)
    _finish(case, t, acting_user, now, result.strip())
    notify.notify(
        "verifiers",
        NotificationKind.VERIFY,
        case,
        f"待现场核查：{case.number} {case.category.name}",
    )
    return case


@transaction.atomic
def verify(
    case: Case, *, acting_user, passed: bool, note: str = "", photos_in=(), expected_version=None
) -> Case:
    """On-site check by the grid's worker; a failed check sends it back (rework)."""
    checked = photos.check_photos(photos_in)
    case, t, now = _locked(case, "verify" if passed else "reject", acting_user, expected_version)
    if not passed and not note.strip():
        raise CaseError("核查不通过时请说明原因")
    photos.store_photos(case, PhotoStage.VERIFY, checked, acting_user)
    if passed:
        clock.stop(case)
    else:
        case.rework_count += 1
        _cohort(case, -1)  # the handling round goes on with a new deadline
        clock.start_stage(case, Stage.HANDLE, now)
        _cohort(case, +1)
        notify.notify(
            "handlers",
            NotificationKind.RETURN,
            case,
            f"核查不通过，请返工：{case.number}",
        )
    bump(
        case,
        now,
        department_id=case.assigned_department_id,
        verifications=1,
        reworks=int(not passed),
    )
    return _finish(case, t, acting_user, now, note)


@transaction.atomic
def close(case: Case, *, acting_user, note: str = "", expected_version=None) -> Case:
    case, t, now = _locked(case, "close", acting_user, expected_version)
    case.closed_at = now
    case.closed_on_time = case.handle_due_at is None or now <= case.handle_due_at
    case.resolved_level = case.escalation_level or ResolvedLevel.COMMUNITY
    seconds = int((now - case.received_at).total_seconds())
    bump(
        case,
        now,
        department_id=case.assigned_department_id,
        closed=1,
        handling_seconds=seconds,
        **{f"closed_{case.resolved_level}": 1},
    )
    if case.closed_on_time and case.handle_due_at:
        bump(case, case.handle_due_at, department_id=case.assigned_department_id, closed_on_time=1)
    return _finish(case, t, acting_user, now, note)


@transaction.atomic
def follow_up(
    case: Case,
    *,
    acting_user,
    resolved: bool,
    satisfaction: str,
    note: str = "",
    expected_version=None,
) -> Case:
    """回访: was it resolved, and how satisfied is the person who asked."""
    _check_satisfaction(satisfaction)
    case, t, now = _locked(case, "follow_up", acting_user, expected_version)
    _record_rating(case, now, resolved, satisfaction)
    _finish(case, t, acting_user, now, note, resolved=resolved, satisfaction=satisfaction)
    _tell_department(case, f"回访结果：{case.number} {Satisfaction(satisfaction).label}")
    return case


@transaction.atomic
def rate_by_resident(
    case: Case,
    *,
    acting_user,
    resolved: bool,
    satisfaction: str,
    comment: str = "",
    expected_version=None,
) -> Case:
    """评价: the requester rates the result after closure instead of waiting for a 回访
    call. It counts exactly like a follow-up (the KPIs cannot tell them apart, only the
    timeline can) and opens the same reopen window when they are not satisfied."""
    if not isinstance(resolved, bool):
        raise CaseError("请说明问题是否已解决")
    _check_satisfaction(satisfaction)
    case, t, now = _locked(case, "rate", acting_user, expected_version)
    _record_rating(case, now, resolved, satisfaction)
    note = "群众自行评价" + (f"：{comment.strip()}" if comment.strip() else "")
    data = {"resolved": resolved, "satisfaction": satisfaction, "by": "requester"}
    _finish(case, t, acting_user, now, note, **data)
    label = Satisfaction(satisfaction).label
    _tell_department(case, f"群众评价：{case.number} {label}")
    if satisfaction == Satisfaction.DISSATISFIED:
        # Nobody called them, so nobody at the street knows yet; the reopen window runs.
        days = getattr(settings, "JICENG_REOPEN_WINDOW_DAYS", 7)
        text = f"群众评价不满意：{case.number}，可在 {days} 天内重办"
        notify.notify("dispatchers", NotificationKind.RATING, case, text)
    return case


def _check_satisfaction(satisfaction: str) -> None:
    if satisfaction not in Satisfaction.values:
        raise CaseError(f"满意度“{satisfaction}”无效")


def _record_rating(case: Case, now, resolved: bool, satisfaction: str) -> None:
    """The outcome of a follow-up or a requester's rating, and its KPI counters; setting
    `followed_up_at` starts the reopen window."""
    case.resolved = resolved
    case.satisfaction = satisfaction
    case.followed_up_at = now
    bump(
        case,
        now,
        department_id=case.assigned_department_id,
        followed_up=1,
        resolved=int(resolved),
        **{satisfaction: 1},
    )


def _tell_department(case: Case, text: str) -> None:
    if case.assigned_department_id:
        notify.notify(f"clerks:{case.assigned_department_id}", NotificationKind.RATING, case, text)


@transaction.atomic
def return_case(case: Case, *, acting_user, reason: str, expected_version=None) -> Case:
    """退单: the handler says it is not theirs; the dispatcher redispatches or overrules."""
    if not reason.strip():
        raise CaseError("退单必须填写原因")
    case, t, now = _locked(case, "return", acting_user, expected_version)
    case.return_count += 1
    if case.status in IN_ROUND:
        _cohort(case, -1)
    bump(case, now, department_id=case.assigned_department_id, returns=1)
    clock.stop(case)
    _finish(case, t, acting_user, now, reason.strip())
    notify.notify(
        "dispatchers",
        NotificationKind.RETURN,
        case,
        f"退单：{case.number}，原因：{reason.strip()[:60]}",
    )
    return case


@transaction.atomic
def overrule(case: Case, *, acting_user, note: str, expected_version=None) -> Case:
    """The dispatcher rejects a return: the same unit must handle it after all."""
    case, t, now = _locked(case, "overrule", acting_user, expected_version)
    case.dispatched_at = now
    clock.start_stage(case, Stage.ACCEPT, now)
    bump(case, now, department_id=case.assigned_department_id, dispatched=1)
    _finish(case, t, acting_user, now, note)
    notify.notify(
        "handlers",
        NotificationKind.ASSIGNMENT,
        case,
        f"退单被驳回，请签收办理：{case.number}",
    )
    return case


@transaction.atomic
def request_extension(
    case: Case, *, acting_user, hours: float, reason: str, expected_version=None
) -> Case:
    if hours <= 0 or not reason.strip():
        raise CaseError("申请延期须填写正数小时数和理由")
    case, t, now = _locked(case, "request_extension", acting_user, expected_version)
    _finish(case, t, acting_user, now, reason.strip(), hours=hours)
    notify.notify(
        "dispatchers",
        NotificationKind.ASSIGNMENT,
        case,
        f"延期申请：{case.number} {hours} 小时",
    )
    return case


@transaction.atomic
def approve_extension(
    case: Case, *, acting_user, hours: float, note: str = "", expected_version=None
) -> Case:
    if hours <= 0:
        raise CaseError("延期小时数必须为正数")
    case, t, now = _locked(case, "approve_extension", acting_user, expected_version)
    case.extension_hours = Decimal(str(case.extension_hours)) + Decimal(str(hours))
    _cohort(case, -1)  # the round is now due on the extended deadline's day
    clock.extend(case, hours)
    _cohort(case, +1)
    return _finish(case, t, acting_user, now, note, hours=hours)


@transaction.atomic
def request_park(case: Case, *, acting_user, reason: str, expected_version=None) -> Case:
    if not reason.strip():
        raise CaseError("申请挂账必须填写原因")
    case, t, now = _locked(case, "request_park", acting_user, expected_version)
    _finish(case, t, acting_user, now, reason.strip())
    notify.notify("dispatchers", NotificationKind.ASSIGNMENT, case, f"挂账申请：{case.number}")
    return case


@transaction.atomic
def approve_park(case: Case, *, acting_user, reason: str, expected_version=None) -> Case:
    """挂账: a matter that cannot be solved now (planning, funds) stops its clock."""
    if not reason.strip():
        raise CaseError("挂账必须填写原因")
    case, t, now = _locked(case, "approve_park", acting_user, expected_version)
    case.parked_reason = reason.strip()
    _cohort(case, -1)  # a parked matter is not due until it resumes
    clock.stop(case)
    return _finish(case, t, acting_user, now, reason.strip())


@transaction.atomic
def resume(case: Case, *, acting_user, note: str = "", expected_version=None) -> Case:
    case, t, now = _locked(case, "resume", acting_user, expected_version)
    clock.start_stage(case, Stage.HANDLE, now)
    _cohort(case, +1)
    return _finish(case, t, acting_user, now, note)


@transaction.atomic
def reopen(case: Case, *, acting_user, note: str = "", expected_version=None) -> Case:
    """重办: a dissatisfied follow-up within the window sends the case back to its unit."""
    case, t, now = _locked(case, "reopen", acting_user, expected_version)
    window = timedelta(days=getattr(settings, "JICENG_REOPEN_WINDOW_DAYS", 7))
    if case.satisfaction != Satisfaction.DISSATISFIED:
        raise CaseError("只有回访不满意的事件可以重办")
    if case.followed_up_at is None or now > case.followed_up_at + window:
        raise CaseError(f"回访后 {window.days} 天内才可以重办")
    case.reopen_count += 1
    case.closed_at = None
    case.closed_on_time = None
    case.resolved_level = ""
    case.dispatched_at = now
    clock.start_stage(case, Stage.ACCEPT, now)
    bump(case, now, department_id=case.assigned_department_id, dispatched=1)
    _finish(case, t, acting_user, now, note)
    notify.notify(
        "handlers",
        NotificationKind.ASSIGNMENT,
        case,
        f"重办：{case.number} 群众不满意",
    )
    return case


@transaction.atomic
def merge(case: Case, *, into: Case, acting_user, expected_version=None) -> Case:
    """A duplicate joins its original: it closes as merged and points at the original."""
    if into.pk == case.pk:
        raise CaseError("不能把事件合并到它自己")
    case, t, now = _locked(case, "merge", acting_user, expected_version)
    if into.status == Status.MERGED:
        raise CaseError("不能合并到一个已被合并的事件")
    case.merged_into = into
    clock.stop(case)
    _finish(case, t, acting_user, now, f"合并到 {into.number}", into=into.number)
    _event(
        into,
        "absorb",
        into.status,
        into.status,
        acting_user,
        now,
        f"合并了重复事件 {case.number}",
        data={"duplicate": case.number},
    )
    return case


@transaction.atomic
def escalate(case: Case, *, acting_user, reason: str, expected_version=None) -> Case:
    """上报: community → subdistrict → district department."""
    if not reason.strip():
        raise CaseError("上报必须说明原因")
    case, t, now = _locked(case, "escalate", acting_user, expected_version)
    target = escalation_target(case)
    if target is None or (target.jurisdiction is None and target.department is None):
        raise CaseError("已是最高处置层级，无法继续上报")
    _assign(case, target, now, acting_user, t.name, reason.strip())
    return case


@transaction.atomic
def urge(case: Case, *, acting_user, note: str, expected_version=None) -> Case:
    case, t, now = _locked(case, "urge", acting_user, expected_version)
    _finish(case, t, acting_user, now, note)
    notify.notify("handlers", NotificationKind.URGE, case, f"催办：{case.number} {note[:60]}")
    return case


@transaction.atomic
def supervise(case: Case, *, acting_user, note: str, expected_version=None) -> Case:
    case, t, now = _locked(case, "supervise", acting_user, expected_version)
    _finish(case, t, acting_user, now, note)
    users = ["handlers", "dispatchers"]
    notify.notify(users, NotificationKind.SUPERVISE, case, f"督办：{case.number} {note[:60]}")
    return case


# --- 吹哨报到 ----------------------------------------------------------------------------


@transaction.atomic
def blow_whistle(
    case: Case,
    *,
    acting_user,
    departments: list[Department],
    reason: str,
    note: str = "",
    minutes: int | None = None,
    expected_version=None,
) -> Whistle:
    """A subdistrict summons departments; each must report in within `minutes`."""
    if not departments:
        raise CaseError("请至少选择一个职能部门")
    case, t, now = _locked(case, "whistle", acting_user, expected_version)
    minutes = minutes or getattr(settings, "JICENG_REPORT_IN_MINUTES", 30)
    whistle = Whistle.objects.create(
        case=case,
        subdistrict=case.subdistrict,
        reason=reason,
        note=note,
        blown_by=acting_user,
        blown_at=now,
    )
    due = now + timedelta(minutes=minutes)
    Summons.objects.bulk_create(
        [Summons(whistle=whistle, case=case, department=d, due_at=due) for d in departments]
    )
    names = "、".join(d.name for d in departments)
    _finish(case, t, acting_user, now, note, reason=reason, departments=names, minutes=minutes)
    bump(case, now, summoned=len(departments))
    for d in departments:
        bump(case, now, territorial=False, department_id=d.pk, summoned=1)
    for d in departments:
        notify.notify(
            f"clerks:{d.pk}",
            NotificationKind.WHISTLE,
            case,
            f"吹哨：{case.subdistrict.name}召集贵部门 {minutes} 分钟内报到，事件 {case.number}",
        )
    return whistle


@transaction.atomic
def report_in(summons: Summons, *, acting_user, note: str = "", expected_version=None) -> Summons:
    """报到: the department's clerk reports in; lateness is recorded, not refused."""
    # The case first, then the summons: the order every action locks in.
    case, t, now = _locked(summons.case, "report_in", acting_user, expected_version)
    summons = Summons.objects.select_for_update().get(pk=summons.pk)
    if acting_user.department_id != summons.department_id:
        raise NotAllowed("只能为本部门报到")
    if summons.reported_at:
        raise Conflict("本部门已经报到")
    summons.reported_at = now
    summons.reported_by = acting_user
    summons.late = now > summons.due_at
    summons.notes = note
    summons.save()
    outcome = "reported_late" if summons.late else "reported_on_time"
    bump(case, now, department_id=summons.department_id, **{outcome: 1})
    _finish(case, t, acting_user, now, note, department=summons.department.name, late=summons.late)
    return summons


@transaction.atomic
def rate_department(
    summons: Summons,
    *,
    acting_user,
    speed: int,
    attitude: int,
    result: int,
    expected_version=None,
) -> Summons:
    """下考上: after closure the subdistrict rates each whistled department (1–5)."""
    for label, value in (("响应速度", speed), ("工作态度", attitude), ("处置效果", result)):
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise CaseError(f"{label}的评分必须是 1 到 5 的整数")
    case, t, now = _locked(summons.case, "rate_department", acting_user, expected_version)
    summons = Summons.objects.select_for_update().get(pk=summons.pk)
    if summons.rated_at:
        raise Conflict("已经评价过该部门")
    summons.speed, summons.attitude, summons.result = speed, attitude, result
    summons.rated_by, summons.rated_at = acting_user, now
    summons.save()
    bump(
        case,
        now,
        territorial=False,
        department_id=summons.department_id,
        ratings=1,
        rating_points=speed + attitude + result,
    )
    _finish(
        case,
        t,
        acting_user,
        now,
        department=summons.department.name,
        speed=speed,
        attitude=attitude,
        result=result,
    )
    notify.notify(
        f"clerks:{summons.department_id}",
        NotificationKind.RATING,
        case,
        f"街道评价：{case.number} 平均 {summons.score} 分",
    )
    return summons


# --- saved queue filters ------------------------------------------------------------------

MAX_SAVED_FILTERS = 20


@transaction.atomic
def save_filter(*, acting_user, name: str, query: str) -> SavedFilter:
    """常用筛选: name the queue's current filters. A personal view setting, so no timeline
    or audit row; the user's row is locked so two saves at once cannot pass the limit."""
    name = name.strip()
    if not name:
        raise CaseError("请填写常用筛选的名称")
    list(get_user_model().objects.select_for_update().filter(pk=acting_user.pk).values("pk"))
    taken = set(SavedFilter.objects.filter(user=acting_user).values_list("name", flat=True))
    if name in taken:
        raise CaseError(f"已有名为“{name}”的常用筛选，请换一个名称")
    if len(taken) >= MAX_SAVED_FILTERS:
        raise CaseError(f"每人最多保存 {MAX_SAVED_FILTERS} 个常用筛选，请先删除不用的")
    return SavedFilter.objects.create(user=acting_user, name=name, query=query)


@transaction.atomic
def delete_filter(saved: SavedFilter, *, acting_user) -> None:
    if saved.user_id != acting_user.pk:
        raise NotAllowed("只能删除自己的常用筛选")
    saved.delete()


# --- the sweep --------------------------------------------------------------------------


def sweep(now=None) -> dict[str, int]:
    """Mark warnings and overdue stages and late report-ins; idempotent (a case is marked
    once per stage), so running it twice, late or after a restart changes nothing more."""
    now = now or clock_now()
    counts = {"warned": 0, "overdue": 0, "late_summons": 0}
    for case_id in _due_ids(now, "warn_at", "warned"):
        counts["warned"] += _mark(case_id, now, "warned", "warning", NotificationKind.WARNING)
    for case_id in _due_ids(now, "due_at", "overdue"):
        counts["overdue"] += _mark(case_id, now, "overdue", "overdue", NotificationKind.OVERDUE)
    counts["late_summons"] = Summons.objects.filter(
        reported_at__isnull=True, due_at__lt=now, late__isnull=True
    ).update(late=True)
    return counts


def _due_ids(now, field: str, flag: str) -> list[int]:
    return list(
        Case.objects.filter(**{f"{field}__lte": now, flag: False})
        .exclude(stage="")
        .values_list("id", flat=True)[:5000]
    )


@transaction.atomic
def _mark(case_id: int, now, flag: str, action: str, kind: str) -> int:
    case = Case.objects.select_for_update().select_related("category").get(pk=case_id)
    deadline = case.warn_at if flag == "warned" else case.due_at
    if getattr(case, flag) or deadline is None or deadline > now:
        return 0  # another sweep got here first, or the stage moved on
    setattr(case, flag, True)
    if flag == "overdue":
        bump(case, now, department_id=case.assigned_department_id, overdue=1)
    case.save(update_fields=[flag])
    label = "黄牌预警" if flag == "warned" else "红牌超期"
    _event(
        case,
        action,
        case.status,
        case.status,
        None,
        now,
        f"{Stage(case.stage).label}{label}",
        data={"stage": case.stage},
    )
    users = ["handlers", "dispatchers"]
    notify.notify(users, kind, case, f"{label}：{case.number} {case.category.name}")
    return 1


# --- import of historic cases ---------------------------------------------------------------

IMPORT_BATCH = 1000  # rows per INSERT: a few statements for 10,000 rows


@transaction.atomic
def import_case_rows(rows: list[CaseRow], *, acting_user, rebuild: bool = True) -> list[Case]:
    """Write checked rows (jiceng.cases.transfer) as cases with their status, one
    `imported` timeline row each, and the rollups of the days they touch; all or nothing.

    In bulk, not one intake per row: imported cases are history, so nothing is routed
    or notified (an open one waits in the dispatcher's manual queue), and 10,000 rows
    must take seconds. The rollups are rebuilt from the case rows instead of bumped."""
    now = clock_now()
    cases = Case.objects.bulk_create([_imported_case(r) for r in rows], batch_size=IMPORT_BATCH)
    CaseEvent.objects.bulk_create(
        [_imported_event(c, r, acting_user, now) for c, r in zip(cases, rows, strict=True)],
        batch_size=IMPORT_BATCH,
    )
    days = _days_touched(cases)
    if rebuild and days:
        rebuild_rollups(start=days[0], end=days[1])
    transaction.on_commit(lambda: _audit_import(acting_user, cases, days))
    return cases


def _imported_case(r: CaseRow) -> Case:
    done = r.status != Status.RECEIVED
    return Case(
        source=r.source,
        category=r.category,
        status=r.status,
        urgency=r.category.urgency,
        description=r.description,
        address=r.address,
        lng=r.place.lng,
        lat=r.place.lat,
        grid_id=r.place.grid_id,
        community=r.place.community,
        subdistrict=r.place.subdistrict,
        district=r.place.district,
        path=r.place.path,
        caller_name=r.caller_name,
        caller_phone=r.caller_phone,
        hotline_order_no=r.key,
        in_manual_queue=not done,
        received_at=r.received_at,
        closed_at=r.closed_at,
        satisfaction=r.satisfaction,
        followed_up_at=r.closed_at if r.satisfaction or r.status == Status.FOLLOWED_UP else None,
    )


def _imported_event(case: Case, r: CaseRow, user, now) -> CaseEvent:
    return CaseEvent(
        case=case,
        action="imported",
        to_status=case.status,
        actor=user,
        at=now,
        note=f"从 Excel 导入（第 {r.row} 行，工单号 {r.key}）",
    )


def _days_touched(cases: list[Case]) -> tuple[date, date] | None:
    """The local days the cases count on (received, closed, followed up): the first, and
    the day after the last (a half-open span, as rebuild_rollups takes it)."""
    moments = [
        m for c in cases for m in (c.received_at, c.closed_at, c.followed_up_at) if m is not None
    ]
    if not moments:
        return None
    return localdate(min(moments)), localdate(max(moments)) + timedelta(days=1)


def _audit_import(user, cases: list[Case], days: tuple[date, date] | None) -> None:
    first, last = (cases[0].pk, cases[-1].pk) if cases else (None, None)
    audit.info(
        "cases imported: user=%s created=%d ids=%s..%s days=%s..%s",
        user.username, len(cases), first, last, *(days or (None, None)),
    )  # fmt: skip
