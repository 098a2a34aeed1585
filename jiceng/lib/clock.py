"""The one clock the actions read (STYLE.md §7: one read per action).

`frozen(at)` makes every action inside it happen at `at`: the demo city uses it to
build a month of history through the real actions, and tests use it to stand at a
chosen instant. Outside it, it is `django.utils.timezone.now()`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

_frozen: contextvars.ContextVar[datetime | None] = contextvars.ContextVar(
    "jiceng_frozen_now", default=None
)


def now() -> datetime:
    return _frozen.get() or timezone.now()


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    if timezone.is_naive(at):
        raise ValueError("frozen() needs an aware datetime")
    token = _frozen.set(at)
    try:
        yield
    finally:
        _frozen.reset(token)
