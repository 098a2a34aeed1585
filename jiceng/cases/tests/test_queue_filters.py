"""The queue's filters: each one narrows the list to exactly the cases it names, a bad
value is reported in Chinese and ignored, and the page's queries do not grow with rows."""

import pytest
from django.urls import reverse

from jiceng.cases import actions
from jiceng.cases.models import Case

from .fixtures import IN_GRID, IN_OTHER_GRID

pytestmark = pytest.mark.django_db

IN_SECOND_GRID = (117.15, 39.1)


def report(cast, category, lnglat=IN_GRID, text="小区门口垃圾堆放"):
    return actions.report_by_grid_worker(
        acting_user=cast.grid_worker,
        category=category,
        lng=lnglat[0],
        lat=lnglat[1],
        description=text,
    )


def hotline(catalogue, order_no, lnglat=IN_GRID, text="楼下垃圾无人清运"):
    case, _created = actions.receive_hotline_order(
        order_no=order_no,
        category=catalogue["garbage"],
        description=text,
        caller_name="王小二",
        caller_phone="13912345678",
        lng=lnglat[0],
        lat=lnglat[1],
    )
    return case


def listed(client, **query) -> set[str]:
    response = client.get(reverse("case-queue"), query)
    assert response.status_code == 200
    return {c.number for c in response.context["page"]}


def test_the_grid_filter_keeps_the_cases_of_that_grid(login, cast, catalogue, rules):
    first = report(cast, catalogue["garbage"])
    second = hotline(catalogue, "12345-9", IN_SECOND_GRID)
    client = login(cast.dispatcher)
    assert listed(client, grid=cast.grid.code) == {first.number}
    assert listed(client, grid=cast.second_grid.code) == {second.number}


def test_the_grid_list_offers_only_the_users_own_grids(login, cast, catalogue, rules):
    response = login(cast.dispatcher).get(reverse("case-queue"))
    codes = {g.code for g in response.context["filters"].fields["grid"].queryset}
    assert codes == {cast.grid.code, cast.second_grid.code}
    assert cast.other_grid.code not in response.content.decode()


def test_a_neighbours_grid_in_the_filter_is_refused_in_chinese_and_ignored(
    login, cast, catalogue, rules
):
    ours = report(cast, catalogue["garbage"])
    theirs = hotline(catalogue, "12345-8", IN_OTHER_GRID, "泰安道路口垃圾满溢")
    response = login(cast.dispatcher).get(reverse("case-queue"), {"grid": cast.other_grid.code})
    body = response.content.decode()
    assert "网格：没有这个网格，或您无权查看" in body
    assert {c.number for c in response.context["page"]} == {ours.number}
    assert theirs.number not in body


def test_the_overdue_and_warning_filters_keep_the_flagged_cases(login, cast, catalogue, rules):
    late, warned, calm = (hotline(catalogue, f"12345-{i}") for i in range(3))
    Case.objects.filter(pk=late.pk).update(overdue=True, warned=True)
    Case.objects.filter(pk=warned.pk).update(warned=True)
    client = login(cast.dispatcher)
    assert listed(client, overdue="on") == {late.number}
    assert listed(client, warned="on") == {late.number, warned.number}
    assert calm.number in listed(client)


def test_the_source_filter_keeps_one_source(login, cast, catalogue, rules):
    grid_report = report(cast, catalogue["garbage"])
    call = hotline(catalogue, "12345-1")
    client = login(cast.dispatcher)
    assert listed(client, source="hotline") == {call.number}
    assert listed(client, source="grid_report") == {grid_report.number}


def test_a_major_category_includes_its_subcategories_and_a_subcategory_only_itself(
    login, cast, catalogue, rules
):
    garbage = report(cast, catalogue["garbage"])
    road = report(cast, catalogue["road"], text="人行道地砖破损")
    gas = report(cast, catalogue["gas"], text="闻到燃气味")
    client = login(cast.dispatcher)
    assert listed(client, category="06") == {garbage.number, road.number}
    assert listed(client, category="0602") == {road.number}
    assert listed(client, category="0901") == {gas.number}


