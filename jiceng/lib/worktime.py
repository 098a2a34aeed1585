"""Working time: which days are working days, and how deadlines in working hours fall.

A day's status comes from, in order: the overrides given to the calendar (the admin's
HolidayOverride rows), the chinesecalendar library (State Council holidays and adjusted
working weekends, 2004–2026 in 1.11.0), and for years the library does not know yet,
Monday–Friday with a warning, so that deadlines keep working until someone enters that
year's holidays.

Working periods are wall-clock times of a working day in the calendar's zone; each period
is half-open, [start, end). Everything takes aware datetimes in any zone and returns
datetimes in the calendar's zone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import chinese_calendar

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Typical Chinese government office hours (机关作息): 9:00–12:00 and 13:30–17:30, a 7-hour
# day with a long lunch break. Offices with other hours pass their own periods.
OFFICE_HOURS: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(13, 30), time(17, 30)))
ONE_DAY = timedelta(days=1)


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: working time needs aware datetimes")


def _as_timedelta(hours: float) -> timedelta:
    if not hours >= 0:  # also refuses NaN
        raise ValueError(f"hours must be a non-negative number, not {hours!r}")
    return timedelta(hours=float(hours))  # Decimal limits from the models work too


def add_natural_hours(start: datetime, hours: float, tz: tzinfo = SHANGHAI) -> datetime:
    """`start` plus `hours` of elapsed time (emergencies: nights and holidays count)."""
    _require_aware(start)
    # Add in UTC: aware arithmetic in a zone with DST adds wall-clock time, not elapsed time.
    return (start.astimezone(UTC) + _as_timedelta(hours)).astimezone(tz)


class WorkCalendar:
    """Working days and working periods, with arithmetic in working hours."""

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        periods: Sequence[tuple[time, time]] = OFFICE_HOURS,
        tz: tzinfo = SHANGHAI,
    ) -> None:
        self.overrides = dict(overrides or {})
        self.periods = tuple(periods)
        self.tz = tz
        self._check_periods()
        self._warned_years: set[int] = set()
        self._days: dict[date, bool] = {}  # answers so far: a deadline asks about ~30 days

    def _check_periods(self) -> None:
        # Deadline arithmetic would never end without working time, and would count twice
        # with overlapping periods.
        if not self.periods:
            raise ValueError("a working day needs at least one working period")
        previous_end = time.min
        for start, end in self.periods:
            if not previous_end <= start < end:
                raise ValueError("working periods must be ordered, non-empty and disjoint")
            previous_end = end

    def is_workday(self, d: date) -> bool:
        known = self._days.get(d)
        if known is None:
            known = self._days[d] = self._look_up(d)
        return known

    def _look_up(self, d: date) -> bool:
        if d in self.overrides:
            return self.overrides[d]
        try:
            return chinese_calendar.is_workday(d)
        except NotImplementedError:
            self._warn_unknown_year(d.year)
            return d.weekday() < 5

    def _warn_unknown_year(self, year: int) -> None:
        if year in self._warned_years:
            return
        self._warned_years.add(year)
        logger.warning(
            "chinesecalendar has no holidays for %d: days without a HolidayOverride row count "
            "Monday-Friday as working days. Add %d's public holidays and adjusted working "
            "weekends in the admin (节假日调整), or upgrade chinesecalendar.",
            year,
            year,
        )

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The instant at which `hours` of working time have elapsed after `start`.

        Counting begins at `start` if it is working time, else at the next working period.
        A result exactly at the end of a period stays there (a deadline of 17:30, not 9:00
        the next morning). `hours=0` returns the next working instant at or after `start`,
        so a non-working start moves forward to where counting would begin.
        """
        _require_aware(start)
        remaining = _as_timedelta(hours)
        for period_start, period_end in self._periods_from(start):
            available = period_end - period_start
            if remaining <= available:
                return period_start + remaining
            remaining -= available
        raise AssertionError("unreachable: _periods_from never ends")

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """Working hours in [a, b]; 0 when b is not after a."""
        _require_aware(a)
        _require_aware(b)
        end = b.astimezone(self.tz)
        total = timedelta()
        for period_start, period_end in self._periods_from(a):
            if period_start >= end:
                break
            total += min(period_end, end) - period_start
        return total.total_seconds() / 3600

    def _periods_from(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working periods from `start` on, the first clipped to begin at `start`, forever.

        One step per calendar day, so a 30-day limit costs a few dozen steps.
        """
        start = start.astimezone(self.tz)
        day = start.date()
        while True:
            if self.is_workday(day):
                for begin, end in self.periods:
                    period_start = max(self._at(day, begin), start)
                    period_end = self._at(day, end)
                    if period_start < period_end:
                        yield period_start, period_end
            day += ONE_DAY

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.tz)
