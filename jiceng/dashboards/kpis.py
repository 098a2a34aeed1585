"""KPIs and rankings read from the daily rollups (docs/kpis.md gives every formula and
its source). A month for all subdistricts is a few thousand rows, whatever the number of
cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from jiceng.jurisdictions.models import Department, Jurisdiction, subtree_q

from .models import COUNTERS, DailyStat


def ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


@dataclass
class KPI:
    """The KPIs of one unit over a period, computed from its summed counters."""

    unit: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    def c(self, name: str) -> int:
        return self.counts.get(name) or 0

    @property
    def response_rate(self) -> float | None:
        """响应率: assignments accepted within the acceptance limit / assignments."""
        return ratio(self.c("accepted_on_time"), self.c("dispatched"))

    @property
    def resolution_rate(self) -> float | None:
        """解决率: follow-ups where the matter was resolved / follow-ups."""
        return ratio(self.c("resolved"), self.c("followed_up"))

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: (satisfied + basically satisfied) / follow-ups."""
        return ratio(self.c("satisfied") + self.c("basic"), self.c("followed_up"))

    @property
    def on_time_closure_rate(self) -> float | None:
        """按期结案率 (CJ/T 292): closed by the deadline / handling rounds due."""
        return ratio(self.c("closed_on_time"), self.c("due"))

    @property
    def average_handling_hours(self) -> float | None:
        seconds = ratio(self.c("handling_seconds"), self.c("closed"))
        return round(seconds / 3600, 2) if seconds is not None else None

    @property
    def self_resolved_share(self) -> float | None:
        return ratio(self.c("self_resolved"), self.c("received"))

    @property
    def rework_rate(self) -> float | None:
        return ratio(self.c("reworks"), self.c("verifications"))

    @property
    def report_in_on_time_rate(self) -> float | None:
        reported = self.c("reported_on_time") + self.c("reported_late")
        return ratio(self.c("reported_on_time"), max(reported, self.c("summoned")))

    @property
    def bottom_up_score(self) -> float | None:
        """下考上: mean of the subdistricts' ratings (speed, attitude, result), 1–5."""
        return ratio(self.c("rating_points"), 3 * self.c("ratings"))

    @property
    def resolution_levels(self) -> dict[str, float | None]:
        """Share of closures at each level: 小事不出村、大事不出镇 as a measured rate."""
        levels = ["grid", "community", "subdistrict", "district", "city"]
        return {lv: ratio(self.c(f"closed_{lv}"), self.c("closed")) for lv in levels}

    @property
    def composite(self) -> float:
        """The ranking score: the mean of the three rates (三率), missing ones as 0."""
        rates = [self.response_rate, self.resolution_rate, self.satisfaction_rate]
        return round(sum(r or 0 for r in rates) / 3, 4)


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following


def add_months(month: date, months: int) -> date:
    """The first day of the month `months` after (or before, when negative) `month`."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days)]


def summed(level: str, start: date, end: date, units: list[str] | None = None) -> dict[str, dict]:
    """Counters per unit of a level over [start, end): one grouped query."""
    qs = DailyStat.objects.filter(level=level)
    if units is None:
        qs = qs.filter(day__gte=start, day__lt=end)
    else:
        # Named units: `day IN (…) AND unit IN (…)` probes the (day, unit) unique index
        # once per pair, instead of scanning every unit of the level for the whole range.
        qs = qs.filter(day__in=days_between(start, end), unit__in=units)
    rows = qs.values("unit").annotate(**{n: Sum(n) for n in COUNTERS})
    return {row.pop("unit"): row for row in rows}


def monthly_table(level: str, month: date, parent: Jurisdiction | None = None) -> list[KPI]:
    """KPIs of every unit of a level (optionally under a parent: the jurisdictions, or the
    departments homed, in its subtree) for one month, ranked."""
    names = unit_names(level, parent.path if parent is not None else None)
    return ranked(level, month, names, every_unit=parent is None)


def ranked(level: str, month: date, names: dict[str, str], *, every_unit=False) -> list[KPI]:
    """The month's KPIs of the named units ({unit key: name}), best first (docs/kpis.md)."""
    start, end = month_bounds(month)
    sums = summed(level, start, end, None if every_unit else list(names))
    table = [KPI(unit, names.get(unit, unit), sums.get(unit, {})) for unit in names]
    table.sort(key=lambda k: (-k.composite, k.name))
    return table


def unit_names(level: str, under: str | None = None) -> dict[str, str]:
    """{unit key: name} of every unit of a level, or of those under a tree path."""
    if level == "department":
        qs = Department.objects.all()
        if under is not None:
            qs = qs.filter(subtree_q(under, "jurisdiction__path"))
        return {f"d{pk}": name for pk, name in qs.values_list("pk", "name")}
    qs = Jurisdiction.objects.filter(level=level)
    if under is not None:
        qs = qs.filter(subtree_q(under))
    return {f"j{pk}": name for pk, name in qs.values_list("pk", "name")}


def monthly_series(unit: str, last: date, months: int = 12) -> list[tuple[date, KPI]]:
    """The KPIs of one unit for each of the `months` months up to `last`, oldest first:
    one query grouped by month over that unit's daily rows."""
    first, (_, end) = add_months(last, 1 - months), month_bounds(last)
    rows = (
        DailyStat.objects.filter(day__in=days_between(first, end), unit=unit)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(**{n: Sum(n) for n in COUNTERS})
        .order_by()
    )
    by_month = {row.pop("month"): row for row in rows}
    return [
        (m, KPI(unit, f"{m:%Y-%m}", by_month.get(m, {})))
        for m in (add_months(first, n) for n in range(months))
    ]
