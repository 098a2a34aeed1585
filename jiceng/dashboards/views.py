"""The command dashboard (一网统管): one page per jurisdiction node, its map data and
its rankings as Excel. Every node is reached through `access_dashboard`."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jiceng.jurisdictions import maps
from jiceng.lib.clock import now as clock_now
from jiceng.lib.excel import XLSX

from . import selectors
from .access import access_dashboard, dashboard_root, may_use_dashboard
from .exports import rankings_workbook
from .forms import MonthForm


def today() -> date:
    return timezone.localdate(clock_now())


@login_required
def my_dashboard(request):
    """The user's own dashboard (also the home page of district and city leaders);
    people whose role has none are sent to their own home page."""
    if not may_use_dashboard(request.user):
        return redirect("home")
    root = dashboard_root(request.user)
    if root is None:
        raise Http404("您的账号还没有辖区")
    return _page(request, root)


@login_required
def dashboard(request, code: str):
    return _page(request, access_dashboard(request.user, code))


def _page(request, node):
    day = today()
    form = MonthForm(request.GET or None, current=day)
    month = form.chosen()
    kids = selectors.children(request.user, node)
    cards, months = selectors.cards(node, day), selectors.trend_months(day)
    context = {
        "node": node,
        "crumbs": selectors.crumbs(request.user, node),
        "children": kids,
        "child_label": selectors.child_label(node),
        "cards": cards,
        "cards_month": f"{day:%Y-%m}",
        "trend": selectors.trend_payload(cards, months),
        "trend_rows": selectors.trend_rows(cards, months),
        "form": form,
        "month": month,
        "child_table": selectors.child_ranking(node, kids, month),
        "department_table": selectors.department_ranking(node, month),
        "themes": selectors.themes(node, kids, month),
        "map": _map_urls(node),
        "marker_cap": selectors.MARKER_CAP,
        "heat_days": selectors.HEAT_DAYS,
    }
    return render(request, "dashboards/dashboard.html", context)


def _map_urls(node) -> dict[str, str | None]:
    return {
        "outline": reverse("dashboard-outline", args=[node.code]),
        "children": reverse("jurisdiction-map", args=[node.code]),
        "cases": reverse("dashboard-cases", args=[node.code]),
        "dashboard": reverse("dashboard", args=["CODE"]),
        "case": reverse("case", args=["NUMBER"]),
        "grid": reverse("grid", args=["CODE"]),
        "grid_layer": reverse("grid-layer", args=[node.code]),
    }


@login_required
def cases_json(request, code: str):
    """Open cases as compact markers (live) and 30-day heat per grid (at most
    HEAT_SECONDS old): the map's heavy data, kept off the page itself."""
    node = access_dashboard(request.user, code)
    points, truncated = selectors.markers(node)
    heat = selectors.kept_heat(node)
    body = {
        "markers": points,
        "truncated": truncated,
        "cap": selectors.MARKER_CAP,
        "heat": heat["heat"],
        "heat_days": selectors.HEAT_DAYS,
        "heat_at": heat["at"],
    }
    return JsonResponse(body)


@login_required
def outline(request, code: str):
    """The node's own boundary, simplified like the children layer of its level."""
    node = access_dashboard(request.user, code, with_geometry=True)
    features = []
    if node.geometry is not None:
        tolerance = maps.TOLERANCE.get(node.level, 0)
        features.append(maps.feature(node.geometry, tolerance, code=node.code, layer="outline"))
    return JsonResponse(maps.collection(features))


@login_required
def rankings_export(request, code: str):
    node = access_dashboard(request.user, code)
    form = MonthForm(request.GET, current=today())
    if not form.is_valid():
        return HttpResponseBadRequest(
            " ".join(form.errors["month"]), content_type="text/plain; charset=utf-8"
        )
    month = form.cleaned_data["month"]
    kids = selectors.children(request.user, node)
    data = rankings_workbook(
        node,
        month,
        selectors.child_ranking(node, kids, month),
        selectors.department_ranking(node, month),
    )
    response = HttpResponse(data, content_type=XLSX)
    name = f"rankings-{node.code}-{month:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
