"""The requester rates the result after closure (the `rate` transition): it counts for
the KPIs like a 回访, the timeline says they rated it themselves, and nobody else can."""

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.cases import actions
from jiceng.cases.choices import Satisfaction, Status
from jiceng.cases.models import Case, Notification
from jiceng.cases.transitions import IllegalTransition, NotAllowed
from jiceng.dashboards.models import DailyStat

from .conftest import another_resident, closed, hotline_for, resident_report

pytestmark = pytest.mark.django_db


def rate_url(case) -> str:
    return reverse("case-act", args=[case.number, "rate"])


def rating(case, **extra) -> dict:
    return {"resolved": "1", "satisfaction": "satisfied", "version": case.version} | extra


def community_stat(cast) -> DailyStat:
    return DailyStat.objects.get(unit=f"j{cast.community.pk}", day=timezone.localdate())


def test_the_requester_rates_a_closed_case_and_it_is_followed_up(login, cast, catalogue, rules):
    case = closed(resident_report(cast, catalogue), cast)
    response = login(cast.resident).post(rate_url(case), rating(case, comment="清理得很干净"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.FOLLOWED_UP
    assert case.resolved is True and case.satisfaction == Satisfaction.SATISFIED
    assert case.followed_up_at is not None
    event = case.events.get(action="rate")
    assert event.actor == cast.resident and event.data["by"] == "requester"
    assert event.note == "群众自行评价：清理得很干净"


def test_a_rating_counts_for_the_kpis_like_a_follow_up(cast, catalogue, rules):
    case = closed(resident_report(cast, catalogue), cast)
    actions.rate_by_resident(
        case, acting_user=cast.resident, resolved=True, satisfaction="satisfied"
    )
    stat = community_stat(cast)
    assert (stat.followed_up, stat.resolved, stat.satisfied, stat.dissatisfied) == (1, 1, 1, 0)
    street = DailyStat.objects.get(unit=f"j{cast.street.pk}", day=timezone.localdate())
    assert street.followed_up == 1 and street.satisfied == 1


def test_a_department_sees_the_rating_of_a_case_it_handled(
    cast, catalogue, rules, django_capture_on_commit_callbacks
):
    case = actions.report_by_resident(
        acting_user=cast.resident, category=catalogue["road"], description="人行道砖松动"
    )
    assert case.assigned_department == cast.department
    for step in (
        lambda c: actions.accept(c, acting_user=cast.clerk),
        lambda c: actions.reply(c, acting_user=cast.clerk, result="已修复"),
        lambda c: actions.verify(c, acting_user=cast.secretary, passed=True),
        lambda c: actions.close(c, acting_user=cast.dispatcher),
    ):
        case = step(case)
    with django_capture_on_commit_callbacks(execute=True):
        actions.rate_by_resident(
            case, acting_user=cast.resident, resolved=False, satisfaction="basic"
        )
    stat = DailyStat.objects.get(unit=f"d{cast.department.pk}", day=timezone.localdate())
    assert (stat.followed_up, stat.resolved, stat.basic) == (1, 0, 1)
    assert Notification.objects.filter(user=cast.clerk, case=case, kind="rating").exists()


def test_the_resident_a_hotline_order_was_recorded_for_may_rate_it(login, cast, catalogue, rules):
    case = closed(hotline_for(catalogue, cast.resident), cast)
    assert login(cast.resident).post(rate_url(case), rating(case)).status_code == 302
    assert Case.objects.get(pk=case.pk).status == Status.FOLLOWED_UP


def test_the_rate_button_appears_on_the_case_page_only_for_the_requester(
    login, cast, catalogue, rules
):
    case = closed(resident_report(cast, catalogue), cast)
    page = login(cast.resident).get(reverse("case", args=[case.number]))
    assert [t.name for t, _form in page.context["actions"]] == ["rate"]
    dispatcher = login(cast.dispatcher).get(reverse("case", args=[case.number]))
    assert "rate" not in [t.name for t, _form in dispatcher.context["actions"]]


def test_another_resident_of_the_same_community_gets_404(client, cast, catalogue, rules):
    case = closed(resident_report(cast, catalogue), cast)
    client.force_login(another_resident(cast))
    assert client.post(rate_url(case), rating(case)).status_code == 404
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED


def test_the_neighbour_gets_404(login, cast, catalogue, rules):
    case = closed(resident_report(cast, catalogue), cast)
    assert login(cast.neighbour).post(rate_url(case), rating(case)).status_code == 404


def test_nobody_but_the_requester_may_rate_through_the_action(cast, catalogue, rules):
    case = closed(resident_report(cast, catalogue), cast)
    for user in (another_resident(cast), cast.dispatcher, cast.secretary, cast.neighbour):
        with pytest.raises(NotAllowed):
            actions.rate_by_resident(
                case, acting_user=user, resolved=True, satisfaction="satisfied"
            )


def test_the_reporter_rates_no_longer_once_someone_else_is_recorded_as_requester(
    cast, catalogue, rules
):
    case = closed(resident_report(cast, catalogue), cast)
    Case.objects.filter(pk=case.pk).update(requester=another_resident(cast))
    with pytest.raises(NotAllowed):
        actions.rate_by_resident(
            case, acting_user=cast.resident, resolved=True, satisfaction="basic"
        )


def test_rating_twice_is_409_and_counts_once(login, cast, catalogue, rules):
    case = closed(resident_report(cast, catalogue), cast)
    client = login(cast.resident)
    assert client.post(rate_url(case), rating(case)).status_code == 302
    again = client.post(rate_url(case), rating(case, version=case.version + 1))
    assert again.status_code == 409
    assert community_stat(cast).followed_up == 1
    assert Case.objects.get(pk=case.pk).events.filter(action="rate").count() == 1


def test_a_case_already_followed_up_by_the_street_cannot_be_rated(cast, catalogue, rules):
    case = closed(resident_report(cast, catalogue), cast)
    case = actions.follow_up(case, acting_user=cast.dispatcher, resolved=True, satisfaction="basic")
    with pytest.raises(IllegalTransition):
        actions.rate_by_resident(
            case, acting_user=cast.resident, resolved=True, satisfaction="basic"
        )


def test_an_open_case_cannot_be_rated_yet(login, cast, catalogue, rules):
    case = resident_report(cast, catalogue)
    assert login(cast.resident).post(rate_url(case), rating(case)).status_code == 409


def test_a_rating_without_an_answer_names_what_is_missing(login, cast, catalogue, rules):
    case = closed(resident_report(cast, catalogue), cast)
    response = login(cast.resident).post(rate_url(case), {"version": case.version})
    assert response.status_code == 400
    error = response.context["error"]
    assert "问题是否已解决" in error and "您对办理结果是否满意" in error


def test_a_dissatisfied_rating_tells_the_street_and_opens_the_reopen_window(
    cast, catalogue, rules, django_capture_on_commit_callbacks
):
    case = closed(resident_report(cast, catalogue), cast)
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.rate_by_resident(
            case, acting_user=cast.resident, resolved=False, satisfaction="dissatisfied"
        )
    assert Notification.objects.filter(user=cast.dispatcher, case=case, kind="rating").exists()
    case = actions.reopen(case, acting_user=cast.dispatcher, note="群众不满意，重办")
    assert case.status == Status.DISPATCHED and case.reopen_count == 1


def test_a_grid_workers_own_report_has_no_requester_to_rate_it(cast, reported):
    case = closed(reported, cast)
    with pytest.raises(NotAllowed):
        actions.rate_by_resident(
            case, acting_user=cast.grid_worker, resolved=True, satisfaction="satisfied"
        )
