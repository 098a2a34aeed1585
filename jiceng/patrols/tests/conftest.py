"""Helpers for the patrol tests: a log written through the real action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.patrols.actions import log_patrol


def write_log(worker, grid, *, hours_ago: float = 1, minutes: int = 50, **extra):
    """A patrol that started `hours_ago` and lasted `minutes`."""
    started = timezone.now() - timedelta(hours=hours_ago)
    arguments = {
        "acting_user": worker,
        "grid": grid,
        "started_at": started,
        "ended_at": started + timedelta(minutes=minutes),
        "households_visited": 12,
        "people_visited": 20,
        "issues_found": "3号楼门口垃圾堆放",
    }
    return log_patrol(**(arguments | extra))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
