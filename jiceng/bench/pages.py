"""Pages as their users open them, at the bench's case count: server time through Django's
test client (no network, no browser), median of several runs, and the queries each ran.

`kpi` grows the database step by step (100,000 and 1,000,000 cases at full scale, then
10,000,000 at 10m) and measures every page here at each step (`at_step`), so the report
shows how each grows with the number of cases (issue 6: it should not). Run alone
(`--only pages,dashboard`), they measure the database as it is. The busiest subdistrict
is the one with the most cases; its dispatcher's queue is the heaviest list a person
opens every day. The targets (issue 4, docs/dashboard.md): the city leader's dashboard
and that queue within 300 ms at 1,000,000 cases on PostgreSQL; the map's markers and
heat and the Excel export are separate requests, timed here too.
"""

from __future__ import annotations

import time

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiceng.accounts.actions import create_user
from jiceng.accounts.choices import Role
from jiceng.accounts.models import User
from jiceng.cases.models import Case
from jiceng.jurisdictions.models import Jurisdiction

from .registry import Context, Figure, benchmark, timed

PAGES_FOR = "bench-"  # usernames of the users these benchmarks sign in as
MEASURED_AT = "pages measured at"  # Context.cache key: the case count kpi measured them at


def bench_user(role: str, jurisdiction: Jurisdiction | None) -> User:
    """The bench's own account for a role and place, made once through the real action."""
    name = f"{PAGES_FOR}{role}-{jurisdiction.code if jurisdiction else 'none'}"
    found = User.objects.filter(username=name).first()
    if found:
        return found
    return create_user(
        username=name,
        password=None,
        role=role,
        jurisdiction=jurisdiction,
        full_name=name,
        acting_user=None,
    )


def busiest(level: str) -> Jurisdiction | None:
    """The subdistrict or district (`level` = the Case column) with the most cases."""
    column = f"{level}_id"
    row = (
        Case.objects.exclude(**{column: None})
        .values(column)
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return Jurisdiction.objects.get(pk=row[column]) if row else None


def time_page(user: User, url: str, runs: int) -> tuple[list[float], int, int]:
    """Milliseconds per GET (after one untimed warm-up), the queries and the bytes of one."""
    client = Client(raise_request_exception=True)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1e3)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return samples, len(queries), len(response.content)


def page_figure(
    name: str, user: User, url: str, ctx: Context, cases: int, series: str, step: int
) -> Figure:
    samples, queries, size = time_page(user, url, ctx.scale.runs)
    note = f"{cases:,} cases; {queries} queries; {size / 1024:.0f} KiB; GET {url}"
    return Figure(name, "ms", samples, note, series=series, step=step)


def at_step(ctx: Context, step: int) -> list[Figure]:
    """Every page at the database's size now, `step` cases (kpi calls this per step)."""
    figures = queue_figures(ctx, step) + dashboard_figures(ctx, step)
    ctx.cache[MEASURED_AT] = Case.objects.count()
    return figures


def measured_already(ctx: Context) -> bool:
    """kpi measured the pages at this very size: once is enough."""
    return ctx.cache.get(MEASURED_AT) == Case.objects.count()


@benchmark("pages")
def pages(ctx: Context) -> list[Figure]:
    """The queue and a case page as the database is, unless kpi measured them there."""
    return [] if measured_already(ctx) else queue_figures(ctx, Case.objects.count())


@benchmark("dashboard")
def dashboard(ctx: Context) -> list[Figure]:
    """The dashboards as the database is, unless kpi measured them there."""
    return [] if measured_already(ctx) else dashboard_figures(ctx, Case.objects.count())


def queue_figures(ctx: Context, step: int) -> list[Figure]:
    """The busiest subdistrict's queue and one of its cases, as its dispatcher."""
    street = busiest("subdistrict")
    if street is None:
        return []
    cases = Case.objects.count()
    dispatcher = bench_user(Role.SUBDISTRICT_DISPATCHER, street)
    in_street = Case.objects.filter(subdistrict=street).count()
    queue = reverse("case-queue")
    one = Case.objects.filter(subdistrict=street).order_by("-id").first()
    pages = [
        (f"Queue of the busiest subdistrict ({in_street:,} cases), {cases:,} in all",
         "Queue of the busiest subdistrict", queue),
        (f"Queue, busiest subdistrict, overdue filter, {cases:,} cases",
         "Queue, busiest subdistrict, overdue filter", f"{queue}?overdue=on"),
        (f"A case page, {cases:,} cases", "A case page", reverse("case", args=[one.number])),
    ]  # fmt: skip
    return [
        page_figure(name, dispatcher, url, ctx, cases, series, step) for name, series, url in pages
    ]


def dashboard_figures(ctx: Context, step: int) -> list[Figure]:
    """The city leader's and the busiest district's dashboards, the map data, the export."""
    city = Jurisdiction.objects.filter(depth=0).first()
    district = busiest("district")
    if city is None or district is None:
        return []
    cases = Case.objects.count()
    city_leader = bench_user(Role.CITY_LEADER, city)
    pages = [
        ("City leader's dashboard", city_leader, reverse("dashboard", args=[city.code])),
        (
            f"District dashboard ({district.name})",
            bench_user(Role.DISTRICT_LEADER, district),
            reverse("dashboard", args=[district.code]),
        ),
        ("Dashboard map data, city (cases.json)", city_leader,
         reverse("dashboard-cases", args=[city.code])),
        ("Rankings export, city (rankings.xlsx)", city_leader,
         reverse("dashboard-rankings", args=[city.code])),
    ]  # fmt: skip
    return [
        page_figure(f"{name}, {cases:,} cases", user, url, ctx, cases, _series(name), step)
        for name, user, url in pages
    ] + [heat_figure(city, ctx, cases, step)]


def heat_figure(city: Jurisdiction, ctx: Context, cases: int, step: int) -> Figure:
    """cases.json keeps its heat layer for HEAT_SECONDS, so the request above mostly
    reads it from the cache: this is what computing it costs, every HEAT_SECONDS."""
    from jiceng.dashboards.selectors import HEAT_SECONDS, heat

    name = "Dashboard heat layer, city, computed"
    samples = [s * 1e3 for s in timed(lambda: heat(city), ctx.scale.runs)]
    note = f"{cases:,} cases; once per {HEAT_SECONDS // 60} minutes per node (kept in the cache)"
    return Figure(f"{name}, {cases:,} cases", "ms", samples, note, series=name, step=step)


def _series(name: str) -> str:
    """The district is the busiest one at each step, whatever its name."""
    return "District dashboard, busiest district" if name.startswith("District") else name
