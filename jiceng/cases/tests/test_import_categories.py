"""The matter catalogue to and from Excel: round trip, per-row errors, nothing written."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from jiceng.cases.catalogue_transfer import export_categories, import_categories
from jiceng.cases.models import Category, CategoryChange
from jiceng.lib.excel import read_rows
from jiceng.lib.importreport import annotated


@pytest.fixture
def catalogue(catalogue):
    """The shared catalogue with its emergency item under a 大类, as the loader requires."""
    group = Category.objects.create(code="09", name="安全隐患", kind="event")
    Category.objects.filter(code="0901").update(parent=group)
    return catalogue


def _book(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _exported_with(change) -> bytes:
    rows = [list(r) for r in read_rows(export_categories())]
    change(rows)
    return _book(rows)


def test_an_exported_catalogue_imports_unchanged(catalogue):
    report = import_categories(export_categories())
    assert report.ok and report.written
    assert (report.created, report.updated) == (0, 0)
    assert not CategoryChange.objects.exists()


def test_a_changed_row_updates_the_category_and_keeps_history(catalogue, cast):
    def rename(rows):
        rows[3][2] = "道路塌陷"  # 0602 道路破损
        rows[3][-1] = "否"

    report = import_categories(_exported_with(rename), acting_user=cast.district_leader)
    road = Category.objects.get(code="0602")
    assert (road.name, road.active, report.updated) == ("道路塌陷", False, 1)
    change = road.changes.get()
    assert change.changed_by == cast.district_leader and change.note.startswith("Excel 导入")


def test_a_new_row_is_created_under_its_group(catalogue):
    def add(rows):
        rows.append(["0603", "06", "井盖缺失", "event", "井盖", "一般", "community",
                     1, 2, 32, 40, 4, 8, "是"])  # fmt: skip

    report = import_categories(_exported_with(add))
    assert report.created == 1
    assert Category.objects.get(code="0603").parent.code == "06"


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (["0699", "07", "无上级", "event", "", "normal", "community", 1, 2, 32, 40, 4, 8, "是"],
         "上级编码", "上级编码 07 不存在"),
        (["0601", "06", "重复编码", "event", "", "normal", "community", 1, 2, 32, 40, 4, 8, "是"],
         "编码", "编码重复"),
        (["0698", "06", "坏数字", "event", "", "normal", "community", "两小时", 2, 32, 40, 4, 8,
          "是"], "签收预警(小时)", "应为小时数"),
        (["0697", "06", "", "event", "", "normal", "community", 1, 2, 32, 40, 4, 8, "是"],
         "名称", "名称不能为空"),
        (["0696", "06", "坏紧急", "event", "", "火急", "community", 1, 2, 32, 40, 4, 8, "是"],
         "紧急程度", "火急"),
    ],
)  # fmt: skip
def test_each_kind_of_bad_row_is_named_and_nothing_is_written(catalogue, row, column, words):
    before = list(Category.objects.values_list("code", "name", "active"))
    data = _exported_with(lambda rows: rows.append(row))
    report = import_categories(data)
    assert not report.written
    bad = [e for e in report.errors if e.column == column]
    assert bad and bad[0].row == 7 and words in bad[0].message
    assert list(Category.objects.values_list("code", "name", "active")) == before
    assert not CategoryChange.objects.exists()


def test_the_annotated_copy_says_what_is_wrong_in_the_bad_row(catalogue):
    data = _exported_with(lambda rows: rows.__setitem__(2, rows[2][:2] + [""] + rows[2][3:]))
    report = import_categories(data)
    rows = read_rows(annotated(data, report.errors))
    assert rows[0][-1] == "错误"
    assert "名称不能为空" in rows[2][-1] and rows[1][-1] is None


def test_a_missing_column_is_a_whole_file_error(catalogue):
    report = import_categories(_book([["编码", "名称"], ["0601", "垃圾"]]))
    assert report.errors[0].row == 1 and "上级编码" in report.errors[0].message


def test_something_that_is_not_a_workbook_is_refused(catalogue):
    report = import_categories(b"code,name\n")
    assert "Excel" in report.errors[0].message and report.as_dict()["ok"] is False


def test_the_commands_export_and_import_a_file(catalogue, tmp_path, capsys):
    path = tmp_path / "categories.xlsx"
    call_command("export_categories", str(path))
    call_command("import_categories", str(path))
    assert "新建 0" in capsys.readouterr().out
    bad = _exported_with(lambda rows: rows[1].__setitem__(1, "99"))
    path.write_bytes(bad)
    with pytest.raises(CommandError):
        call_command("import_categories", str(path))
