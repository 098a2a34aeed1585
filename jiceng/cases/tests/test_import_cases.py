"""Historic cases from Excel: round trip with the queue export, per-row errors with
nothing written, scope, idempotent order numbers, the writing action (all or nothing, a
few statements, the rollups of the days touched), and a 10,000-row file."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.utils import timezone
from openpyxl import Workbook

from jiceng.cases import actions
from jiceng.cases.exports import export_cases
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.tests.fixtures import IN_GRID, IN_OTHER_GRID, run_to
from jiceng.cases.transfer import check_cases, import_cases, may_import_cases
from jiceng.dashboards.models import DailyStat

HEADER = ["热线工单号", "受理时间", "事项编码", "描述", "地址", "经度", "纬度", "社区编码",
          "来电人", "来电号码", "状态", "结案时间", "满意度"]  # fmt: skip


def _book(rows: list[list], header=HEADER) -> bytes:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(n: int, **changes) -> list:
    values = {
        "热线工单号": f"GD2026{n:06d}", "受理时间": datetime(2026, 10, 3, 9, 30),
        "事项编码": "0601", "描述": f"第{n}件：垃圾堆放", "地址": "花园路1号",
        "经度": IN_GRID[0], "纬度": IN_GRID[1], "社区编码": "", "来电人": "王小明",
        "来电号码": "13800001111", "状态": "已结案", "结案时间": datetime(2026, 10, 4, 9, 0),
        "满意度": "满意",
    } | changes  # fmt: skip
    return [values[h] for h in HEADER]


@pytest.fixture
def hotline_cases(cast, catalogue, rules):
    """One order waiting in the manual queue (no rule for gas), one closed."""
    received, _ = actions.receive_hotline_order(
        order_no="GD-1", category=catalogue["gas"], description="楼道有燃气味",
        jurisdiction_code=cast.community.code, caller_name="王小明",
        caller_phone="13800001111", address="花园路2号",
    )  # fmt: skip
    closed, _ = actions.receive_hotline_order(
        order_no="GD-2", category=rules[0].category, description="垃圾桶满溢",
        lng=IN_GRID[0], lat=IN_GRID[1],
    )  # fmt: skip
    return [received, run_to(closed, cast, "closed")]


FIELDS = ("hotline_order_no", "category_id", "status", "description", "address", "lng", "lat",
          "grid_id", "community_id", "subdistrict_id", "closed_at", "received_at")  # fmt: skip


def _to_second(rows):
    return [r[:10] + tuple(t and t.replace(microsecond=0) for t in r[10:]) for r in rows]


def _state():
    return sorted(Case.objects.values_list(*FIELDS))


def test_the_queue_export_imports_back_into_the_same_cases(cast, hotline_cases):
    data, _ = export_cases(cast.dispatcher, Case.objects.all(), unmask_requested=False)
    before = _state()
    Case.objects.all().delete()
    report = import_cases(data, acting_user=cast.dispatcher)
    assert report.ok and report.created == 2, report.text()
    # The export holds local times to the second; compare to the second.
    assert _to_second(_state()) == _to_second(before)
    assert CaseEvent.objects.filter(action="imported").count() == 2


def test_importing_the_same_file_twice_skips_every_row(cast, catalogue, rules):
    data = _book([_row(1), _row(2)])
    assert import_cases(data, acting_user=cast.dispatcher).created == 2
    again = import_cases(data, acting_user=cast.dispatcher)
    assert again.ok and again.created == 0 and again.skipped == ["GD2026000001", "GD2026000002"]
    assert Case.objects.count() == 2


def test_an_export_of_existing_cases_is_skipped_not_duplicated(cast, hotline_cases):
    data, _ = export_cases(cast.dispatcher, Case.objects.all(), unmask_requested=False)
    report = import_cases(data, acting_user=cast.dispatcher)
    assert report.created == 0 and len(report.skipped) == 2
    assert Case.objects.count() == 2


def test_imported_cases_are_located_closed_and_counted(cast, catalogue, rules):
    import_cases(_book([_row(1), _row(2, 状态="已受理", 结案时间=None, 满意度="")]),
                 acting_user=cast.dispatcher)  # fmt: skip
    closed = Case.objects.get(hotline_order_no="GD2026000001")
    assert (closed.grid, closed.community, closed.status) == (cast.grid, cast.community, "closed")
    assert closed.satisfaction == "satisfied" and closed.followed_up_at == closed.closed_at
    waiting = Case.objects.get(hotline_order_no="GD2026000002")
    assert waiting.status == "received" and waiting.in_manual_queue
    day = DailyStat.objects.get(jurisdiction=cast.community, day="2026-10-03")
    assert day.received == 2
    next_day = DailyStat.objects.get(jurisdiction=cast.community, day="2026-10-04")
    assert (next_day.closed, next_day.followed_up, next_day.satisfied) == (1, 1, 1)


def _checked(cast, rows: list[list]):
    report, checked = check_cases(_book(rows), cast.dispatcher)
    assert report.ok, report.text()
    return checked


def test_the_rollups_are_rebuilt_for_the_days_the_rows_touch_only(
    cast, catalogue, rules, monkeypatch
):
    asked = []
    monkeypatch.setattr(actions, "rebuild_rollups", lambda **span: asked.append(span))
    rows = _checked(cast, [
        _row(1),  # received 10-03, closed and followed up 10-04
        _row(2, 受理时间=datetime(2026, 9, 30, 23, 30), 状态="已受理", 结案时间=None, 满意度=""),
    ])  # fmt: skip
    actions.import_case_rows(rows, acting_user=cast.dispatcher)
    # Local dates, the end exclusive: 23:30 on 9-30 in Tianjin is still 9-30.
    assert asked == [{"start": date(2026, 9, 30), "end": date(2026, 10, 5)}]


def test_an_error_in_the_middle_of_an_import_writes_nothing(cast, catalogue, rules, monkeypatch):
    rows = _checked(cast, [_row(1), _row(2), _row(3)])
    # Between the check and the write, the hotline delivers the second order itself.
    actions.receive_hotline_order(
        order_no="GD2026000002", category=rules[0].category, description="垃圾桶满溢",
        lng=IN_GRID[0], lat=IN_GRID[1],
    )  # fmt: skip
    stats = sorted(DailyStat.objects.values_list("day", "unit", "received"))
    monkeypatch.setattr(actions, "IMPORT_BATCH", 1)  # the first row is written before the error
    with pytest.raises(IntegrityError):
        actions.import_case_rows(rows, acting_user=cast.dispatcher)
    assert list(Case.objects.values_list("hotline_order_no", flat=True)) == ["GD2026000002"]
    assert not CaseEvent.objects.filter(action="imported").exists()
    assert sorted(DailyStat.objects.values_list("day", "unit", "received")) == stats


def test_the_action_writes_its_rows_in_bulk_not_one_by_one(
    cast, catalogue, rules, django_assert_num_queries
):
    rows = _checked(cast, [_row(n) for n in range(1, 16)])
    # A savepoint and its release, one INSERT of the cases, one of their timeline rows
    # (SQLite's limit of 999 parameters per statement splits at 19 cases).
    with django_assert_num_queries(4):
        cases = actions.import_case_rows(rows, acting_user=cast.dispatcher, rebuild=False)
    assert len(cases) == 15 and all(c.pk for c in cases)
    assert CaseEvent.objects.filter(action="imported").count() == 15


def test_a_community_code_places_a_row_without_a_point(cast, catalogue, rules):
    row = _row(1, 经度=None, 纬度=None, 社区编码=int(cast.community.code))
    assert import_cases(_book([row]), acting_user=cast.dispatcher).created == 1
    assert Case.objects.get().community == cast.community


@pytest.mark.parametrize(
    ("changes", "column", "words"),
    [
        ({"事项编码": "9999"}, "事项编码", "事项编码 9999 不存在"),
        ({"受理时间": "上个月"}, "受理时间", "应为日期时间"),
        ({"结案时间": None}, "结案时间", "不能为空"),
        ({"结案时间": datetime(2026, 10, 1)}, "结案时间", "早于受理时间"),
        ({"状态": "办理中"}, "状态", "只能导入"),
        ({"满意度": "很好"}, "满意度", "很好"),
        ({"纬度": "北纬39度"}, "纬度", "应为数字"),
        ({"经度": 150.0, "纬度": 10.0}, "经度", "无法定位"),
        ({"描述": ""}, "描述", "不能为空"),
        ({"热线工单号": "GD2026000001"}, "热线工单号", "在文件中重复（第 2 行已有）"),
        ({"经度": IN_OTHER_GRID[0], "纬度": IN_OTHER_GRID[1]}, "经度", "不在您的辖区内"),
    ],
)
def test_each_kind_of_bad_row_is_named_and_nothing_is_written(
    cast, catalogue, rules, changes, column, words
):
    report = import_cases(_book([_row(1), _row(2, **changes)]), acting_user=cast.dispatcher)
    assert not report.written and not Case.objects.exists()
    assert [(e.row, e.column) for e in report.errors] == [(3, column)], report.text()
    assert words in report.errors[0].message


def test_a_file_without_the_needed_columns_is_refused_as_a_whole(cast, catalogue):
    report = import_cases(_book([["x"]], header=["描述"]), acting_user=cast.dispatcher)
    assert report.errors[0].row == 1 and "受理时间" in report.errors[0].message


def test_the_neighbour_cannot_import_into_our_area(cast, catalogue, rules):
    report = import_cases(_book([_row(1)]), acting_user=cast.neighbour)
    assert "不在您的辖区内" in report.errors[0].message
    assert not Case.objects.exists()


def test_only_dispatchers_leaders_and_admins_may_import(cast):
    assert may_import_cases(cast.dispatcher) and may_import_cases(cast.district_leader)
    for user in (cast.grid_worker, cast.secretary, cast.clerk, cast.resident):
        assert not may_import_cases(user)


def test_the_command_imports_as_the_named_user(cast, catalogue, rules, tmp_path, capsys):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(_book([_row(1)]))
    call_command("import_cases", str(path), "--as", "dispatcher")
    assert "新建 1" in capsys.readouterr().out
    with pytest.raises(CommandError, match="无权"):
        call_command("import_cases", str(path), "--as", "gridworker")
    path.write_bytes(_book([_row(2, 事项编码="77")]))
    with pytest.raises(CommandError):
        call_command("import_cases", str(path), "--as", "dispatcher")
    assert Case.objects.count() == 1


def test_ten_thousand_rows_import_in_one_go(cast, catalogue, rules):
    rows = [_row(n, 受理时间=datetime(2026, 9, 1 + n % 28, 8)) for n in range(10_000)]
    data = _book(rows)
    report = import_cases(data, acting_user=cast.dispatcher)  # its speed: docs/transfer.md
    assert report.created == 10_000 and Case.objects.count() == 10_000
    assert timezone.localtime(Case.objects.earliest("received_at").received_at).day == 1
