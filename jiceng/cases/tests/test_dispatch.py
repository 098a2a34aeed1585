import pytest

from jiceng.cases import actions
from jiceng.cases.choices import Handler, ResolvedLevel, Status, Urgency
from jiceng.cases.models import Responsibility, SkipLevelRule
from jiceng.jurisdictions.choices import DepartmentKind
from jiceng.jurisdictions.models import Department

from .conftest import IN_GRID

pytestmark = pytest.mark.django_db


def report(cast, category, **kw):
    return actions.report_by_grid_worker(
        acting_user=cast.grid_worker,
        category=category,
        lng=IN_GRID[0],
        lat=IN_GRID[1],
        description="x",
        **kw,
    )


def test_the_deepest_rule_on_the_case_path_wins(cast, catalogue, rules):
    Responsibility.objects.create(
        category=catalogue["garbage"], jurisdiction=cast.street, handler=Handler.SUBDISTRICT
    )
    case = report(cast, catalogue["garbage"])
    assert case.assigned_jurisdiction == cast.street
    assert case.escalation_level == ResolvedLevel.SUBDISTRICT


def test_a_rule_for_the_subcategory_beats_one_for_its_group_at_the_same_place(cast, catalogue):
    Responsibility.objects.create(
        category=catalogue["group"], jurisdiction=cast.district, handler=Handler.SUBDISTRICT
    )
    Responsibility.objects.create(
        category=catalogue["garbage"], jurisdiction=cast.district, handler=Handler.COMMUNITY
    )
    assert report(cast, catalogue["garbage"]).assigned_jurisdiction == cast.community
    assert report(cast, catalogue["road"]).assigned_jurisdiction == cast.street


def test_a_rule_elsewhere_in_the_city_does_not_apply(cast, catalogue):
    Responsibility.objects.create(
        category=catalogue["garbage"], jurisdiction=cast.other_street, handler=Handler.SUBDISTRICT
    )
    case = report(cast, catalogue["garbage"])
    assert case.in_manual_queue and case.status == Status.RECEIVED


def test_a_department_rule_dispatches_to_the_department(cast, catalogue, rules):
    case = report(cast, catalogue["road"])
    assert case.assigned_department == cast.department
    assert case.escalation_level == ResolvedLevel.DISTRICT


def test_a_community_escalates_to_its_subdistrict_then_to_a_district_department(
    cast, catalogue, rules
):
    case = report(cast, catalogue["garbage"])
    case = actions.escalate(case, acting_user=cast.secretary, reason="超出社区能力")
    assert case.assigned_jurisdiction == cast.street and case.status == Status.DISPATCHED
    case = actions.escalate(case, acting_user=cast.dispatcher, reason="需要执法")
    assert case.assigned_department == cast.department
    case = actions.accept(case, acting_user=cast.clerk)
    case = actions.reply(case, acting_user=cast.clerk, result="已处理")
    case = actions.verify(case, acting_user=cast.grid_worker, passed=True)
    case = actions.close(case, acting_user=cast.dispatcher)
    assert case.resolved_level == ResolvedLevel.DISTRICT


def test_a_department_cannot_escalate_further(cast, catalogue, rules):
    case = report(cast, catalogue["road"])
    with pytest.raises(actions.CaseError, match="最高处置层级"):
        actions.escalate(case, acting_user=cast.clerk, reason="x")


def test_an_emergency_skips_levels_and_copies_other_departments(
    cast, catalogue, django_capture_on_commit_callbacks
):
    emergency = Department.objects.create(
        name="和平区应急管理局", kind=DepartmentKind.EMERGENCY, jurisdiction=cast.district
    )
    SkipLevelRule.objects.create(
        category=catalogue["gas"],
        urgency=Urgency.EMERGENCY,
        target_level=Handler.DEPARTMENT,
        department_kind=DepartmentKind.EMERGENCY,
        copy_kinds=DepartmentKind.URBAN_MANAGEMENT,
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = report(cast, catalogue["gas"])
    assert case.assigned_department == emergency
    assert cast.clerk.notifications.filter(case=case).exists()  # 城管委 copied
    # Emergencies count natural hours: 0.5 h to accept, whatever the calendar says.
    assert (case.due_at - case.received_at).total_seconds() == pytest.approx(1800, abs=1)


def test_a_new_rule_takes_effect_for_the_very_next_case(cast, catalogue):
    assert report(cast, catalogue["garbage"]).in_manual_queue
    Responsibility.objects.create(
        category=catalogue["garbage"], jurisdiction=cast.city, handler=Handler.COMMUNITY
    )
    assert report(cast, catalogue["garbage"]).assigned_jurisdiction == cast.community
