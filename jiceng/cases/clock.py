"""Stage clocks: the warning (黄牌) and overdue (红牌) instants of the current stage.

Limits come from the case's category; emergencies count natural hours, everything else
working hours on the Chinese public-holiday calendar (calendar.py).
"""

from __future__ import annotations

from datetime import datetime

from .calendar import deadline
from .choices import Stage, Urgency
from .models import Case


def start_stage(case: Case, stage: str, now: datetime, extra_hours: float = 0) -> None:
    """Set the case's clock for a new stage (not saved here)."""
    warn_hours, limit_hours = case.category.limits(stage)
    natural = case.urgency == Urgency.EMERGENCY
    case.stage = stage
    case.stage_started_at = now
    case.warn_at = deadline(now, warn_hours + extra_hours, natural=natural)
    case.due_at = deadline(now, limit_hours + extra_hours, natural=natural)
    case.warned = False
    case.overdue = False
    if stage == Stage.HANDLE:
        case.handle_due_at = case.due_at


def extend(case: Case, hours: float) -> None:
    """Push the current stage's deadlines back by an approved extension (延期)."""
    natural = case.urgency == Urgency.EMERGENCY
    case.warn_at = deadline(case.warn_at, hours, natural=natural)
    case.due_at = deadline(case.due_at, hours, natural=natural)
    if case.stage == Stage.HANDLE:
        case.handle_due_at = case.due_at
    case.warned = False
    case.overdue = False


def stop(case: Case) -> None:
    case.stage = ""
    case.warn_at = None
    case.due_at = None
    case.warned = False
    case.overdue = False
