"""The dispatch policy held in memory: the active catalogue, responsibility rules,
skip-level rules and the departments they name, loaded in a few queries and reused for
every intake.

Policy is data edited in the admin, so the snapshot is dropped when any of its rows is
saved or deleted in this process (signals), and at most MAX_AGE seconds later in every
other process (a gunicorn worker does not see another's signals).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from jiceng.jurisdictions.models import Department

from .models import Category, Responsibility, SkipLevelRule

MAX_AGE = 60.0


@dataclass(frozen=True)
class Policy:
    categories: dict[str, Category]  # code → active 小类 (what a report may name)
    rules: dict[tuple[int, str], Responsibility]  # (category id, jurisdiction code) → rule
    skip: dict[tuple[int, str], SkipLevelRule]  # (category id, urgency) → rule
    departments: dict[tuple[int, str], Department]  # (home jurisdiction id, kind) → dept
    city_departments: dict[str, Department]  # kind → the city's department
    loaded_at: float


_lock = threading.Lock()
_current: Policy | None = None


def current() -> Policy:
    global _current
    policy = _current
    if policy is None or time.monotonic() - policy.loaded_at > MAX_AGE:
        with _lock:
            if _current is None or time.monotonic() - _current.loaded_at > MAX_AGE:
                _current = _load()
            policy = _current
    return policy


def _load() -> Policy:
    rules = {
        (r.category_id, r.jurisdiction.code): r
        for r in Responsibility.objects.select_related(
            "jurisdiction", "department__jurisdiction"
        ).defer("jurisdiction__geometry_wkb", "department__jurisdiction__geometry_wkb")
    }
    skip = {(r.category_id, r.urgency): r for r in SkipLevelRule.objects.all()}
    departments, city = {}, {}
    for d in Department.objects.select_related("jurisdiction").defer("jurisdiction__geometry_wkb"):
        departments.setdefault((d.jurisdiction_id, d.kind), d)
        if d.jurisdiction.depth == 0:
            city.setdefault(d.kind, d)
    categories = {c.code: c for c in Category.objects.filter(active=True, parent__isnull=False)}
    return Policy(categories, rules, skip, departments, city, time.monotonic())


def invalidate(**_kwargs) -> None:
    """Forget the snapshot now and again after the commit (a thread could reload the old
    rows in between)."""
    reset()
    transaction.on_commit(reset)


def reset() -> None:
    global _current
    _current = None


def connect_signals() -> None:
    for model in (Category, Responsibility, SkipLevelRule, Department):
        uid = f"jiceng-policy-{model.__name__}"
        post_save.connect(invalidate, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(invalidate, sender=model, dispatch_uid=uid + "-delete")
