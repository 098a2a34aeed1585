"""What the command dashboard (一网统管) shows: read from the rollups and the tree, plus
one count of the cases on the page (red cards now) and the map's capped markers and heat
in their own JSON request; never a list of the cases (docs/dashboard.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.scope import scope_for
from jiceng.cases.choices import OPEN_STATUSES
from jiceng.cases.models import Case
from jiceng.jurisdictions.choices import CHILD_LEVEL, Level
from jiceng.jurisdictions.models import SEGMENT, Jurisdiction, subtree_q
from jiceng.lib.clock import now as clock_now

from .kpis import KPI, add_months, monthly_series, ranked, unit_names
from .models import CategoryMonthStat

MARKER_CAP = 3000  # open cases drawn on the map, most urgent first
HEAT_DAYS = 30
# The heat layer is computed at most this often per node, and shared by every server
# process through the cache: a city's 30 days are most of a million cases at megacity
# scale (docs/benchmarks.md), and a heat map a few minutes old shows the same thing.
HEAT_SECONDS = 300
THEME_COUNT = 10
# (key, label, KPI property) of the rate cards; the overdue card is a live count.
RATE_CARDS = [
    ("response", _("响应率"), "response_rate"),
    ("resolution", _("解决率"), "resolution_rate"),
    ("satisfaction", _("满意率"), "satisfaction_rate"),
    ("on_time", _("按期结案率"), "on_time_closure_rate"),
    ("self_resolved", _("自处置率"), "self_resolved_share"),
]


@dataclass
class Card:
    """One KPI card: this month's value and its 12-month trend (oldest first)."""

    key: str
    label: str
    value: float | int | None
    trend: list[float | int | None]
    percent: bool = True


@dataclass
class Theme:
    """A 每月一题 candidate: a 小类 in a place whose count rose most this month."""

    place: Jurisdiction
    category_code: str
    category_name: str
    current: int
    previous_mean: float

    @property
    def rise(self) -> float:
        return round(self.current - self.previous_mean, 1)


def crumbs(user, node: Jurisdiction) -> list[tuple[Jurisdiction, bool]]:
    """Ancestors, city first, each with whether the user may open its dashboard (a
    district leader sees the city's name but cannot open it)."""
    scope = scope_for(user)
    ancestors = list(node.ancestors().defer("geometry_wkb"))
    return [(a, scope.everything or a.path.startswith(scope.path or "-")) for a in ancestors]


def children(user, node: Jurisdiction) -> list[Jurisdiction]:
    return list(
        Jurisdiction.objects.visible_to(user)
        .filter(parent=node)
        .defer("geometry_wkb")
        .order_by("code")
    )


def unit_key(node: Jurisdiction) -> str:
    return f"j{node.pk}"


def cards(node: Jurisdiction, today: date) -> list[Card]:
    """This month so far and the eleven before, from one grouped query on the node's
    rollups, plus the count of open overdue cases now."""
    series = [kpi for _month, kpi in monthly_series(unit_key(node), today)]
    out = [
        Card(key, label, getattr(series[-1], prop), [_pct(getattr(k, prop)) for k in series])
        for key, label, prop in RATE_CARDS
    ]
    overdue = [k.c("overdue") for k in series]  # red cards given each month
    out.insert(4, Card("overdue", _("红牌超期（在办）"), overdue_now(node), overdue, False))
    return out


def trend_months(today: date) -> list[str]:
    return [f"{add_months(today, n - 11):%Y-%m}" for n in range(12)]


def trend_payload(card_list: list[Card], months: list[str]) -> dict:
    """What the ECharts lines draw (percentages as 0–100, counts as they are)."""
    return {
        "months": months,
        "cards": [
            {"key": c.key, "label": str(c.label), "trend": c.trend, "percent": c.percent}
            for c in card_list
        ],
    }


def trend_rows(card_list: list[Card], months: list[str]) -> list[tuple[str, list[str]]]:
    """The same trend as a table, month by month (for readers without JavaScript)."""

    def text(card: Card, value) -> str:
        return "—" if value is None else f"{value}%" if card.percent else str(value)

    return [(m, [text(c, c.trend[n]) for c in card_list]) for n, m in enumerate(months)]


def child_label(node: Jurisdiction) -> str:
    level = CHILD_LEVEL.get(Level(node.level))
    return str(level.label) if level else ""


