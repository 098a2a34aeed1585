"""The demo month: every source and many states, made through the real actions, and the
same twice for the same seed and end."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.cases.choices import Source, Status
from jiceng.cases.demo import seed_cases
from jiceng.cases.models import Case, CaseEvent
from jiceng.dashboards.models import DailyStat

pytestmark = pytest.mark.django_db

END = timezone.now().replace(microsecond=0)


def story() -> list[tuple]:
    return list(
        Case.objects.order_by("received_at", "id").values_list(
            "received_at", "source", "category__code", "status", "grid__code"
        )
    )


def test_a_demo_month_has_every_source_and_the_side_paths(cast):
    result = seed_cases(total=400, days=20, end=END)
    assert result["cases"] == 400
    sources = Counter(Case.objects.values_list("source", flat=True))
    assert set(sources) == {Source.GRID_REPORT, Source.HOTLINE, Source.RESIDENT, Source.PATROL}
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {Status.DISPATCHED, Status.CLOSED, Status.FOLLOWED_UP, Status.REPLIED} <= statuses
    events = Counter(CaseEvent.objects.values_list("action", flat=True))
    for action in ("self_resolve", "accept", "reply", "verify", "close", "follow_up"):
        assert events[action] > 0, action
    assert Case.objects.filter(overdue=True).exists()
    assert DailyStat.objects.filter(level="subdistrict").exists()
    first = Case.objects.order_by("received_at").first().received_at
    assert END - timedelta(days=20) <= first < END


def test_the_same_seed_and_end_give_the_same_month(cast):
    seed_cases(total=120, days=10, end=END)
    first = story()
    Case.objects.all().delete()
    DailyStat.objects.all().delete()
    seed_cases(total=120, days=10, end=END)
    assert story() == first


def test_an_interrupted_run_resumes_where_it_stopped(cast):
    seed_cases(total=60, days=10, end=END)
    result = seed_cases(total=100, days=10, end=END)
    assert result["made"] == 40 and Case.objects.count() == 100
