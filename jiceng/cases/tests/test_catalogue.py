"""The matter catalogue: the shipped file, the loader and its history, and the admin."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse

from jiceng.cases.catalogue import (
    COLUMNS,
    DEFAULT_PATH,
    IMPORTED_NOTE,
    LIMIT_FIELDS,
    CatalogueError,
    load_catalogue,
    read_catalogue,
)
from jiceng.cases.choices import Handler, Stage, Urgency
from jiceng.cases.models import Category, CategoryChange, Responsibility

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)
GROUP = "06,,市容环境,event,市容|垃圾,normal,subdistrict,0.5,1,6,8,1,2"
ITEM = "0601,06,暴露垃圾,event,暴露垃圾|垃圾,normal,community,0.5,1,6,8,1,2"
SUBITEM = "060101,0601,垃圾桶满溢,event,垃圾桶|满溢|清运,normal,community,0.5,1,6,8,1,2"


def write_csv(tmp_path: Path, *rows: str, name: str = "bad.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def shipped_records() -> list[dict[str, str]]:
    # Read with the csv module, not the loader, so these checks don't trust the code
    # they check.
    with DEFAULT_PATH.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


# The shipped file -----------------------------------------------------------------------


def test_the_shipped_catalogue_has_at_least_9_groups_and_150_items():
    records = shipped_records()
    groups = [r for r in records if not r["parent_code"]]
    items = [r for r in records if r["parent_code"]]
    assert len(groups) >= 9
    assert len(items) >= 150


def test_the_shipped_catalogue_has_unique_codes_and_names_per_group():
    records = shipped_records()
    assert len({r["code"] for r in records}) == len(records)
    assert len({(r["parent_code"], r["name"]) for r in records}) == len(records)


def test_every_shipped_item_has_keywords_and_each_warning_comes_before_its_limit():
    for record in shipped_records():
        keywords = [k for k in record["keywords"].split("|") if k]
        if record["parent_code"]:
            assert 3 <= len(keywords) <= 6, record["code"]
        for stage in Stage.values:
            warn = float(record[f"{stage}_warn_hours"])
            limit = float(record[f"{stage}_limit_hours"])
            assert 0 < warn < limit, (record["code"], stage)


def test_the_shipped_catalogue_covers_components_events_and_hotline_matters():
    kinds = {r["kind"] for r in shipped_records()}
    assert kinds == {"component", "event", "hotline"}


def test_shipped_emergencies_have_short_natural_hour_limits():
    emergencies = [r for r in shipped_records() if r["urgency"] == Urgency.EMERGENCY]
    names = {r["name"] for r in emergencies}
    assert {"燃气泄漏", "路面塌陷", "井盖丢失", "火灾隐患"} <= names
    assert all(float(r["handle_limit_hours"]) <= 4 for r in emergencies)


def test_the_shipped_file_passes_the_loaders_own_checks():
    assert len(read_catalogue(DEFAULT_PATH)) == len(shipped_records())


# Loading and history --------------------------------------------------------------------


def test_loading_creates_every_category_with_one_history_row_each():
    counts = load_catalogue()
    total = len(shipped_records())
    assert counts["created"] == total == Category.objects.count()
    assert CategoryChange.objects.filter(note=IMPORTED_NOTE).count() == total
    item = Category.objects.get(code="0101")
    assert item.parent.code == "01"
    assert item.keyword_list() == ["上水井盖", "自来水井盖", "供水井盖", "井盖破损"]


def test_loading_twice_creates_no_new_rows_and_no_new_history():
    load_catalogue()
    categories, changes = Category.objects.count(), CategoryChange.objects.count()
    counts = load_catalogue()
    assert counts["created"] == counts["updated"] == 0
    assert counts["unchanged"] == categories
    assert (Category.objects.count(), CategoryChange.objects.count()) == (categories, changes)


def test_a_changed_row_updates_the_category_and_writes_one_history_row_naming_the_change(
    tmp_path, admin_user
):
    load_catalogue()
    changes = CategoryChange.objects.count()
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    old = "0101,01,上水井盖,component,上水井盖|自来水井盖|供水井盖|井盖破损,normal,department"
    old += ",0.5,1,16,24,"
    assert old in text
    path = tmp_path / "categories.csv"
    path.write_text(text.replace(old, old.replace(",16,24,", ",8,12,")), encoding="utf-8")

    counts = load_catalogue(path, acting_user=admin_user)

    assert counts["updated"] == 1
    category = Category.objects.get(code="0101")
    assert category.limits(Stage.HANDLE) == (8.0, 12.0)
    assert CategoryChange.objects.count() == changes + 1
    change = category.changes.first()
    assert "办理预警" in change.note and "办理时限" in change.note
    assert "签收" not in change.note
    assert change.changed_by == admin_user
    assert change.snapshot["handle_limit_hours"] == 12.0


def test_loading_leaves_a_switched_off_category_switched_off():
    load_catalogue()
    Category.objects.filter(code="0101").update(active=False)
    load_catalogue()
    assert not Category.objects.get(code="0101").active


BAD_FILES = {
    "duplicate code": ([GROUP, ITEM, ITEM.replace("暴露垃圾,", "积存垃圾,", 1)], 4, "编码重复"),
    "unknown parent": ([GROUP, ITEM.replace("0601,06,", "0701,07,")], 3, "上级编码 07 不存在"),
    "warning after limit": ([GROUP, ITEM.replace(",6,8,", ",9,8,")], 3, "办理预警 9 小时晚于时限"),
    "three levels": ([GROUP, ITEM, SUBITEM], 4, "只有大类和小类两级"),
    "bad kind": ([GROUP, ITEM.replace(",event,", ",thing,")], 3, "kind 应为"),
    "bad code": ([GROUP, ITEM.replace("0601,", "6A01,")], 3, "小类编码应为大类编码加 2 位数字"),
}


@pytest.mark.parametrize("rows,line,message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_row_is_rejected_naming_file_and_row_and_nothing_is_written(
    tmp_path, rows, line, message
):
    path = write_csv(tmp_path, *rows)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    text = str(caught.value)
    assert "bad.csv" in text
    assert f"第 {line} 行" in text
    assert message in text
    assert not Category.objects.exists()
    assert not CategoryChange.objects.exists()


def test_a_bad_file_changes_nothing_already_loaded(tmp_path):
    load_catalogue()
    changes = CategoryChange.objects.count()
    path = write_csv(tmp_path, GROUP.replace("市容环境", "市容环境卫生"), ITEM, ITEM)
    with pytest.raises(CatalogueError):
        load_catalogue(path)
    assert Category.objects.get(code="06").name == "市容环境"
    assert CategoryChange.objects.count() == changes


def test_the_command_prints_the_counts(capsys):
    call_command("load_categories")
    out = capsys.readouterr().out
    groups = sum(not r["parent_code"] for r in shipped_records())
    assert f"大类 {groups} 个" in out
    assert f"新增 {Category.objects.count()} 个" in out


def test_the_command_refuses_a_bad_file_and_writes_nothing(tmp_path):
    path = write_csv(tmp_path, GROUP, ITEM, ITEM)
    with pytest.raises(CommandError, match="bad.csv"):
        call_command("load_categories", "--file", str(path))
    assert not Category.objects.exists()


# The admin ------------------------------------------------------------------------------


def change_form(category: Category, **changes) -> dict:
    """What the admin change form posts for a category (the code is read-only there)."""
    fields = ["name", "kind", "keywords", "urgency", "handling_level", *LIMIT_FIELDS]
    data = {field: getattr(category, field) for field in fields}
    data["parent"] = category.parent_id or ""
    if category.active:
        data["active"] = "on"
    return data | changes


@pytest.fixture
def item(tmp_path) -> Category:
    load_catalogue(write_csv(tmp_path, GROUP, ITEM, name="small.csv"))
    return Category.objects.get(code="0601")


def test_saving_a_category_in_the_admin_writes_history_with_the_user_and_the_note(
    admin_client, admin_user, item
):
    url = reverse("admin:cases_category_change", args=[item.pk])
    note = "按区城管委意见缩短办理时限"
    response = admin_client.post(url, change_form(item, handle_limit_hours="6", change_note=note))
    assert response.status_code == 302, response.context["adminform"].form.errors
    item.refresh_from_db()
    assert item.limits(Stage.HANDLE)[1] == 6.0
    change = item.changes.first()
    assert (change.changed_by, change.note) == (admin_user, note)
    assert change.snapshot["handle_limit_hours"] == 6.0
    assert item.changes.count() == 2


def test_saving_a_category_without_a_note_is_refused_with_a_form_error(admin_client, item):
    url = reverse("admin:cases_category_change", args=[item.pk])
    response = admin_client.post(url, change_form(item, handle_limit_hours="6"))
    assert response.status_code == 200
    assert "change_note" in response.context["adminform"].form.errors
    item.refresh_from_db()
    assert item.limits(Stage.HANDLE)[1] == 8.0
    assert item.changes.count() == 1


def test_adding_a_category_in_the_admin_writes_its_first_history_row(
    admin_client, admin_user, item
):
    data = change_form(item, code="0602", name="积存垃圾渣土", change_note="新增小类")
    response = admin_client.post(reverse("admin:cases_category_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Category.objects.get(code="0602")
    change = added.changes.get()
    assert (change.changed_by, change.note) == (admin_user, "新增小类")
    assert change.snapshot["parent"] == "06"


def test_the_admin_refuses_a_warning_after_its_limit(admin_client, item):
    url = reverse("admin:cases_category_change", args=[item.pk])
    data = change_form(item, handle_warn_hours="9", change_note="试一下")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert item.changes.count() == 1


def test_the_change_page_shows_the_history_and_links_to_all_of_it(admin_client, item):
    response = admin_client.get(reverse("admin:cases_category_change", args=[item.pk]))
    page = response.content.decode()
    assert IMPORTED_NOTE in page
    history = reverse("admin:cases_categorychange_changelist") + f"?category={item.pk}"
    assert history in page
    assert admin_client.get(history).status_code == 200


def test_the_history_cannot_be_edited_or_deleted_and_categories_cannot_be_deleted(
    admin_client, item
):
    change = item.changes.first()
    assert admin_client.get(reverse("admin:cases_categorychange_add")).status_code == 403
    url = reverse("admin:cases_categorychange_delete", args=[change.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    url = reverse("admin:cases_category_delete", args=[item.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert CategoryChange.objects.filter(pk=change.pk).exists()


def test_the_admin_lists_filter_by_group(admin_client, item):
    url = reverse("admin:cases_category_changelist")
    response = admin_client.get(url, {"group": item.parent_id})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2


def test_the_responsibility_and_holiday_pages_open_for_a_superuser(admin_client, cast, item):
    Responsibility.objects.create(
        category=item, jurisdiction=cast.street, handler=Handler.SUBDISTRICT
    )
    for name in ["responsibility_changelist", "responsibility_add", "holidayoverride_changelist"]:
        assert admin_client.get(reverse(f"admin:cases_{name}")).status_code == 200, name


def test_the_neighbour_sees_no_responsibility_rule_of_our_street(cast, item):
    ours = Responsibility.objects.create(
        category=item, jurisdiction=cast.street, handler=Handler.SUBDISTRICT
    )
    model_admin = admin.site._registry[Responsibility]

    def visible(user) -> list[Responsibility]:
        request = RequestFactory().get("/")
        request.user = user
        return list(model_admin.get_queryset(request))

    assert visible(cast.dispatcher) == [ours]
    assert visible(cast.neighbour) == []
