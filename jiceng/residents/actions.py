"""Tracking a case by its number and the last four digits of the phone on it.

Four digits are guessable, so every attempt is counted in Django's cache: per client
(every attempt) and per case number (every miss, whoever makes it), and refused past the
limit. The cache is the only thing written here; the case itself is only read.
"""

from __future__ import annotations

import hmac
import logging
import re

from django.conf import settings
from django.core.cache import cache

from jiceng.cases.models import Case
from jiceng.lib.cache import count

from .selectors import trackable

audit = logging.getLogger("jiceng.audit")


class TooManyAttempts(Exception):
    """The client, or the case number, used up its attempts for now (HTTP 429)."""


def limits() -> tuple[int, int]:
    """(attempts, window in seconds): a setting, 10 per 10 minutes unless told."""
    attempts = settings.JICENG_TRACK_ATTEMPTS
    minutes = settings.JICENG_TRACK_WINDOW_MINUTES
    return attempts, minutes * 60


def track(number: str, digits: str, *, client: str) -> Case | None:
    """The case with this number whose recorded phone ends in `digits`, or None for every
    kind of miss: an unknown number and wrong digits answer the same."""
    number = number.strip()
    client_key, number_key = f"jiceng:track:c:{client}", f"jiceng:track:n:{number}"
    _refuse_when_spent(client_key, "client")
    _refuse_when_spent(number_key, "number")
    _count(client_key)
    case = trackable(number)
    if case is None or not any(_same_tail(p, digits) for p in _phones(case)):
        _count(number_key)  # counted for unknown numbers too, so the count reveals nothing
        return None
    return case


def _phones(case: Case) -> list[str]:
    requester = case.requester
    return [case.caller_phone, requester.phone if requester is not None else ""]


def _same_tail(phone: str, digits: str) -> bool:
    tail = re.sub(r"\D", "", phone or "")[-4:]
    return len(tail) == 4 and hmac.compare_digest(tail, digits)


def _refuse_when_spent(key: str, which: str) -> None:
    attempts, window = limits()
    if cache.get(key, 0) >= attempts:
        # Which limiter, never the number or the client: the log is not a list of targets.
        audit.warning("track: too many attempts (%s limit)", which)
        raise TooManyAttempts(
            f"查询次数过多，请 {window // 60} 分钟后再试；也可以登录后在“我的诉求”中查看"
        )


def _count(key: str) -> None:
    """A fixed window: the first attempt starts it, the key expires with it."""
    _attempts, window = limits()
    count(key, window)
