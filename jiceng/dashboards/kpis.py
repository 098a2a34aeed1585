"""KPIs and rankings read from the daily rollups (docs/kpis.md gives every formula and
its source). A month for all subdistricts is a few thousand rows, whatever the number of
cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Sum

from jiceng.jurisdictions.models import Department, Jurisdiction

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


def summed(level: str, start: date, end: date, units: list[str] | None = None) -> dict[str, dict]:
    """Counters per unit of a level over [start, end): one grouped query."""
    qs = DailyStat.objects.filter(level=level, day__gte=start, day__lt=end)
    if units is not None:
        qs = qs.filter(unit__in=units)
    rows = qs.values("unit").annotate(**{n: Sum(n) for n in COUNTERS})
    return {row.pop("unit"): row for row in rows}


def monthly_table(level: str, month: date, parent: Jurisdiction | None = None) -> list[KPI]:
    """KPIs of every unit of a level (optionally under a parent) for one month, ranked."""
    start, end = month_bounds(month)
    names = _unit_names(level, parent)
    sums = summed(level, start, end, list(names) if parent is not None else None)
    table = [KPI(unit, names.get(unit, unit), sums.get(unit, {})) for unit in names]
    table.sort(key=lambda k: (-k.composite, k.name))
    return table


def _unit_names(level: str, parent: Jurisdiction | None) -> dict[str, str]:
    if level == "department":
        qs = Department.objects.all()
        if parent is not None:
            qs = qs.filter(jurisdiction=parent)
        return {f"d{pk}": name for pk, name in qs.values_list("pk", "name")}
    qs = Jurisdiction.objects.filter(level=level)
    if parent is not None:
        qs = qs.subtree(parent)
    return {f"j{pk}": name for pk, name in qs.values_list("pk", "name")}
