from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.cases import actions
from jiceng.cases.choices import WhistleReason
from jiceng.cases.models import Summons
from jiceng.cases.transitions import CaseError, IllegalTransition, NotAllowed

from .conftest import run_to

pytestmark = pytest.mark.django_db


def whistle(cast, case):
    return actions.blow_whistle(
        case,
        acting_user=cast.dispatcher,
        departments=[cast.department],
        reason=WhistleReason.JOINT_ENFORCEMENT,
        note="联合执法",
    )


def test_a_dispatcher_whistles_and_the_department_must_report_in_within_30_minutes(cast, reported):
    w = whistle(cast, reported)
    summons = w.summons.get()
    assert summons.department == cast.department
    assert summons.due_at - w.blown_at == timedelta(minutes=30)
    summons = actions.report_in(summons, acting_user=cast.clerk, note="已到现场")
    assert summons.late is False and summons.reported_by == cast.clerk


def test_a_late_report_in_is_recorded_as_late(cast, reported):
    summons = whistle(cast, reported).summons.get()
    Summons.objects.filter(pk=summons.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    summons = actions.report_in(summons, acting_user=cast.clerk)
    assert summons.late is True


def test_the_report_in_limit_is_configurable(cast, reported, settings):
    settings.JICENG_REPORT_IN_MINUTES = 15
    w = whistle(cast, reported)
    assert w.summons.get().due_at - w.blown_at == timedelta(minutes=15)


def test_only_the_cases_own_subdistrict_may_whistle(cast, reported):
    with pytest.raises(NotAllowed):
        actions.blow_whistle(
            reported,
            acting_user=cast.neighbour,
            departments=[cast.department],
            reason=WhistleReason.EMERGENCY,
        )


def test_departments_are_rated_one_to_five_only_after_closure(cast, reported):
    summons = whistle(cast, reported).summons.get()
    actions.report_in(summons, acting_user=cast.clerk)
    with pytest.raises(IllegalTransition):
        actions.rate_department(summons, acting_user=cast.dispatcher, speed=5, attitude=5, result=5)
    run_to(reported, cast, "closed")
    with pytest.raises(CaseError, match="1 到 5"):
        actions.rate_department(summons, acting_user=cast.dispatcher, speed=6, attitude=5, result=5)
    summons = actions.rate_department(
        summons, acting_user=cast.dispatcher, speed=5, attitude=4, result=3
    )
    assert summons.score == 4.0


def test_a_summons_never_reported_is_marked_late_by_the_sweep(cast, reported):
    summons = whistle(cast, reported).summons.get()
    later = timezone.now() + timedelta(minutes=31)
    assert actions.sweep(later)["late_summons"] == 1
    summons.refresh_from_db()
    assert summons.late is True and summons.reported_at is None
