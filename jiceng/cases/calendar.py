"""The working calendar of the cases app: the holiday library plus the admin's overrides.

`work_calendar()` is built once per process from every HolidayOverride row. Saving or
deleting a row through the ORM drops it in that process; other processes (gunicorn workers)
cannot hear those signals, nor can anyone hear `QuerySet.update()`, so the calendar is also
rebuilt after MAX_AGE. Holidays are entered weeks ahead, so a few minutes' delay is harmless.
"""

from __future__ import annotations

from datetime import datetime
from time import monotonic

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from jiceng.lib.worktime import WorkCalendar, add_natural_hours

from .models import HolidayOverride

MAX_AGE = 300.0  # seconds
_cached: tuple[WorkCalendar, float] | None = None


def work_calendar() -> WorkCalendar:
    global _cached
    if _cached is None or monotonic() - _cached[1] > MAX_AGE:
        overrides = dict(HolidayOverride.objects.values_list("date", "is_workday"))
        _cached = (WorkCalendar(overrides), monotonic())
    return _cached[0]


def deadline(start: datetime, hours: float, *, natural: bool) -> datetime:
    """When a limit of `hours` starting at `start` runs out: natural hours (emergencies)
    or working hours."""
    if natural:
        return add_natural_hours(start, hours)
    return work_calendar().add_working_hours(start, hours)


def invalidate() -> None:
    global _cached
    _cached = None


def _overrides_changed(**kwargs: object) -> None:
    invalidate()
    # Again after commit: another thread may rebuild from the old rows before it.
    transaction.on_commit(invalidate)


def connect_signals() -> None:
    """Called from CasesConfig.ready(); dispatch_uid makes a second call harmless."""
    for signal in (post_save, post_delete):
        signal.connect(_overrides_changed, sender=HolidayOverride, dispatch_uid="work_calendar")
