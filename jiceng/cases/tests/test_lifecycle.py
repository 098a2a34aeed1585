import pytest

from jiceng.cases import actions
from jiceng.cases.choices import ResolvedLevel, Satisfaction, Stage, Status
from jiceng.cases.models import Case, Notification
from jiceng.cases.transitions import TRANSITIONS, CaseError, IllegalTransition, NotAllowed, check

from .conftest import IN_GRID, JPEG, run_to

pytestmark = pytest.mark.django_db


def timeline(case):
    return list(case.events.order_by("at", "id").values_list("action", flat=True))


def test_a_grid_report_is_located_and_dispatched_by_the_responsibility_list(cast, reported):
    assert reported.grid == cast.grid
    assert (reported.community, reported.subdistrict, reported.district) == (
        cast.community,
        cast.street,
        cast.district,
    )
    assert reported.status == Status.DISPATCHED
    assert reported.assigned_jurisdiction == cast.community
    assert reported.stage == Stage.ACCEPT and reported.due_at > reported.received_at
    assert timeline(reported) == ["receive", "dispatch"]
    assert reported.photos.get().content_type == "image/jpeg"
    assert reported.number.endswith(f"{reported.pk:08d}")


def test_the_assigned_unit_is_told_after_the_commit(
    cast, catalogue, rules, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.report_by_grid_worker(
            acting_user=cast.grid_worker,
            category=catalogue["garbage"],
            lng=IN_GRID[0],
            lat=IN_GRID[1],
            description="垃圾",
        )
    assert Notification.objects.filter(user=cast.secretary, case=case, kind="assignment")


def test_a_case_with_no_matching_rule_waits_in_the_dispatchers_queue(
    cast, catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.report_by_grid_worker(
            acting_user=cast.grid_worker,
            category=catalogue["garbage"],
            lng=IN_GRID[0],
            lat=IN_GRID[1],
            description="没有规则的事项",
        )
    assert case.status == Status.RECEIVED and case.in_manual_queue
    assert Notification.objects.filter(user=cast.dispatcher, case=case)
    case = actions.dispatch(case, acting_user=cast.dispatcher, jurisdiction=cast.community)
    assert case.status == Status.DISPATCHED and not case.in_manual_queue


def test_the_whole_lifecycle_ends_closed_verified_and_rated(cast, reported):
    case = run_to(reported, cast, "closed")
    case = actions.follow_up(
        case, acting_user=cast.dispatcher, resolved=True, satisfaction=Satisfaction.SATISFIED
    )
    assert case.status == Status.FOLLOWED_UP
    assert case.resolved_level == ResolvedLevel.COMMUNITY
    assert case.closed_on_time and case.accepted_on_time
    assert timeline(case) == [
        "receive",
        "dispatch",
        "accept",
        "start",
        "reply",
        "verify",
        "close",
        "follow_up",
    ]


def test_a_failed_site_check_sends_the_case_back_as_rework(cast, reported):
    case = run_to(reported, cast, "replied")
    with pytest.raises(CaseError, match="说明原因"):
        actions.verify(case, acting_user=cast.grid_worker, passed=False)
    case = actions.verify(case, acting_user=cast.grid_worker, passed=False, note="垃圾仍在")
    assert case.status == Status.IN_PROGRESS and case.rework_count == 1
    assert case.stage == Stage.HANDLE


def test_accepting_twice_is_an_illegal_transition(cast, reported):
    case = actions.accept(reported, acting_user=cast.secretary)
    with pytest.raises(IllegalTransition, match="已签收"):
        actions.accept(case, acting_user=cast.secretary)
    assert timeline(case).count("accept") == 1


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_every_transition_is_refused_from_every_other_state(name):
    t = TRANSITIONS[name]
    for status in set(Status.values) - t.sources:
        with pytest.raises(IllegalTransition):
            check(name, status, set(t.actors))
    for status in t.sources:
        assert check(name, status, set(t.actors)) is t
        with pytest.raises(NotAllowed):
            check(name, status, set())


def test_the_neighbour_can_take_no_step_on_our_case(cast, reported):
    for step in (
        lambda: actions.accept(reported, acting_user=cast.neighbour),
        lambda: actions.dispatch(reported, acting_user=cast.neighbour, jurisdiction=cast.community),
        lambda: actions.urge(reported, acting_user=cast.neighbour, note="快"),
    ):
        with pytest.raises(NotAllowed):
            step()


def test_a_grid_worker_cannot_handle_what_the_community_must(cast, reported):
    with pytest.raises(NotAllowed):
        actions.accept(reported, acting_user=cast.grid_worker)


def test_a_return_needs_a_reason_and_the_dispatcher_can_overrule_it(cast, reported):
    with pytest.raises(CaseError, match="原因"):
        actions.return_case(reported, acting_user=cast.secretary, reason=" ")
    case = actions.return_case(reported, acting_user=cast.secretary, reason="不属于本社区")
    assert case.status == Status.RETURNED and case.return_count == 1 and case.stage == ""
    case = actions.overrule(case, acting_user=cast.dispatcher, note="属于本社区职责")
    assert case.status == Status.DISPATCHED and case.stage == Stage.ACCEPT


def test_a_returned_case_can_be_redispatched_to_a_department(cast, reported):
    case = actions.return_case(reported, acting_user=cast.secretary, reason="需要执法")
    case = actions.dispatch(case, acting_user=cast.dispatcher, department=cast.department)
    assert case.assigned_department == cast.department and case.assigned_jurisdiction is None
    assert case.escalation_level == ResolvedLevel.DISTRICT


def test_self_resolution_needs_an_after_photo_and_closes_at_the_grid(cast, catalogue, rules):
    kwargs = dict(
        acting_user=cast.grid_worker,
        category=catalogue["garbage"],
        lng=IN_GRID[0],
        lat=IN_GRID[1],
        description="随手清理",
        self_resolved=True,
    )
    with pytest.raises(CaseError, match="处置后照片"):
        actions.report_by_grid_worker(**kwargs)
    case = actions.report_by_grid_worker(**kwargs, after_photos=[("after.jpg", JPEG)])
    assert case.status == Status.CLOSED and case.self_resolved
    assert case.resolved_level == ResolvedLevel.GRID
    assert timeline(case) == ["receive", "self_resolve"]


def test_an_extension_moves_the_deadline_and_parking_stops_the_clock(cast, reported):
    case = actions.accept(reported, acting_user=cast.secretary)
    before = case.due_at
    actions.request_extension(case, acting_user=cast.secretary, hours=8, reason="等材料")
    case = actions.approve_extension(case, acting_user=cast.dispatcher, hours=8)
    assert case.due_at > before
    actions.request_park(case, acting_user=cast.secretary, reason="需列入明年计划")
    case = actions.approve_park(case, acting_user=cast.dispatcher, reason="资金未到位")
    assert case.status == Status.PARKED and case.due_at is None
    case = actions.resume(case, acting_user=cast.dispatcher)
    assert case.status == Status.IN_PROGRESS and case.due_at is not None


def test_a_dissatisfied_follow_up_can_be_reopened_within_the_window(cast, reported, settings):
    case = run_to(reported, cast, "closed")
    case = actions.follow_up(
        case, acting_user=cast.dispatcher, resolved=False, satisfaction=Satisfaction.DISSATISFIED
    )
    case = actions.reopen(case, acting_user=cast.dispatcher, note="群众不满意")
    assert case.status == Status.DISPATCHED and case.reopen_count == 1
    assert case.closed_at is None


def test_a_satisfied_case_cannot_be_reopened(cast, reported):
    case = run_to(reported, cast, "closed")
    case = actions.follow_up(
        case, acting_user=cast.dispatcher, resolved=True, satisfaction=Satisfaction.SATISFIED
    )
    with pytest.raises(CaseError, match="不满意"):
        actions.reopen(case, acting_user=cast.dispatcher)


def test_a_duplicate_merges_into_its_original(cast, catalogue, rules):
    first = actions.report_by_grid_worker(
        acting_user=cast.grid_worker,
        category=catalogue["garbage"],
        lng=IN_GRID[0],
        lat=IN_GRID[1],
        description="垃圾",
    )
    second = actions.report_by_grid_worker(
        acting_user=cast.grid_worker,
        category=catalogue["garbage"],
        lng=IN_GRID[0],
        lat=IN_GRID[1],
        description="垃圾",
    )
    second = actions.merge(second, into=first, acting_user=cast.dispatcher)
    assert second.status == Status.MERGED and second.merged_into == first
    assert "absorb" in timeline(first)


def test_the_version_guards_against_a_stale_page(cast, reported):
    from jiceng.cases.transitions import Conflict

    stale = reported.version
    actions.urge(reported, acting_user=cast.dispatcher, note="请尽快")
    with pytest.raises(Conflict):
        actions.accept(reported, acting_user=cast.secretary, expected_version=stale)
    assert Case.objects.get(pk=reported.pk).status == Status.DISPATCHED
