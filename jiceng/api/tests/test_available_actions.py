"""The detail's `actions` are the steps the caller can take now, decided in one place
with the case page's buttons (jiceng.cases.roles.steps_for): a department that has
reported in has no `report_in` left, and `rate_department` ends once every summoned
department is rated."""

import pytest

from jiceng.cases import actions
from jiceng.cases.choices import WhistleReason
from jiceng.cases.models import Summons
from jiceng.cases.tests.fixtures import run_to

SEEING = ["grid_worker", "secretary", "dispatcher", "clerk", "district_leader"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def whistle(cast, case, *departments):
    return actions.blow_whistle(
        case,
        acting_user=cast.dispatcher,
        departments=list(departments) or [cast.department],
        reason=WhistleReason.JOINT_ENFORCEMENT,
    )


def api_steps(api, user, case) -> list[str]:
    response = api(user).get(f"/api/v1/cases/{case.number}/")
    assert response.status_code == 200, response.json()
    return response.json()["actions"]


def page_steps(client, user, case) -> list[str]:
    client.force_login(user)
    return [t.name for t, _form in client.get(f"/cases/{case.number}/").context["actions"]]


def test_a_summoned_department_sees_report_in_until_it_has_reported(cast, reported, api):
    summons = whistle(cast, reported).summons.get()
    assert api_steps(api, cast.clerk, reported) == ["report_in"]
    actions.report_in(summons, acting_user=cast.clerk, note="已到现场")
    assert api_steps(api, cast.clerk, reported) == []


def test_whistled_again_the_department_has_a_report_in_left(cast, reported, api):
    first = whistle(cast, reported).summons.get()
    actions.report_in(first, acting_user=cast.clerk)
    whistle(cast, reported)
    assert api_steps(api, cast.clerk, reported) == ["report_in"]


def test_reporting_in_twice_through_the_api_is_refused_with_409(cast, reported, api):
    whistle(cast, reported)
    url = f"/api/v1/cases/{reported.number}/actions/report_in/"
    assert api(cast.clerk).post(url, {"note": "已到场"}, format="json").status_code == 200
    again = api(cast.clerk).post(url, {"note": "再次报到"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_rate_department_lasts_until_every_summoned_department_is_rated(cast, reported, api):
    from jiceng.jurisdictions.choices import DepartmentKind
    from jiceng.jurisdictions.models import Department

    housing = Department.objects.create(
        name="和平区住房和城乡建设委员会", kind=DepartmentKind.HOUSING, jurisdiction=cast.district
    )
    whistle(cast, reported, cast.department, housing)
    case = run_to(reported, cast, "closed")
    assert "rate_department" in api_steps(api, cast.dispatcher, case)
    for summons in Summons.objects.order_by("pk"):
        assert "rate_department" in api_steps(api, cast.dispatcher, case)
        actions.rate_department(summons, acting_user=cast.dispatcher, speed=5, attitude=4, result=4)
    steps = api_steps(api, cast.dispatcher, case)
    assert "rate_department" not in steps and "follow_up" in steps


@pytest.mark.parametrize("member", SEEING)
def test_the_api_and_the_case_page_offer_the_same_steps(cast, reported, api, client, member):
    user = getattr(cast, member)
    summons = whistle(cast, reported).summons.get()
    actions.report_in(summons, acting_user=cast.clerk)
    for case in (reported, run_to(reported, cast, "closed")):
        assert api_steps(api, user, case) == page_steps(client, user, case), member


def test_the_neighbour_gets_404_not_a_list_of_steps(cast, reported, api):
    whistle(cast, reported)
    response = api(cast.neighbour).get(f"/api/v1/cases/{reported.number}/")
    assert response.status_code == 404
