"""The rankings workbook: a sheet for the node's children and one for the departments,
for the month asked, rates as percentage cells, unit names and no personal data."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jiceng.dashboards.kpis import add_months
from jiceng.lib.excel import XLSX, read_rows

from .test_kpis import month  # noqa: F401  (the hand-built month)

pytestmark = pytest.mark.django_db


def export(client, node, **params):
    response = client.get(reverse("dashboard-rankings", args=[node.code]), params)
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    return response


def test_the_workbook_ranks_the_streets_and_the_departments(login, month):  # noqa: F811
    this_month = f"{timezone.localdate():%Y-%m}"
    response = export(login(month.district_leader), month.district, month=this_month)
    assert f"rankings-{month.district.code}-{this_month}.xlsx" in response["Content-Disposition"]
    streets = read_rows(response.content)
    assert streets[0] == (
        "排名", "名称", "区划代码", "受理", "派单", "响应率", "解决率", "满意率", "按期结案率",
        "自处置率", "平均办理时长(小时)", "综合得分",
    )  # fmt: skip
    first, second = streets[1], streets[2]
    assert first[:5] == (1, "劝业场街道", month.street.code, 4, 3)
    assert first[5:10] == (round(1 / 3, 4), 0.5, 0.5, round(2 / 3, 4), 0.25)
    assert first[11] == round((1 / 3 + 0.5 + 0.5) / 3, 4)
    assert second[:5] == (2, "小白楼街道", month.other_street.code, 0, 0)
    assert second[5:10] == (None,) * 5 and second[11] == 0
    departments = read_rows(response.content, sheet=1)
    assert departments[0][:5] == ("排名", "部门", "派单", "签收", "结案")
    assert departments[1][:3] == (1, "和平区城市管理委员会", 0)


def test_rates_are_percentage_cells_and_sheets_are_named_by_month(login, month):  # noqa: F811
    response = export(login(month.district_leader), month.district)
    book = load_workbook(io.BytesIO(response.content))
    this_month = f"{timezone.localdate():%Y-%m}"
    assert book.sheetnames == [f"街道乡镇排名 {this_month}", f"部门排名 {this_month}"]
    row = list(book.worksheets[0].iter_rows(min_row=2, max_row=2))[0]
    assert [row[n].number_format for n in (5, 6, 7, 8, 9, 11)] == ["0.0%"] * 6
    assert row[3].number_format == "General"  # counts stay plain numbers


def test_a_past_month_has_its_own_numbers(login, month):  # noqa: F811
    last = f"{add_months(timezone.localdate(), -1):%Y-%m}"
    streets = read_rows(export(login(month.district_leader), month.district, month=last).content)
    assert [r[3] for r in streets[1:]] == [0, 0]  # nothing was received last month


def test_no_person_appears_in_the_workbook(login, month):  # noqa: F811
    response = export(login(month.district_leader), month.district)
    text = str(read_rows(response.content)) + str(read_rows(response.content, sheet=1))
    for person in (month.grid_worker, month.secretary, month.dispatcher, month.resident):
        assert person.full_name not in text and person.username not in text


def test_a_bad_month_gets_400_with_a_message_naming_it(login, cast):
    client = login(cast.district_leader)
    url = reverse("dashboard-rankings", args=[cast.district.code])
    response = client.get(url, {"month": "11/2026"})
    assert response.status_code == 400
    assert response.content.decode() == "月份“11/2026”格式不对，应为 年-月，例如 2026-11"


def test_a_communitys_workbook_has_an_empty_children_sheet(login, month):  # noqa: F811
    response = export(login(month.dispatcher), month.community)
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0].startswith("下级排名")
    assert read_rows(response.content)[1:] == []
    assert read_rows(response.content, sheet=1)[1][1] == "和平区城市管理委员会"
