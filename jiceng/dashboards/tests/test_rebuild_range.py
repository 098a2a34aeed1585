"""A rebuild over a range of local days (and the months it touches) replaces those rows
with what a full rebuild would write, and leaves every other row as it was."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import F

from jiceng.cases import actions
from jiceng.cases.choices import Satisfaction, WhistleReason
from jiceng.cases.tests.fixtures import IN_GRID, IN_OTHER_GRID, run_to
from jiceng.dashboards.models import COUNTERS, CategoryMonthStat, DailyStat
from jiceng.dashboards.rebuild import rebuild_rollups
from jiceng.lib.clock import frozen

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
START, END = date(2025, 10, 1), date(2025, 10, 3)  # 1 and 2 October


def at(*moment):
    return frozen(datetime(*moment, tzinfo=SHANGHAI))


@pytest.fixture
def history(cast, catalogue, rules):
    """Garbage received from 29 September to 3 October, each closed a day later and
    followed up the day after, one just before and one just after midnight of 1 October
    (UTC would put both on 30 September), the latter whistled; on 2 October, one in the
    neighbouring street and a road case dispatched to the district's department."""
    received = [(2025, 9, 29, 10), (2025, 9, 30, 23, 30), (2025, 10, 1, 0, 30),
                (2025, 10, 2, 9), (2025, 10, 3, 9)]  # fmt: skip
    for n, moment in enumerate(received):
        with at(*moment):
            case = report(cast, catalogue["garbage"])
        next_day = date(*moment[:3]) + timedelta(days=1)
        with at(*next_day.timetuple()[:3], 15):
            if n == 2:
                whistle(case, cast)
            case = run_to(case, cast, "closed")
        with at(*(next_day + timedelta(days=1)).timetuple()[:3], 15):
            actions.follow_up(
                case, acting_user=cast.dispatcher, resolved=True,
                satisfaction=Satisfaction.SATISFIED,
            )  # fmt: skip
    with at(2025, 10, 2, 11):
        report(cast, catalogue["garbage"], worker=cast.other_worker, point=IN_OTHER_GRID)
        report(cast, catalogue["road"])  # dispatched to the district's department
    return cast


def report(cast, category, worker=None, point=IN_GRID):
    return actions.report_by_grid_worker(
        acting_user=worker or cast.grid_worker,
        category=category,
        lng=point[0],
        lat=point[1],
        description="测试",
    )


def whistle(case, cast) -> None:
    blown = actions.blow_whistle(
        case,
        acting_user=cast.dispatcher,
        departments=[cast.department],
        reason=WhistleReason.JOINT_ENFORCEMENT,
    )
    actions.report_in(blown.summons.get(), acting_user=cast.clerk)


def daily() -> dict:
    return {
        (row["day"], row["unit"]): row
        for row in DailyStat.objects.values("day", "unit", "level", *COUNTERS)
    }


def monthly() -> dict:
    return {
        (month, place, category): n
        for month, place, category, n in CategoryMonthStat.objects.values_list(
            "month", "jurisdiction_id", "category_id", "received"
        )
    }


def tamper() -> None:
    """Wrong counters everywhere, as after a manual fix gone bad."""
    DailyStat.objects.update(received=F("received") + 100, closed=F("closed") + 7)
    CategoryMonthStat.objects.update(received=F("received") + 100)


def split(rows: dict, inside) -> tuple[dict, dict]:
    return (
        {k: v for k, v in rows.items() if inside(k[0])},
        {k: v for k, v in rows.items() if not inside(k[0])},
    )


def in_days(day: date) -> bool:
    return START <= day < END


def in_october(month: date) -> bool:
    return month == date(2025, 10, 1)


def test_a_range_rebuild_writes_what_a_full_one_writes_inside_the_range(history):
    rebuild_rollups()
    full_days, full_months = split(daily(), in_days), split(monthly(), in_october)
    tamper()
    rebuild_rollups(start=START, end=END)
    days, months = split(daily(), in_days), split(monthly(), in_october)
    assert days[0] == full_days[0]
    assert months[0] == full_months[0]
    street = {row["unit"]: row for (day, _), row in days[0].items() if day == START}
    # 1 October: one received after local midnight, one closed, one followed up.
    assert street[f"j{history.street.pk}"]["received"] == 1
    assert street[f"j{history.street.pk}"]["closed"] == 1
    assert street[f"j{history.street.pk}"]["followed_up"] == 1
    second = {row["unit"]: row for (day, _), row in days[0].items() if day == date(2025, 10, 2)}
    assert second[f"j{history.other_street.pk}"]["received"] == 1
    assert second[f"d{history.department.pk}"]["dispatched"] == 1
    assert second[f"d{history.department.pk}"]["summoned"] == 1


def test_a_range_rebuild_leaves_the_rows_outside_it_alone(history):
    rebuild_rollups()
    tamper()
    tampered_days, tampered_months = split(daily(), in_days), split(monthly(), in_october)
    assert tampered_days[1] and tampered_months[1]  # September and 3 October onwards
    rebuild_rollups(start=START, end=END)
    assert split(daily(), in_days)[1] == tampered_days[1]
    assert split(monthly(), in_october)[1] == tampered_months[1]


def test_a_range_rebuild_gives_back_the_counters_the_actions_kept(history):
    # Places only: a rebuilt department row also counts the received cases assigned to
    # it, which intake does not (docs/kpis.md, "Rebuilding them").
    kept = split(places(), in_days)[0]
    DailyStat.objects.filter(day__gte=START, day__lt=END).delete()
    rebuild_rollups(start=START, end=END)
    assert split(places(), in_days)[0] == kept


def places() -> dict:
    return {key: row for key, row in daily().items() if row["level"] != "department"}


def test_the_command_takes_the_range_as_since_and_until(history, capsys):
    rebuild_rollups()
    full = daily()
    tamper()
    tampered = daily()
    call_command("rebuild_rollups", "--since", "2025-10-01", "--until", "2025-10-03")
    after = daily()
    assert {k: v for k, v in after.items() if in_days(k[0])} == {
        k: v for k, v in full.items() if in_days(k[0])
    }
    assert {k: v for k, v in after.items() if not in_days(k[0])} == {
        k: v for k, v in tampered.items() if not in_days(k[0])
    }
    assert "2025-10-01" in capsys.readouterr().out


def test_the_command_rebuilds_from_a_day_on_without_an_end(history):
    rebuild_rollups()
    full = daily()
    tamper()
    call_command("rebuild_rollups", "--since", "2025-10-02")
    after = daily()
    later = {k for k in after if k[0] >= date(2025, 10, 2)}
    assert later and all(after[k] == full[k] for k in later)
    assert all(after[k]["received"] >= 100 for k in after if k not in later)
