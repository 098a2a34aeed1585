from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.cases import actions
from jiceng.cases.models import Case, Notification

pytestmark = pytest.mark.django_db


def test_the_sweep_marks_warning_then_overdue_once_each(
    cast, reported, django_capture_on_commit_callbacks
):
    case = Case.objects.get(pk=reported.pk)
    just_warned = case.warn_at + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.sweep(just_warned)["warned"] == 1
    assert actions.sweep(just_warned) == {"warned": 0, "overdue": 0, "late_summons": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.sweep(case.due_at + timedelta(seconds=1))["overdue"] == 1
    case.refresh_from_db()
    assert case.warned and case.overdue
    actions_done = list(case.events.values_list("action", flat=True))
    assert actions_done.count("warning") == 1 and actions_done.count("overdue") == 1
    assert Notification.objects.filter(user=cast.secretary, kind="overdue", case=case).count() == 1


def test_a_missed_sweep_catches_up_from_the_stored_deadlines(cast, reported):
    much_later = timezone.now() + timedelta(days=30)
    counts = actions.sweep(much_later)
    assert counts["warned"] == 1 and counts["overdue"] == 1


def test_a_new_stage_starts_with_a_clean_clock(cast, reported):
    past = timezone.now() - timedelta(minutes=1)
    Case.objects.filter(pk=reported.pk).update(warn_at=past, due_at=past)
    actions.sweep()
    case = actions.accept(reported, acting_user=cast.secretary)
    assert not case.warned and not case.overdue and case.accepted_on_time is False
