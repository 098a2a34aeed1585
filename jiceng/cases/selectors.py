"""Read-only questions about cases that pages and the API share."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, F, QuerySet

from jiceng.accounts.scope import scope_for

from .choices import DONE_STATUSES, OPEN_STATUSES, Status
from .models import Case, Summons

DUPLICATE_RADIUS_M = 250
DUPLICATE_WINDOW = timedelta(days=7)
DUPLICATE_TEXT_RATIO = 0.9
# Text comparison runs in Python: bound the candidates so a busy category stays cheap.
TEXT_CANDIDATES = 200
EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180


def haversine_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres between two WGS84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def suggest_duplicates(case: Case, *, among: QuerySet | None = None) -> list[Case]:
    """Open cases that are probably the same matter: the same category within 250 m, or
    near-identical text in the same subdistrict, received within 7 days of this one.

    `among` narrows the candidates (pages pass `Case.objects.visible_to(user)`, so a
    neighbouring street's case just across the boundary is never suggested).
    """
    candidates = _candidates(case, among if among is not None else Case.objects.all())
    found = {c.pk: c for c in _nearby(case, candidates)}
    for c in _similar_text(case, candidates):
        found.setdefault(c.pk, c)
    return sorted(found.values(), key=lambda c: c.received_at)


def _candidates(case: Case, qs: QuerySet) -> QuerySet:
    return (
        qs.filter(
            category_id=case.category_id,
            received_at__gte=case.received_at - DUPLICATE_WINDOW,
            received_at__lte=case.received_at + DUPLICATE_WINDOW,
        )
        .exclude(pk=case.pk)
        .exclude(status__in=[Status.MERGED, *DONE_STATUSES])
        .select_related("category")
    )


def _nearby(case: Case, candidates: QuerySet) -> list[Case]:
    if case.lng is None or case.lat is None:
        return []
    # A bounding box the indexes can narrow in SQL; the exact distance is checked after.
    dlat = DUPLICATE_RADIUS_M / METRES_PER_DEGREE
    dlng = dlat / max(math.cos(math.radians(case.lat)), 0.01)
    boxed = candidates.filter(
        lng__range=(case.lng - dlng, case.lng + dlng),
        lat__range=(case.lat - dlat, case.lat + dlat),
    )
    return [c for c in boxed if haversine_m(case.lng, case.lat, c.lng, c.lat) <= DUPLICATE_RADIUS_M]


def _similar_text(case: Case, candidates: QuerySet) -> list[Case]:
    if case.subdistrict_id is None:
        return []
    same_street = candidates.filter(subdistrict_id=case.subdistrict_id).order_by("-received_at")
    text = case.description.strip()
    return [
        c
        for c in same_street[:TEXT_CANDIDATES]
        if difflib.SequenceMatcher(None, text, c.description.strip()).ratio()
        >= DUPLICATE_TEXT_RATIO
    ]


# --- work surfaces: the queue's counts, the department desk, the community home ----------

DESK_ROWS = 50
RECENT_ROWS = 10
HOME_ROWS = 10
NO_GEOMETRY = ("community__geometry_wkb",)
ACTIVE_STATUSES = [*OPEN_STATUSES, Status.PARKED]


def status_counts(cases: QuerySet) -> list[tuple[str, str, int]]:
    """(status, label, cases) in the lifecycle's order, in one grouped query. COUNT
    DISTINCT only where the scope joins the summons (a department clerk); elsewhere each
    row is one case and a plain count is much cheaper on a big table."""
    n = Count("id", distinct=True) if cases.query.distinct else Count("id")
    rows = dict(cases.order_by().values_list("status").annotate(n=n))
    return [(value, label, rows[value]) for value, label in Status.choices if rows.get(value)]


@dataclass
class Block:
    """Some rows of a list and how many there are in all."""

    rows: list = field(default_factory=list)
    count: int = 0


@dataclass
class Desk:
    """A department clerk's work: summons to report in to, orders to accept, orders in
    hand, and those recently returned or replied."""

    summons: Block = field(default_factory=Block)
    to_accept: Block = field(default_factory=Block)
    working: Block = field(default_factory=Block)
    handed_back: Block = field(default_factory=Block)


DESK_WORKING = (Status.ACCEPTED, Status.IN_PROGRESS)
DESK_HANDED_BACK = (Status.RETURNED, Status.REPLIED)


def desk_for(user) -> Desk:
    department_id = scope_for(user).department_id
    if department_id is None:
        return Desk()
    ours = Case.objects.visible_to(user).filter(assigned_department_id=department_id)
    statuses = [Status.DISPATCHED, *DESK_WORKING, *DESK_HANDED_BACK]
    counts = {s: n for s, _label, n in status_counts(ours.filter(status__in=statuses))}
    listed = ours.select_related("category", "community").defer(*NO_GEOMETRY)
    by_deadline = listed.order_by(F("due_at").asc(nulls_last=True), "received_at", "id")
    recent = listed.order_by(F("replied_at").desc(nulls_last=True), "-dispatched_at", "-id")
    return Desk(
        summons=_summons_block(department_id),
        to_accept=_block(by_deadline, [Status.DISPATCHED], counts, DESK_ROWS),
        working=_block(by_deadline, DESK_WORKING, counts, DESK_ROWS),
        handed_back=_block(recent, DESK_HANDED_BACK, counts, RECENT_ROWS),
    )


def _block(cases: QuerySet, statuses, counts: dict[str, int], limit: int) -> Block:
    rows = list(cases.filter(status__in=statuses)[:limit])
    return Block(rows=rows, count=sum(counts.get(s, 0) for s in statuses))


def _summons_block(department_id: int) -> Block:
    """The department's summons not yet reported, most urgent first. Filtered by the
    clerk's own department: exactly the summons through which `visible_to` shows them the
    case, so no case outside their scope can appear."""
    pending = Summons.objects.filter(department_id=department_id, reported_at=None).exclude(
        case__status=Status.MERGED
    )
    rows = pending.select_related("case__category", "case__community", "whistle__subdistrict")
    rows = rows.defer("case__community__geometry_wkb", "whistle__subdistrict__geometry_wkb")
    return Block(rows=list(rows.order_by("due_at", "id")[:DESK_ROWS]), count=pending.count())


@dataclass
class CommunityWork:
    """A community's open cases per status, those its staff must handle now (签收, 办理,
    反馈), and its overdue ones."""

    open_counts: list[tuple[str, str, int]]
    to_handle: Block
    overdue: Block


def community_work(user) -> CommunityWork:
    visible = Case.objects.visible_to(user)
    listed = visible.select_related("category").order_by(
        F("due_at").asc(nulls_last=True), "received_at", "id"
    )
    mine = listed.filter(
        assigned_jurisdiction_id=user.jurisdiction_id,
        assigned_department=None,
        status__in=[Status.DISPATCHED, *DESK_WORKING],
    )
    overdue = listed.filter(overdue=True)
    return CommunityWork(
        open_counts=status_counts(visible.filter(status__in=ACTIVE_STATUSES)),
        to_handle=Block(rows=list(mine[:HOME_ROWS]), count=mine.count()),
        overdue=Block(rows=list(overdue[:HOME_ROWS]), count=overdue.count()),
    )
