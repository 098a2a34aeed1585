"""The KPI cards show the kpis module's numbers for this month, the overdue card counts
open red-card cases of the subtree, and each card carries a 12-month trend."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.cases import actions
from jiceng.cases.choices import Status
from jiceng.cases.models import Case
from jiceng.cases.tests.fixtures import JPEG
from jiceng.dashboards.kpis import KPI, add_months, month_bounds, summed
from jiceng.dashboards.selectors import trend_months
from jiceng.lib.clock import frozen

from .test_kpis import garbage, month, past  # noqa: F401  (the hand-built month)

pytestmark = pytest.mark.django_db


def this_month_kpi(unit: str, level: str) -> KPI:
    start, end = month_bounds(timezone.localdate())
    return KPI(unit, unit, summed(level, start, end, [unit]).get(unit, {}))


def cards_of(client, node) -> dict:
    response = client.get(reverse("dashboard", args=[node.code]))
    assert response.status_code == 200
    return {card.key: card for card in response.context["cards"]}


def test_the_cards_show_the_kpis_modules_numbers_for_this_month(login, month):  # noqa: F811
    cards = cards_of(login(month.dispatcher), month.street)
    expected = this_month_kpi(f"j{month.street.pk}", "subdistrict")
    assert cards["response"].value == expected.response_rate == round(1 / 3, 4)
    assert cards["resolution"].value == expected.resolution_rate == 0.5
    assert cards["satisfaction"].value == expected.satisfaction_rate == 0.5
    assert cards["on_time"].value == expected.on_time_closure_rate == round(2 / 3, 4)
    assert cards["self_resolved"].value == expected.self_resolved_share == 0.25


def test_every_level_shows_the_same_numbers_for_the_same_cases(login, month):  # noqa: F811
    client = login(month.district_leader)
    levels = [month.district, month.street, month.community]
    values = [{k: c.value for k, c in cards_of(client, node).items()} for node in levels]
    assert values[0] == values[1] == values[2]
    neighbour = cards_of(client, month.other_street)
    assert neighbour["response"].value is None and neighbour["overdue"].value == 0


def test_the_overdue_card_counts_open_red_card_cases_of_the_subtree(login, month):  # noqa: F811
    waiting = Case.objects.get(status=Status.DISPATCHED)  # D: dispatched, never accepted
    past(waiting, "warn_at", "due_at")
    assert actions.sweep()["overdue"] == 1
    client = login(month.district_leader)
    assert cards_of(client, month.district)["overdue"].value == 1
    assert cards_of(client, month.community)["overdue"].value == 1
    assert cards_of(client, month.other_street)["overdue"].value == 0
    actions.accept(Case.objects.get(pk=waiting.pk), acting_user=month.secretary)
    assert cards_of(client, month.district)["overdue"].value == 0  # the new stage is on time
    # The trend counts the red cards given this month, from the rollups.
    assert cards_of(client, month.district)["overdue"].trend[-1] == 1


def test_each_card_has_twelve_months_of_trend_ending_with_this_one(login, month):  # noqa: F811
    response = login(month.dispatcher).get(reverse("dashboard", args=[month.street.code]))
    months = response.context["trend"]["months"]
    today = timezone.localdate()
    assert months == trend_months(today) and len(months) == 12
    assert months[-1] == f"{today:%Y-%m}" and months[0] == f"{add_months(today, -11):%Y-%m}"
    for card in response.context["cards"]:
        assert len(card.trend) == 12
        if card.percent and card.value is not None:
            assert card.trend[-1] == round(card.value * 100, 1)
    assert 'id="dash-trend"' in response.content.decode()


def test_a_case_of_an_earlier_month_shows_in_that_months_point(login, cast, catalogue, rules):
    earlier = add_months(timezone.localdate(), -2)
    at = timezone.make_aware(datetime(earlier.year, earlier.month, 10, 10, 0))
    with frozen(at):
        garbage(cast, catalogue, self_resolved=True, after_photos=[("a.jpg", JPEG)])
    with frozen(at + timedelta(hours=1)):
        garbage(cast, catalogue)
    card = cards_of(login(cast.dispatcher), cast.street)["self_resolved"]
    assert card.trend[-3] == 50.0  # one of the two cases received that month
    assert card.trend[-1] is None and card.value is None  # nothing received this month