def _pct(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def overdue_now(node: Jurisdiction) -> int:
    """Open cases of the subtree past their red-card limit (红牌): the sweep sets
    `overdue` and every stage change clears it. A partial index holds only overdue cases
    (`case_overdue_path`), so the count reads those of the subtree and nothing else."""
    return Case.objects.filter(subtree_q(node.path), status__in=OPEN_STATUSES, overdue=True).count()


def child_ranking(node: Jurisdiction, kids: list[Jurisdiction], month: date) -> list[KPI]:
    """The month's ranking of the node's children (districts, subdistricts, communities);
    each row also carries its node (`row.node`), for the links and the export's codes."""
    level = CHILD_LEVEL.get(Level(node.level))
    if level is None or not kids:
        return []
    table = ranked(level, month, {unit_key(k): k.name for k in kids})
    by_key = {unit_key(k): k for k in kids}
    for row in table:
        row.node = by_key[row.unit]
    return table


def department_anchor(node: Jurisdiction) -> str:
    """The path whose departments a node's dashboard ranks: all of them for the city,
    the district's own for a district and everything below it."""
    return node.path[: 2 * SEGMENT] if node.depth >= 1 else node.path


def department_ranking(node: Jurisdiction, month: date) -> list[KPI]:
    return ranked("department", month, unit_names("department", department_anchor(node)))


def themes(node: Jurisdiction, kids: list[Jurisdiction], month: date) -> list[Theme]:
    """每月一题 candidates: category × place (the node's children, or the node itself at
    the bottom of the tree) whose count in `month` rose most above the mean of the three
    months before; one grouped query on the category rollups."""
    places = {k.pk: k for k in kids} or {node.pk: node}
    rows = (
        CategoryMonthStat.objects.filter(
            jurisdiction_id__in=list(places), month__gte=add_months(month, -3), month__lte=month
        )
        .values("jurisdiction_id", "category__code", "category__name")
        .annotate(
            current=Sum("received", filter=Q(month=month), default=0),
            previous=Sum("received", filter=Q(month__lt=month), default=0),
        )
        # 3 × (current − mean of three) keeps the ordering in integers.
        .annotate(rise3=F("current") * 3 - F("previous"))
        .filter(rise3__gt=0)
        .order_by("-rise3", "-current", "category__code", "jurisdiction_id")[:THEME_COUNT]
    )
    return [
        Theme(
            places[r["jurisdiction_id"]],
            r["category__code"],
            r["category__name"],
            r["current"],
            round(r["previous"] / 3, 1),
        )
        for r in rows
    ]


# --- the map's data (the JSON endpoint, never the page) ------------------------------------


def markers(node: Jurisdiction) -> tuple[list[list], bool]:
    """Open located cases of the subtree as [lng, lat, number, flag], most urgent first,
    capped; flag 2 = 红牌, 1 = 黄牌. Most urgent = the earliest deadline of the current
    stage: red cards (deadline passed) come first by construction, cases with no clock
    (the manual queue) last. That order walks the `due_at` index and stops at the cap,
    where "red, then yellow" would sort every open case of the city (docs/dashboard.md)."""
    rows = list(
        Case.objects.filter(subtree_q(node.path), status__in=OPEN_STATUSES, lng__isnull=False)
        .order_by(F("due_at").asc(nulls_last=True), "id")
        .values_list("id", "received_at", "lng", "lat", "overdue", "warned")[: MARKER_CAP + 1]
    )
    out = [
        [round(lng, 6), round(lat, 6), _number(pk, received), 2 if red else 1 if yellow else 0]
        for pk, received, lng, lat, red, yellow in rows[:MARKER_CAP]
    ]
    return out, len(rows) > MARKER_CAP


def _number(pk: int, received) -> str:
    """Case.number without building 3,000 Case instances (keep the two formats equal:
    test_dashboard_map checks them against each other)."""
    return f"{timezone.localtime(received):%Y%m%d}{pk:08d}"


def kept_heat(node: Jurisdiction) -> dict:
    """{"heat": heat(node), "at": when it was computed}, from the cache when it is there."""
    key = f"dashboard-heat:{node.path}"
    kept = cache.get(key)
    if kept is None:
        kept = {"heat": heat(node), "at": clock_now().isoformat()}
        cache.set(key, kept, HEAT_SECONDS)
    return kept


def heat(node: Jurisdiction) -> list[list]:
    """[lng, lat, cases] per grid centre: cases of the subtree received in the last 30
    days, one grouped query."""
    since = clock_now() - timedelta(days=HEAT_DAYS)
    rows = (
        Case.objects.filter(subtree_q(node.path), received_at__gte=since, grid__isnull=False)
        .values("grid_id", "grid__center_lng", "grid__center_lat")
        .annotate(n=Count("grid_id"))  # not "id": the received_at index covers grid_id
        .order_by()
    )
    return [
        [round(r["grid__center_lng"], 6), round(r["grid__center_lat"], 6), r["n"]] for r in rows
    ]