def test_the_category_list_indents_subcategories_under_their_major_category(login, cast, catalogue):
    response = login(cast.dispatcher).get(reverse("case-queue"))
    labels = [
        str(label) for _value, label in response.context["filters"].fields["category"].choices
    ]
    assert labels[1:4] == ["06 市容环境", "\u30000601 暴露垃圾", "\u30000602 道路破损"]


def test_the_keyword_finds_a_number_a_phrase_of_the_description_or_an_order_number(
    login, cast, catalogue, rules
):
    garbage = report(cast, catalogue["garbage"], text="健康路3号楼下垃圾")
    call = hotline(catalogue, "TJ-2026-0042", text="鞍山道噪音扰民")
    client = login(cast.dispatcher)
    assert listed(client, q=garbage.number) == {garbage.number}
    assert listed(client, q="噪音") == {call.number}
    assert listed(client, q="TJ-2026-0042") == {call.number}
    assert listed(client, q="不存在的内容") == set()


def test_a_number_with_the_wrong_date_finds_nothing(login, cast, catalogue, rules):
    garbage = report(cast, catalogue["garbage"])
    wrong = "19990101" + garbage.number[8:]
    assert listed(login(cast.dispatcher), q=wrong) == set()


def test_the_keyword_never_reaches_the_neighbours_cases(login, cast, catalogue, rules):
    theirs = hotline(catalogue, "12345-7", IN_OTHER_GRID, "泰安道路口垃圾满溢")
    client = login(cast.dispatcher)
    assert listed(client, q=theirs.number) == set()
    assert listed(client, q="泰安道") == set()


def test_filters_combine_and_the_counts_follow_them(login, cast, catalogue, rules):
    report(cast, catalogue["garbage"])
    call = hotline(catalogue, "12345-1")
    actions.accept(call, acting_user=cast.secretary)
    response = login(cast.dispatcher).get(reverse("case-queue"), {"source": "hotline"})
    counts = {value: n for value, _label, n in response.context["counts"]}
    assert counts == {"accepted": 1}
    assert response.context["page"].paginator.count == 1


def test_a_district_leader_types_a_grid_code_instead_of_choosing_from_thousands(
    login, cast, catalogue, rules
):
    ours = report(cast, catalogue["garbage"])
    response = login(cast.district_leader).get(reverse("case-queue"), {"grid": cast.grid.code})
    assert response.context["filters"].fields["grid"].widget.input_type == "text"
    assert {c.number for c in response.context["page"]} == {ours.number}


@pytest.mark.parametrize("member", ["dispatcher", "clerk"])
def test_the_queue_runs_as_many_queries_for_30_cases_as_for_3(
    login, cast, catalogue, rules, django_assert_num_queries, django_assert_max_num_queries, member
):
    def make(count: int, start: int) -> None:
        for i in range(start, start + count):
            case = report(cast, catalogue["road"], text=f"第{i}处地砖破损")
            if i % 3 == 0:
                actions.blow_whistle(
                    case,
                    acting_user=cast.dispatcher,
                    departments=[cast.department],
                    reason="emergency",
                )
            queued = actions.report_patrol_finding(
                acting_user=cast.dispatcher,
                category=catalogue["group"],  # no rule: waits for manual dispatch
                lng=IN_GRID[0],
                lat=IN_GRID[1],
                description=f"第{i}处不明事项",
            )
            assert queued.status == "received"

    client = login(getattr(cast, member))
    make(3, 0)
    client.get(reverse("case-queue"))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("case-queue"))
    make(27, 3)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("case-queue"))
    # The dispatcher sees the 30 road cases and 30 waiting ones (a page of 50); the
    # clerk the 30 road cases of the department.
    expected = {"dispatcher": (60, 50), "clerk": (30, 30)}[member]
    assert (response.context["page"].paginator.count, len(response.context["page"])) == expected
