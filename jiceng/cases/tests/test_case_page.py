"""The case page as a work surface: the buttons each person gets, forms that open from
them without JavaScript, the whistle dialog with its department picker, the live
report-in countdown, and one 下考上 rating form per summoned department."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.actions import create_user
from jiceng.accounts.choices import Role
from jiceng.cases import actions
from jiceng.cases.choices import WhistleReason
from jiceng.cases.models import Summons
from jiceng.jurisdictions.choices import DepartmentKind
from jiceng.jurisdictions.models import Department
from jiceng.lib.clock import frozen

from .fixtures import run_to

pytestmark = pytest.mark.django_db

BLOWN = timezone.make_aware(timezone.datetime(2026, 11, 18, 9, 0))  # a Wednesday morning


@pytest.fixture
def housing(cast):
    return Department.objects.create(
        name="和平区住房和城乡建设委员会",
        short_name="住建委",
        kind=DepartmentKind.HOUSING,
        jurisdiction=cast.district,
    )


def url(case, **query) -> str:
    base = reverse("case", args=[case.number])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def names(response) -> list[str]:
    return [t.name for t, _form in response.context["actions"]]


def whistle(cast, case, *departments, at=BLOWN):
    with frozen(at):
        return actions.blow_whistle(
            case,
            acting_user=cast.dispatcher,
            departments=list(departments) or [cast.department],
            reason=WhistleReason.JOINT_ENFORCEMENT,
            note="占道经营需联合执法",
        )


# --- buttons per person -------------------------------------------------------------------


def test_each_person_gets_the_buttons_of_their_part(login, cast, reported):
    assert names(login(cast.secretary).get(url(reported))) == ["accept", "return", "escalate"]
    dispatcher = names(login(cast.dispatcher).get(url(reported)))
    assert dispatcher == ["merge", "escalate", "urge", "whistle"]
    assert names(login(cast.district_leader).get(url(reported))) == [
        "merge",
        "escalate",
        "urge",
        "supervise",
    ]
    assert names(login(cast.grid_worker).get(url(reported))) == []


@pytest.mark.parametrize("member", ["neighbour", "other_worker", "clerk"])
def test_people_with_no_part_in_the_case_get_404(login, cast, reported, member):
    assert login(getattr(cast, member)).get(url(reported)).status_code == 404


def test_a_summoned_clerk_sees_the_case_and_only_the_report_in_button(login, cast, reported):
    whistle(cast, reported)
    assert names(login(cast.clerk).get(url(reported))) == ["report_in"]


def test_a_form_opens_from_its_button_without_javascript(login, cast, reported):
    body = login(cast.secretary).get(url(reported)).content.decode()
    # 退单 needs a reason: a <details> whose summary is the button, the reason required.
    assert '<details class="action"><summary class="button">退单</summary>' in body
    assert 'name="reason" cols="40" rows="2" maxlength="2000" required' in body
    # 签收 needs nothing: one button that posts at once.
    assert '<form class="inline" method="post" action="/cases/' in body
    assert f'{reported.number}/act/accept/"' in body


# --- the whistle dialog ------------------------------------------------------------------


def test_the_whistle_is_a_dialog_with_departments_grouped_by_kind(login, cast, reported, housing):
    client = login(cast.dispatcher)
    body = client.get(url(reported)).content.decode()
    assert 'data-dialog="whistle-dialog">吹哨</a>' in body
    assert '<dialog id="whistle-dialog" class="sheet" aria-labelledby="whistle-title">' in body
    form = dict(client.get(url(reported)).context["actions"])
    field = next(f for t, f in form.items() if t.name == "whistle").fields["departments"]
    assert [(str(kind), [name for _pk, name in group]) for kind, group in field.choices] == [
        ("城市管理", ["和平区城市管理委员会"]),
        ("住房和城乡建设", ["和平区住房和城乡建设委员会"]),
    ]


def test_without_javascript_the_whistle_link_draws_the_dialog_open(login, cast, reported):
    body = login(cast.dispatcher).get(url(reported, open="whistle")).content.decode()
    assert 'aria-labelledby="whistle-title" open>' in body


def test_blowing_the_whistle_from_the_dialog_summons_the_ticked_departments(
    login, cast, reported, housing
):
    data = {
        "departments": [cast.department.pk, housing.pk],
        "reason": WhistleReason.BEYOND_POWER,
        "note": "需住建、城管到场",
        "version": reported.version,
    }
    response = login(cast.dispatcher).post(
        reverse("case-act", args=[reported.number, "whistle"]), data
    )
    assert response.status_code == 302
    assert set(Summons.objects.values_list("department__name", flat=True)) == {
        cast.department.name,
        housing.name,
    }


def test_a_whistle_with_no_department_says_so(login, cast, reported):
    data = {"reason": WhistleReason.BEYOND_POWER, "version": reported.version}
    response = login(cast.dispatcher).post(
        reverse("case-act", args=[reported.number, "whistle"]), data
    )
    assert response.status_code == 400
    assert "召集部门：请至少选择一个职能部门" in response.content.decode()


# --- the report-in countdown -------------------------------------------------------------


def iso(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def test_the_page_shows_the_time_left_to_report_in_and_the_deadline_for_the_script(
    login, cast, reported
):
    whistle(cast, reported)
    client = login(cast.dispatcher)
    with frozen(BLOWN + timedelta(minutes=5, seconds=10)):
        body = client.get(url(reported)).content.decode()
    due = BLOWN + timedelta(minutes=30)
    assert f'<span class="countdown" data-deadline="{iso(due)}"' in body
    assert f'data-now="{iso(BLOWN + timedelta(minutes=5, seconds=10))}"' in body
    assert '<span class="word">剩余</span> <time' in body and ">24:50</time>" in body
    assert "cases/case.js" in body


def test_past_the_deadline_the_countdown_turns_red_and_counts_the_lateness(login, cast, reported):
    whistle(cast, reported)
    with frozen(BLOWN + timedelta(minutes=31)):
        body = login(cast.clerk).get(url(reported)).content.decode()
    assert '<span class="countdown late"' in body
    assert '<span class="word">超时</span>' in body and ">01:00</time>" in body


def test_once_reported_the_page_says_when(login, cast, reported):
    summons = whistle(cast, reported).summons.get()
    reported_at = BLOWN + timedelta(minutes=12)
    with frozen(reported_at):
        actions.report_in(summons, acting_user=cast.clerk, note="已到现场")
    body = login(cast.dispatcher).get(url(reported)).content.decode()
    local = timezone.localtime(reported_at).strftime("%H:%M")
    assert f'<span class="countdown done">已报到 {local}</span>' in body
    assert "data-deadline" not in body


def test_each_summoned_department_has_its_own_countdown(login, cast, reported, housing):
    whistle(cast, reported, cast.department, housing)
    summons = Summons.objects.get(department=housing)
    with frozen(BLOWN + timedelta(minutes=3)):
        actions.report_in(summons, acting_user=housing_clerk(housing))
    with frozen(BLOWN + timedelta(hours=2, minutes=2, seconds=3)):
        body = login(cast.dispatcher).get(url(reported)).content.decode()
    assert ">1:32:03</time>" in body  # 城管委: 1 h 32 min 3 s past its 30 minutes
    assert "已报到 " in body  # 住建委


def housing_clerk(housing):
    return create_user(
        username="housingclerk",
        role=Role.DEPARTMENT_CLERK,
        full_name="高原",
        department=housing,
        password=None,
    )


# --- rating the departments after closure --------------------------------------------------


def closed_with_two_summoned(cast, reported, housing):
    whistle(cast, reported, cast.department, housing)
    return run_to(reported, cast, "closed")


def test_after_closure_each_summoned_department_gets_its_own_star_form(
    login, cast, reported, housing
):
    case = closed_with_two_summoned(cast, reported, housing)
    response = login(cast.dispatcher).get(url(case))
    rated = [s.department.name for s, _form in response.context["ratings"]]
    assert rated == sorted([cast.department.name, housing.name])
    body = response.content.decode()
    for s, _form in response.context["ratings"]:
        assert f'<input type="hidden" name="summons" value="{s.pk}">' in body
        assert f"提交对{s.department.name}的评价" in body
    assert body.count('type="radio"') == 2 * 3 * 5
    assert 'name="speed" value="5" required' in body


def test_rating_one_department_leaves_the_other_to_rate(login, cast, reported, housing):
    case = closed_with_two_summoned(cast, reported, housing)
    ours = Summons.objects.get(department=cast.department)
    client = login(cast.dispatcher)
    data = {"summons": ours.pk, "speed": 5, "attitude": 4, "result": 3, "version": case.version}
    response = client.post(reverse("case-act", args=[case.number, "rate_department"]), data)
    assert response.status_code == 302
    ours.refresh_from_db()
    assert (ours.speed, ours.attitude, ours.result) == (5, 4, 3)
    left = client.get(url(case)).context["ratings"]
    assert [s.department for s, _form in left] == [housing]


def test_a_rating_without_stars_names_the_missing_criterion(login, cast, reported, housing):
    case = closed_with_two_summoned(cast, reported, housing)
    ours = Summons.objects.get(department=cast.department)
    data = {"summons": ours.pk, "speed": 5, "result": 3, "version": case.version}
    response = login(cast.dispatcher).post(
        reverse("case-act", args=[case.number, "rate_department"]), data
    )
    assert response.status_code == 400
    assert "工作态度：请选择 1 到 5 星" in response.content.decode()


# --- queries ------------------------------------------------------------------------------


def test_the_case_page_runs_as_many_queries_with_many_summons_as_with_one(
    login, cast, reported, housing, django_assert_num_queries, django_assert_max_num_queries
):
    whistle(cast, reported)
    client = login(cast.dispatcher)
    client.get(url(reported))
    with django_assert_max_num_queries(25) as few:
        client.get(url(reported))
    more = [
        Department.objects.create(
            name=f"和平区第{i}局", kind=DepartmentKind.OTHER, jurisdiction=cast.district
        )
        for i in range(5)
    ]
    for _ in range(3):
        whistle(cast, reported, cast.department, housing, *more)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url(reported))
    assert len(response.context["whistles"]) == 4
