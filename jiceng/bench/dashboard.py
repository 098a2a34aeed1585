"""The command dashboard as leaders open it, at the bench's case count (after `kpi` has
grown the database and rebuilt the rollups): server time through Django's test client,
median of several runs, with the queries of one request in the note.

The target (docs/dashboard.md): the city leader's dashboard within 300 ms at 1,000,000
cases on PostgreSQL. The map's markers and heat and the Excel export are separate
requests, timed here too.
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

from .registry import Context, Figure, benchmark


def leader(role: str, node: Jurisdiction) -> User:
    """The bench's own account for a role and place, made once through the real action."""
    name = f"bench-dashboard-{role}-{node.code}"
    return User.objects.filter(username=name).first() or create_user(
        username=name, role=role, jurisdiction=node, full_name=name
    )


def busiest_district() -> Jurisdiction | None:
    row = (
        Case.objects.exclude(district=None)
        .values("district_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return Jurisdiction.objects.get(pk=row["district_id"]) if row else None


def timed_get(user: User, url: str, runs: int) -> tuple[list[float], int, int]:
    """Milliseconds per GET after one untimed warm-up, the queries and bytes of one."""
    client = Client(raise_request_exception=True)
    client.force_login(user)
    assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1e3)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return samples, len(queries), len(response.content)


@benchmark("dashboard")
def dashboard(ctx: Context) -> list[Figure]:
    city = Jurisdiction.objects.filter(depth=0).first()
    district = busiest_district()
    if city is None or district is None:
        return []
    cases = Case.objects.count()
    city_leader = leader(Role.CITY_LEADER, city)
    pages = [
        ("City leader's dashboard", city_leader, reverse("dashboard", args=[city.code])),
        (
            f"District dashboard ({district.name})",
            leader(Role.DISTRICT_LEADER, district),
            reverse("dashboard", args=[district.code]),
        ),
        ("Dashboard map data, city (cases.json)", city_leader,
         reverse("dashboard-cases", args=[city.code])),
        ("Rankings export, city (rankings.xlsx)", city_leader,
         reverse("dashboard-rankings", args=[city.code])),
    ]  # fmt: skip
    figures = []
    for name, user, url in pages:
        samples, queries, size = timed_get(user, url, ctx.scale.runs)
        note = f"{cases:,} cases; {queries} queries; {size / 1024:.0f} KiB; GET {url}"
        figures.append(Figure(f"{name}, {cases:,} cases", "ms", samples, note))
    return figures
