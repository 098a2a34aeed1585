"""What a resident and the public may read. Public answers are built field by field from
an allowlist into plain records, so a template can never reach a description, a caller,
a photo or a member of staff through them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.cases.choices import DONE_STATUSES, Satisfaction, Status
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.roles import requested_by
from jiceng.dashboards.kpis import KPI
from jiceng.dashboards.models import DailyStat
from jiceng.jurisdictions.choices import GridKind, Level
from jiceng.jurisdictions.models import Grid, Jurisdiction
from jiceng.lib.clock import now as clock_now

from .choices import PROGRESS, PUBLIC_STEPS, STEP_OF_STATUS, UNIT_STEPS

MONTHS = 6
AWAITING_CARDS = 10  # rating cards on the home page; older ones are rated from the list

# --- the resident's own requests ------------------------------------------------------------


def mine(user) -> QuerySet[Case]:
    """The user's requests: the cases they reported or that were recorded as theirs."""
    own = Q(reporter_id=user.pk) | Q(requester_id=user.pk)
    return (
        Case.objects.visible_to(user)
        .filter(own)
        .select_related("category", "merged_into")
        .order_by("-received_at", "-id")
    )


def awaiting_rating(user) -> list[Case]:
    """Closed cases whose rating is theirs to give (the `rate` transition's REQUESTER)."""
    closed = Case.objects.visible_to(user).filter(requested_by(user), status=Status.CLOSED)
    return list(closed.select_related("category").order_by("-closed_at")[:AWAITING_CARDS])


@dataclass(frozen=True)
class Step:
    label: str
    reached: bool
    current: bool


def progress(case: Case) -> list[Step]:
    """The five-step progress line; a merged case shows the progress of the case it
    joined (they are handled as one)."""
    status = case.status
    if status == Status.MERGED and case.merged_into is not None:
        status = case.merged_into.status
    at = STEP_OF_STATUS.get(status, 0)
    return [Step(str(label), i <= at, i == at) for i, label in enumerate(PROGRESS)]


# --- tracking by number ---------------------------------------------------------------------


def trackable(number: str) -> Case | None:
    """The case with this number, with what matching and the public answer need."""
    qs = Case.objects.select_related("category", "requester", "merged_into")
    return qs.numbered(number)


@dataclass(frozen=True)
class PublicStep:
    at: datetime
    label: str
    unit: str


@dataclass(frozen=True)
class TrackResult:
    """What the track page shows: no names, phones, text, photos or staff."""

    number: str
    category: str
    status: str
    merged: bool
    received_at: datetime
    progress: list[Step]
    steps: list[PublicStep]


def track_result(case: Case) -> TrackResult:
    return TrackResult(
        number=case.number,
        category=case.category.name,
        status=case.get_status_display(),
        merged=case.status == Status.MERGED,
        received_at=case.received_at,
        progress=progress(case),
        steps=public_timeline(case),
    )


def public_timeline(case: Case) -> list[PublicStep]:
    """Times, step names and the unit that acted; notes, actors and data stay inside."""
    rows = CaseEvent.objects.filter(case=case).order_by("at", "id")
    unit, steps = "", []
    for action, at, data in rows.values_list("action", "at", "data"):
        if action in ("dispatch", "escalate") and isinstance(data, dict):
            unit = data.get("unit", unit)
        if action in PUBLIC_STEPS:
            shown = unit if action in UNIT_STEPS else ""
            steps.append(PublicStep(at, str(PUBLIC_STEPS[action]), shown))
    return steps


# --- the public community page --------------------------------------------------------------


def public_community(code: str) -> Jurisdiction | None:
    """A community (or village) by its code, with its subdistrict and district."""
    qs = Jurisdiction.objects.select_related("parent__parent").defer(
        "geometry_wkb", "parent__geometry_wkb", "parent__parent__geometry_wkb"
    )
    return qs.filter(code=code.strip(), level=Level.COMMUNITY).first()


def grid_count(community: Jurisdiction) -> int:
    return Grid.objects.filter(community=community, kind=GridKind.GENERAL).count()


# The columns the public list may show; nothing else is read.
PUBLIC_COLUMNS = (
    "category__name",
    "grid__name",
    "received_at",
    "closed_at",
    "self_resolved",
    "assigned_department__name",
    "assigned_jurisdiction__name",
    "satisfaction",
)


@dataclass(frozen=True)
class PublicCase:
    """One closed case as the public sees it."""

    category: str
    place: str
    received_at: datetime
    closed_at: datetime
    unit: str
    satisfaction: str

    @property
    def handling(self) -> timedelta:
        return self.closed_at - self.received_at


def closed_cases(community: Jurisdiction) -> QuerySet:
    """The community's closed cases, latest first, as rows of PUBLIC_COLUMNS."""
    done = Case.objects.filter(path=community.path, status__in=DONE_STATUSES)
    return done.order_by("-closed_at", "-id").values_list(*PUBLIC_COLUMNS)


def public_case(row: tuple, community: Jurisdiction) -> PublicCase:
    category, grid, received, closed, self_resolved, department, unit, satisfaction = row
    handled_by = _("网格员现场处置") if self_resolved else department or unit or "—"
    return PublicCase(
        category=category,
        place=grid or community.name,
        received_at=received,
        closed_at=closed,
        unit=handled_by,
        satisfaction=Satisfaction(satisfaction).label if satisfaction else "",
    )


@dataclass(frozen=True)
class MonthCounts:
    month: date
    received: int
    closed: int
    satisfaction_rate: float | None  # (satisfied + basic) / followed up, as in docs/kpis.md


def monthly_counts(community: Jurisdiction, today: date | None = None) -> list[MonthCounts]:
    """The last six months (this one included) from the community's daily rollups: one
    query over at most 186 rows, whatever the number of cases."""
    today = today or timezone.localtime(clock_now()).date()
    months = _last_months(today, MONTHS)
    rows = DailyStat.objects.filter(unit=f"j{community.pk}", day__gte=months[0])
    names = ("received", "closed", "followed_up", "satisfied", "basic")
    sums: dict[date, dict[str, int]] = {m: dict.fromkeys(names, 0) for m in months}
    for day, *values in rows.values_list("day", *names):
        counts = sums[day.replace(day=1)]
        for name, value in zip(names, values, strict=True):
            counts[name] += value
    return [_month(m, sums[m]) for m in reversed(months)]


def _month(month: date, counts: dict[str, int]) -> MonthCounts:
    kpi = KPI("", "", counts)
    return MonthCounts(month, counts["received"], counts["closed"], kpi.satisfaction_rate)


def _last_months(today: date, n: int) -> list[date]:
    """The first days of the last n months, oldest first."""
    year, month = today.year, today.month
    firsts = []
    for _i in range(n):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def communities_named(text: str, limit: int = 20) -> list[Jurisdiction]:
    """Communities and villages whose name contains the text, with their parents."""
    text = text.strip()
    if not text:
        return []
    qs = Jurisdiction.objects.filter(level=Level.COMMUNITY, name__icontains=text)
    qs = qs.select_related("parent__parent").defer(
        "geometry_wkb", "parent__geometry_wkb", "parent__parent__geometry_wkb"
    )
    return list(qs.order_by("path")[:limit])
