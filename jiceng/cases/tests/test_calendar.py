"""The cases app's calendar: HolidayOverride rows reach deadlines, and edits are seen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from jiceng.cases import calendar
from jiceng.cases.calendar import deadline, work_calendar
from jiceng.cases.models import HolidayOverride
from jiceng.lib.worktime import SHANGHAI

pytestmark = pytest.mark.django_db

NEW_YEAR_2027 = date(2027, 1, 1)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    # The cache outlives each test's rolled-back rows; start and end every test without it.
    calendar.connect_signals()
    calendar.invalidate()
    yield
    calendar.invalidate()


def test_a_holiday_override_row_reaches_the_calendar() -> None:
    HolidayOverride.objects.create(date=NEW_YEAR_2027, is_workday=False, name="元旦")
    assert not work_calendar().is_workday(NEW_YEAR_2027)


def test_the_calendar_is_built_once_and_reused() -> None:
    assert work_calendar() is work_calendar()


def test_saving_a_holiday_override_invalidates_the_cached_calendar() -> None:
    before = work_calendar()
    assert before.is_workday(NEW_YEAR_2027)  # a Friday, by the weekday fallback
    HolidayOverride.objects.create(date=NEW_YEAR_2027, is_workday=False, name="元旦")
    assert work_calendar() is not before
    assert not work_calendar().is_workday(NEW_YEAR_2027)


def test_deleting_a_holiday_override_invalidates_the_cached_calendar() -> None:
    row = HolidayOverride.objects.create(date=NEW_YEAR_2027, is_workday=False, name="元旦")
    assert not work_calendar().is_workday(NEW_YEAR_2027)
    row.delete()
    assert work_calendar().is_workday(NEW_YEAR_2027)


def test_a_change_no_signal_reports_is_seen_once_the_cache_is_old(monkeypatch) -> None:
    row = HolidayOverride.objects.create(date=NEW_YEAR_2027, is_workday=False, name="元旦")
    stale = work_calendar()
    # QuerySet.update() sends no signal, like a save in another worker process.
    HolidayOverride.objects.filter(pk=row.pk).update(is_workday=True)
    assert work_calendar() is stale
    now = calendar.monotonic()
    monkeypatch.setattr(calendar, "monotonic", lambda: now + calendar.MAX_AGE + 1)
    assert work_calendar().is_workday(NEW_YEAR_2027)


def test_a_normal_deadline_counts_working_hours_past_national_day() -> None:
    assert deadline(at(2026, 9, 30, 16), 8, natural=False) == at(2026, 10, 8, 17)


def test_an_emergency_deadline_counts_natural_hours_through_the_holiday() -> None:
    assert deadline(at(2026, 9, 30, 16), 8, natural=True) == at(2026, 10, 1)


def test_a_deadline_from_utc_now_is_given_in_shanghai_time() -> None:
    # timezone.now() is UTC; 08:00 UTC on 09-30 is 16:00 in Shanghai.
    due = deadline(datetime(2026, 9, 30, 8, tzinfo=UTC), 8, natural=False)
    assert due == at(2026, 10, 8, 17)
    assert due.tzinfo == SHANGHAI


def test_a_deadline_honours_an_override_for_2027() -> None:
    HolidayOverride.objects.create(date=NEW_YEAR_2027, is_workday=False, name="元旦")
    assert deadline(at(2026, 12, 31, 17), 1, natural=False) == at(2027, 1, 4, 9, 30)
