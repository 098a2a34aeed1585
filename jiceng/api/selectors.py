"""Reads for the API that are not a plain `visible_to` queryset: KPIs of one node."""

from __future__ import annotations

from datetime import date

from django.http import Http404
from django.utils import timezone

from jiceng.accounts.choices import Role
from jiceng.dashboards import selectors as board
from jiceng.dashboards.access import access_dashboard, dashboard_root
from jiceng.dashboards.kpis import KPI, month_bounds, summed
from jiceng.jurisdictions.access import access_jurisdiction
from jiceng.jurisdictions.models import Jurisdiction
from jiceng.jurisdictions.views import scope_root_for

RATES = [
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "on_time_closure_rate",
    "average_handling_hours",
    "self_resolved_share",
    "rework_rate",
    "report_in_on_time_rate",
    "bottom_up_score",
    "composite",
]


def kpi_node(user, code: str | None) -> Jurisdiction:
    """The node whose KPIs are asked for: the dashboard's rule (leaders and command
    centres, in their scope), and an external system's own area. 404 otherwise."""
    external = user.role == Role.EXTERNAL_SYSTEM
    if code:
        return access_jurisdiction(user, code) if external else access_dashboard(user, code)
    root = scope_root_for(user) if external else dashboard_root(user)
    if root is None:
        raise Http404
    return root


def this_month() -> date:
    return timezone.localdate().replace(day=1)


def node_kpi(node: Jurisdiction, month: date) -> KPI:
    start, end = month_bounds(month)
    key = board.unit_key(node)
    return KPI(key, node.name, summed(node.level, start, end, [key]).get(key, {}))


def kpi_values(kpi: KPI) -> dict:
    values = {name: getattr(kpi, name) for name in RATES}
    values["resolution_levels"] = kpi.resolution_levels
    values["counts"] = {k: v or 0 for k, v in kpi.counts.items()}
    return values


def child_rows(user, node: Jurisdiction, month: date) -> list[dict]:
    table = board.child_ranking(node, board.children(user, node), month)
    return [_row(n, kpi, kpi.node.code) for n, kpi in enumerate(table, 1)]


def department_rows(node: Jurisdiction, month: date) -> list[dict]:
    table = board.department_ranking(node, month)
    return [_row(n, kpi, None, int(kpi.unit[1:])) for n, kpi in enumerate(table, 1)]


def _row(rank: int, kpi: KPI, code: str | None, department: int | None = None) -> dict:
    row = {"rank": rank, "name": kpi.name, "code": code, "department": department}
    return row | {name: getattr(kpi, name) for name in RATES}
