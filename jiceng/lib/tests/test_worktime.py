"""Working-hour deadlines over weekends, lunch breaks, nights and the 2026 holidays.

Expected instants are worked out by hand from chinesecalendar 1.11.0's 2026 data; the
tests also assert the library facts they rely on, so an upgrade that changes them fails
loudly here rather than silently moving a deadline.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import chinese_calendar
import pytest

from jiceng.lib.worktime import SHANGHAI, WorkCalendar, add_natural_hours

# The weekend days of 2026 that are working days (调休上班), read from the library.
ADJUSTED_WEEKENDS_2026 = [
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
]


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def warnings_logged() -> Iterator[list[logging.LogRecord]]:
    # A handler of our own rather than caplog: the suite also runs with -p no:logging.
    handler = ListHandler()
    logger = logging.getLogger("jiceng.lib.worktime")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar()


def test_the_library_has_the_2026_national_day_holiday_we_rely_on() -> None:
    holiday = [date(2026, 10, d) for d in range(1, 8)]
    assert not any(chinese_calendar.is_workday(d) for d in holiday)
    # 10-08 (Thursday) is already a working day, and Saturday 10-10 is an adjusted one.
    assert all(chinese_calendar.is_workday(date(2026, 10, d)) for d in (8, 9, 10))


def test_a_case_received_before_national_day_is_due_after_the_holiday(calendar) -> None:
    # 16:00-17:30 on 09-30 (1.5 h), nothing 10-01..07, 9:00-12:00 (3 h) and 13:30-17:00
    # (3.5 h) on 10-08.
    due = calendar.add_working_hours(at(2026, 9, 30, 16), 8)
    assert due == at(2026, 10, 8, 17)


def test_a_longer_limit_counts_the_adjusted_saturday_after_national_day(calendar) -> None:
    # 1.5 h on 09-30, 7 h each on 10-08, 10-09, Saturday 10-10, 10-12 and 10-13 (36.5 h),
    # then 3 h in the morning and 0.5 h after lunch on 10-14.
    due = calendar.add_working_hours(at(2026, 9, 30, 16), 40)
    assert due == at(2026, 10, 14, 14)


def test_the_adjusted_weekends_of_2026_are_the_ones_we_hard_coded() -> None:
    days = (date(2026, 1, 1) + timedelta(days=n) for n in range(365))
    found = [d for d in days if d.weekday() >= 5 and chinese_calendar.is_workday(d)]
    assert found == ADJUSTED_WEEKENDS_2026


@pytest.mark.parametrize("day", ADJUSTED_WEEKENDS_2026)
def test_an_adjusted_weekend_day_counts_as_a_working_day(calendar, day: date) -> None:
    assert calendar.is_workday(day)


def test_an_hour_from_friday_evening_runs_into_the_adjusted_saturday(calendar) -> None:
    due = calendar.add_working_hours(at(2026, 10, 9, 17), 1)
    assert due == at(2026, 10, 10, 9, 30)


def test_a_weekend_is_skipped(calendar) -> None:
    due = calendar.add_working_hours(at(2026, 6, 12, 17), 1)
    assert due == at(2026, 6, 15, 9, 30)


def test_the_lunch_break_is_skipped(calendar) -> None:
    due = calendar.add_working_hours(at(2026, 6, 16, 11), 2)
    assert due == at(2026, 6, 16, 14, 30)


def test_a_start_before_nine_starts_counting_at_nine(calendar) -> None:
    due = calendar.add_working_hours(at(2026, 6, 16, 7, 15), 1)
    assert due == at(2026, 6, 16, 10)


@pytest.mark.parametrize("start", [at(2026, 6, 16, 22), at(2026, 6, 17, 2)])
def test_a_start_at_night_carries_to_the_next_working_morning(calendar, start) -> None:
    assert calendar.add_working_hours(start, 1) == at(2026, 6, 17, 10)


def test_a_deadline_at_the_end_of_the_day_stays_on_that_day(calendar) -> None:
    assert calendar.add_working_hours(at(2026, 6, 16, 16), 1.5) == at(2026, 6, 16, 17, 30)


@pytest.mark.parametrize(
    ("start", "normalised"),
    [
        (at(2026, 6, 16, 10), at(2026, 6, 16, 10)),
        (at(2026, 6, 16, 12), at(2026, 6, 16, 13, 30)),
        (at(2026, 6, 12, 17, 30), at(2026, 6, 15, 9)),
    ],
)
def test_zero_hours_moves_to_the_next_working_instant(calendar, start, normalised) -> None:
    assert calendar.add_working_hours(start, 0) == normalised


def test_a_utc_start_gives_a_shanghai_deadline(calendar) -> None:
    # 01:00 UTC is 09:00 in Shanghai.
    due = calendar.add_working_hours(datetime(2026, 6, 16, 1, tzinfo=UTC), 1)
    assert due == at(2026, 6, 16, 10)
    assert due.tzinfo == SHANGHAI


def test_naive_datetimes_and_negative_hours_are_refused(calendar) -> None:
    with pytest.raises(ValueError):
        calendar.add_working_hours(datetime(2026, 6, 16, 10), 1)
    with pytest.raises(ValueError):
        calendar.add_working_hours(at(2026, 6, 16, 10), -1)


def test_overlapping_periods_are_refused() -> None:
    with pytest.raises(ValueError):
        WorkCalendar(periods=((time(9), time(12)), (time(11), time(17))))


def test_natural_hours_for_emergencies_ignore_holidays() -> None:
    assert add_natural_hours(at(2026, 9, 30, 16), 24) == at(2026, 10, 1, 16)


def test_natural_hours_from_utc_are_given_in_shanghai_time() -> None:
    due = add_natural_hours(datetime(2026, 9, 30, 8, tzinfo=UTC), 2)
    assert due == at(2026, 9, 30, 18)
    assert due.tzinfo == SHANGHAI


def test_working_hours_between_spans_the_national_day_holiday(calendar) -> None:
    assert calendar.working_hours_between(at(2026, 9, 30, 16), at(2026, 10, 8, 17)) == 8


def test_working_hours_between_is_zero_when_the_end_is_not_later(calendar) -> None:
    assert calendar.working_hours_between(at(2026, 6, 16, 15), at(2026, 6, 16, 10)) == 0
    assert calendar.working_hours_between(at(2026, 6, 16, 15), at(2026, 6, 16, 15)) == 0


def test_working_hours_between_is_the_inverse_of_add_working_hours(calendar) -> None:
    rng = random.Random(20261001)
    year_start = at(2026, 1, 1)
    for _ in range(500):
        # Starts anywhere in 2026 up to November, so a 30-day limit stays in known years.
        start = year_start + timedelta(minutes=rng.randrange(334 * 24 * 60))
        hours = rng.choice([0, rng.uniform(0, 2), rng.uniform(0, 210), rng.randrange(0, 211)])
        due = calendar.add_working_hours(start, hours)
        assert calendar.working_hours_between(start, due) == pytest.approx(hours, abs=1e-6)


def test_an_unknown_year_falls_back_to_weekdays_and_warns_once(warnings_logged) -> None:
    calendar = WorkCalendar()
    # Friday 2027-01-01 is New Year's Day, but nothing tells the calendar so.
    assert calendar.add_working_hours(at(2026, 12, 31, 17), 1) == at(2027, 1, 1, 9, 30)
    assert not calendar.is_workday(date(2027, 1, 2))
    assert len(warnings_logged) == 1
    message = warnings_logged[0].getMessage()
    assert "2027" in message
    assert "HolidayOverride" in message


def test_an_override_makes_new_years_day_2027_a_holiday() -> None:
    calendar = WorkCalendar({date(2027, 1, 1): False})
    assert calendar.add_working_hours(at(2026, 12, 31, 17), 1) == at(2027, 1, 4, 9, 30)


def test_an_override_makes_a_2027_saturday_a_working_day() -> None:
    calendar = WorkCalendar({date(2027, 1, 1): False, date(2027, 1, 2): True})
    assert calendar.add_working_hours(at(2026, 12, 31, 17), 1) == at(2027, 1, 2, 9, 30)


def test_an_override_wins_over_the_library() -> None:
    calendar = WorkCalendar({date(2026, 10, 10): False})
    assert calendar.add_working_hours(at(2026, 10, 9, 17), 1) == at(2026, 10, 12, 9, 30)
