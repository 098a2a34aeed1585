"""The department desk, a clerk's home page: summons to report in to, orders to accept
or return, orders to reply to, and those recently handed back, each acted on in its row;
a clerk of another department sees none of it."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.actions import create_user
from jiceng.accounts.choices import Role
from jiceng.cases import actions
from jiceng.cases.choices import PhotoStage, Status, WhistleReason
from jiceng.jurisdictions.choices import DepartmentKind
from jiceng.jurisdictions.models import Department
from jiceng.lib.clock import frozen

from .fixtures import IN_GRID, JPEG

pytestmark = pytest.mark.django_db

HOME = "/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def road(cast, catalogue, text="人行道地砖破损"):
    """Road damage: the responsibility list sends it to the district's 城管委."""
    return actions.report_by_grid_worker(
        acting_user=cast.grid_worker,
        category=catalogue["road"],
        lng=IN_GRID[0],
        lat=IN_GRID[1],
        description=text,
    )


def summon(cast, case):
    return actions.blow_whistle(
        case,
        acting_user=cast.dispatcher,
        departments=[cast.department],
        reason=WhistleReason.JOINT_ENFORCEMENT,
    )


@pytest.fixture
def desk_cases(cast, catalogue, rules, reported):
    """One case in each block of the 城管委's desk."""
    to_accept = road(cast, catalogue, "健康路地砖破损")
    working = actions.accept(road(cast, catalogue, "南京路井盖松动"), acting_user=cast.clerk)
    returned = actions.return_case(
        road(cast, catalogue, "小区内部道路"), acting_user=cast.clerk, reason="属物业管理范围"
    )
    summon(cast, reported)
    return {"to_accept": to_accept, "working": working, "returned": returned, "summoned": reported}


def desk(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def numbers(block) -> list[str]:
    return [getattr(row, "case", row).number for row in block.rows]


def test_the_clerks_home_is_the_desk_with_a_count_per_block(login, cast, desk_cases):
    response = desk(login(cast.clerk))
    blocks = response.context["desk"]
    assert numbers(blocks.summons) == [desk_cases["summoned"].number]
    assert numbers(blocks.to_accept) == [desk_cases["to_accept"].number]
    assert numbers(blocks.working) == [desk_cases["working"].number]
    assert numbers(blocks.handed_back) == [desk_cases["returned"].number]
    counts = [b.count for b in (blocks.summons, blocks.to_accept, blocks.working)]
    assert counts + [blocks.handed_back.count] == [1, 1, 1, 1]
    body = response.content.decode()
    assert "和平区城市管理委员会" in body
    assert "待报到 <b>1</b>" in body and "待签收 <b>1</b>" in body


def test_the_summons_row_ticks_down_to_the_report_in_deadline(login, cast, catalogue, rules):
    case = road(cast, catalogue)
    blown = timezone.make_aware(timezone.datetime(2026, 11, 18, 9, 0))
    with frozen(blown):
        summon(cast, case)
    with frozen(blown + timedelta(minutes=20)):
        body = desk(login(cast.clerk)).content.decode()
    assert '<span class="word">剩余</span>' in body and ">10:00</time>" in body
    assert "cases/case.js" in body


def test_reporting_in_from_the_desk_comes_back_to_the_desk(login, cast, desk_cases):
    case = desk_cases["summoned"]
    case.refresh_from_db()  # the whistle moved its version on
    client = login(cast.clerk)
    data = {"version": case.version, "next": HOME}
    response = client.post(reverse("case-act", args=[case.number, "report_in"]), data)
    assert response.status_code == 302 and response["Location"] == HOME
    assert case.summons.get().reported_at is not None
    assert desk(client).context["desk"].summons.count == 0


def test_accepting_from_the_row(login, cast, desk_cases):
    case = desk_cases["to_accept"]
    response = login(cast.clerk).post(
        reverse("case-act", args=[case.number, "accept"]), {"version": case.version, "next": HOME}
    )
    assert response["Location"] == HOME
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED


def test_returning_from_the_row_needs_a_reason(login, cast, desk_cases):
    case = desk_cases["to_accept"]
    client = login(cast.clerk)
    url = reverse("case-act", args=[case.number, "return"])
    refused = client.post(url, {"version": case.version, "next": HOME, "reason": ""})
    assert refused.status_code == 400 and "原因" in refused.content.decode()
    body = desk(client).content.decode()
    assert 'name="reason" rows="2" maxlength="2000" required' in body
    done = client.post(url, {"version": case.version, "next": HOME, "reason": "不属于城管职责"})
    assert done["Location"] == HOME
    case.refresh_from_db()
    assert case.status == Status.RETURNED


def test_replying_from_the_row_with_a_result_and_a_photo(login, cast, desk_cases):
    case = desk_cases["working"]
    photo = SimpleUploadedFile("done.jpg", JPEG, content_type="image/jpeg")
    data = {"version": case.version, "next": HOME, "result": "已更换井盖", "photos": [photo]}
    response = login(cast.clerk).post(reverse("case-act", args=[case.number, "reply"]), data)
    assert response["Location"] == HOME
    case.refresh_from_db()
    assert case.status == Status.REPLIED and case.result == "已更换井盖"
    assert case.photos.filter(stage=PhotoStage.REPLY).count() == 1


def test_a_next_address_elsewhere_is_ignored(login, cast, desk_cases):
    case = desk_cases["to_accept"]
    data = {"version": case.version, "next": "https://evil.example/"}
    response = login(cast.clerk).post(reverse("case-act", args=[case.number, "accept"]), data)
    assert response["Location"] == reverse("case", args=[case.number])


def test_a_clerk_of_another_department_sees_none_of_these_cases(login, cast, desk_cases):
    housing = Department.objects.create(
        name="和平区住房和城乡建设委员会", kind=DepartmentKind.HOUSING, jurisdiction=cast.district
    )
    other = create_user(
        username="housingclerk", role=Role.DEPARTMENT_CLERK, full_name="高原", department=housing
    )
    client = login(other)
    response = desk(client)
    blocks = response.context["desk"]
    assert [b.count for b in vars(blocks).values()] == [0, 0, 0, 0]
    body = response.content.decode()
    for case in desk_cases.values():
        assert case.number not in body
        assert client.get(reverse("case", args=[case.number])).status_code == 404
    assert "和平区住房和城乡建设委员会" in body


def test_the_desk_runs_as_many_queries_for_30_cases_as_for_3(
    login, cast, catalogue, rules, django_assert_num_queries, django_assert_max_num_queries
):
    def make(count: int) -> None:
        for i in range(count):
            fresh = road(cast, catalogue, f"第{i}处地砖破损")
            summon(cast, fresh)
            actions.accept(road(cast, catalogue, f"第{i}处井盖"), acting_user=cast.clerk)
            actions.return_case(
                road(cast, catalogue, f"第{i}处小区道路"), acting_user=cast.clerk, reason="物业"
            )

    client = login(cast.clerk)
    make(1)
    desk(client)
    with django_assert_max_num_queries(20) as few:
        desk(client)
    make(10)
    with django_assert_num_queries(len(few.captured_queries)):
        blocks = desk(client).context["desk"]
    assert [b.count for b in vars(blocks).values()] == [11, 11, 11, 11]
