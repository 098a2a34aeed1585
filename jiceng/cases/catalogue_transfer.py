"""The matter catalogue (事项清单) to and from Excel, for system admins.

The layout is one row per 大类/小类 with the CSV loader's fields plus `启用`. Import checks
every row with the CSV loader's rules (catalogue.py) and names the row and column of each
problem; any problem and nothing is written. Changes keep history (CategoryChange) like
the loader's, with an "Excel 导入" note.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from jiceng.lib.excel import workbook
from jiceng.lib.importreport import FileUnreadable, Report, RowError, read_sheet

from . import catalogue as csvfile
from .choices import CategoryKind, Handler, Urgency
from .models import Category

audit = logging.getLogger("jiceng.audit")
# (field, header): the header is what a person sees; the field what catalogue.py checks.
COLUMNS = [
    ("code", "编码"), ("parent_code", "上级编码"), ("name", "名称"), ("kind", "性质"),
    ("keywords", "关键词"), ("urgency", "紧急程度"), ("handling_level", "处置层级"),
    *[(f, str(Category._meta.get_field(f).verbose_name)) for f in csvfile.LIMIT_FIELDS],
    ("active", "启用"),
]  # fmt: skip
HEADER_OF = dict(COLUMNS)
CHOICES = {"kind": CategoryKind, "urgency": Urgency, "handling_level": Handler}
YES, NO = {"是", "1", "true", "yes", "y", "启用"}, {"否", "0", "false", "no", "n", "停用"}
NOTE = "Excel 导入"


# Export --------------------------------------------------------------------------------


def export_categories(*, acting_user=None) -> bytes:
    """The whole catalogue, 大类 before their 小类, in the layout import reads."""
    categories = Category.objects.select_related("parent").order_by("code")
    rows = [_row(c) for c in categories]
    audit.info("categories exported: user=%s rows=%d", _who(acting_user), len(rows))
    return workbook("事项清单", [h for _, h in COLUMNS], rows)


def _row(c: Category) -> list:
    limits = [float(getattr(c, f)) for f in csvfile.LIMIT_FIELDS]
    parent = c.parent.code if c.parent_id else ""
    keywords = "|".join(c.keyword_list())
    return [c.code, parent, c.name, c.kind, keywords, c.urgency, c.handling_level, *limits,
            "是" if c.active else "否"]  # fmt: skip


def _who(user) -> str:
    return user.username if user is not None and user.is_authenticated else "-"


# Checking ------------------------------------------------------------------------------


def check_categories(data: bytes) -> tuple[Report, list[csvfile.CategoryRow], dict[str, bool]]:
    """Every row checked; the report lists each problem with its row and column."""
    report = Report("categories")
    try:
        header, raw = read_sheet(data)
    except FileUnreadable as exc:
        report.errors.append(RowError(None, "", str(exc)))
        return report, [], {}
    missing = [h for _, h in COLUMNS if h not in header]
    if missing:
        report.errors.append(RowError(1, "", f"缺少列：{'、'.join(missing)}"))
        return report, [], {}
    records = [(n, _record(header, values)) for n, values in raw]
    report.rows = len(records)
    report.errors += _tree_errors(records)
    rows, active = [], {}
    for number, record in records:
        row, errors = _parse(number, record)
        report.errors += errors
        rows.append(row)
        active[row.code] = record["active"] not in NO
        if record["active"] not in YES | NO | {""}:
            report.errors.append(_error(number, "active", "应为“是”或“否”"))
    report.errors.sort(key=lambda e: (e.row or 0, e.column))
    return report, rows, active


def _record(header: list[str], values: tuple) -> dict[str, str]:
    cells = dict(zip(header, values, strict=False))
    record = {field: _text(cells.get(title)) for field, title in COLUMNS}
    for field, enum in CHOICES.items():  # a person may write 一般 for normal
        record[field] = {str(label): value for value, label in enum.choices}.get(
            record[field], record[field]
        )
    return record


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _error(row: int, field: str, message: str) -> RowError:
    return RowError(row, HEADER_OF[field], message)


def _tree_errors(records: list[tuple[int, dict]]) -> list[RowError]:
    # catalogue.py checks codes, parents and names with its own wording; each of its
    # problems is about the code or parent column, or the name for duplicate names.
    errors = []
    for problem in csvfile._check_tree(records):
        field = "name" if "名称" in problem.message else "code"
        if "上级" in problem.message or "性质" in problem.message:
            field = "parent_code" if "上级" in problem.message else "kind"
        errors.append(_error(problem.line, field, problem.message))
    return errors


def _parse(number: int, record: dict[str, str]) -> tuple[csvfile.CategoryRow, list[RowError]]:
    errors = [_error(number, "name", m) for m in csvfile._name_problems(record["name"])]
    for field, enum in CHOICES.items():
        if record[field] not in enum.values:
            allowed = "/".join(str(label) for label in enum.labels)
            errors.append(_error(number, field, f"应为 {allowed} 之一，而不是“{record[field]}”"))
    keywords, messages = csvfile._parse_keywords(record["keywords"])
    errors += [_error(number, "keywords", m) for m in messages]
    limits = {}
    for field in csvfile.LIMIT_FIELDS:
        value, message = csvfile._parse_hours(field, record[field])
        limits[field] = value
        if message:
            errors.append(_error(number, field, message.replace(field, "").strip()))
    if not any(e.column in {HEADER_OF[f] for f in limits} for e in errors):
        errors += [_error(number, "handle_limit_hours", m) for m in csvfile._order_problems(limits)]
    row = csvfile.CategoryRow(number, record["code"], record["parent_code"], record["name"],
                              record["kind"], keywords, record["urgency"],
                              record["handling_level"], tuple(limits.items()))  # fmt: skip
    return row, errors


# Import --------------------------------------------------------------------------------


def import_categories(data: bytes, *, acting_user=None, dry_run: bool = False) -> Report:
    """Check the workbook, then create and update its categories in one transaction."""
    report, rows, active = check_categories(data)
    if report.errors or dry_run:
        _log(report, acting_user)
        return report
    try:
        with transaction.atomic():
            existing = {c.code: c for c in Category.objects.select_related("parent")}
            for row in sorted(rows, key=lambda r: not r.is_group):  # groups first
                _apply(row, active[row.code], existing, acting_user, report)
    except IntegrityError as exc:
        # A category the file does not name already has this name under the same parent.
        report.created = report.updated = 0
        report.errors.append(RowError(None, "名称", f"与数据库中已有的类别冲突：{exc}"))
    report.written = not report.errors
    _log(report, acting_user)
    return report


def _apply(row, active: bool, existing: dict[str, Category], user, report: Report) -> None:
    parent = existing[row.parent_code] if row.parent_code else None
    values = row.values() | {"active": active}
    category = existing.get(row.code)
    if category is None:
        category = Category.objects.create(code=row.code, parent=parent, **values)
        existing[row.code] = category
        csvfile.record_change(category, user, NOTE)
        report.created += 1
        return
    changed = csvfile._changed_fields(category, values, parent)
    if not changed:
        return
    for field, value in values.items():
        setattr(category, field, value)
    category.parent = parent
    category.save()
    csvfile.record_change(category, user, f"{NOTE}：{'、'.join(csvfile._labels(changed))}")
    report.updated += 1


def _log(report: Report, user) -> None:
    audit.info(
        "categories import: user=%s rows=%d errors=%d created=%d updated=%d",
        _who(user), report.rows, len(report.errors), report.created, report.updated,
    )  # fmt: skip
