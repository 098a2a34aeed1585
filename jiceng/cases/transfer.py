"""Import of historic cases from Excel (a 12345 centre's monthly export, or jiceng's own
queue export): check every row, then write them all in one transaction, or nothing.

Rules kept on the bulk path: each case is located (point, else the community code) like
intake does; the importing user may import only into their own area; the order number
(热线工单号, else the case number 编号) makes a row idempotent: a row already imported is
reported as skipped, never duplicated. Imported cases are history: they are not
dispatched again (an open one waits in the dispatcher's manual queue), each gets one
"imported" timeline row, and the rollups of the days they touch are rebuilt from the case
rows. This module checks; the writing is the action `import_case_rows` (actions.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jiceng.accounts.choices import Role
from jiceng.accounts.scope import scope_for
from jiceng.lib.importreport import FileUnreadable, Report, RowError, read_sheet

from .actions import Place, import_case_rows, place_of
from .choices import Satisfaction, Source, Status
from .models import Case, Category, id_of_number

audit = logging.getLogger("jiceng.audit")
IMPORTERS = {Role.SUBDISTRICT_DISPATCHER, Role.DISTRICT_LEADER, Role.CITY_LEADER}
IMPORTABLE = {Status.RECEIVED, Status.CLOSED, Status.FOLLOWED_UP}
KEY_COLUMNS = ("热线工单号", "编号")
CATEGORY_COLUMNS = ("事项编码", "事项类别")
REQUIRED = ("受理时间", "描述", "状态")
MAX_TEXT = {"热线工单号": 40, "地址": 200, "来电人": 50, "来电号码": 20}


def may_import_cases(user) -> bool:
    """Dispatchers and leaders for their area; system admins anywhere."""
    scope = scope_for(user)
    return scope.everything or (user.role in IMPORTERS and scope.path is not None)


@dataclass
class CaseRow:
    """A checked row, ready to become a Case."""

    row: int
    key: str
    source: str
    category: Category
    status: str
    received_at: datetime
    closed_at: datetime | None
    satisfaction: str
    description: str
    address: str
    caller_name: str
    caller_phone: str
    place: Place


# Checking ------------------------------------------------------------------------------


def check_cases(data: bytes, user) -> tuple[Report, list[CaseRow]]:
    """Every row checked; the report names each problem's row and column and lists rows
    already imported (skipped). Rows come back only when there is no problem."""
    report = Report("cases")
    try:
        header, raw = read_sheet(data)
    except FileUnreadable as exc:
        report.errors.append(RowError(None, "", str(exc)))
        return report, []
    missing = _missing_columns(header)
    if missing:
        report.errors.append(RowError(1, "", f"缺少列：{'、'.join(missing)}"))
        return report, []
    report.rows = len(raw)
    reader = _Reader(user)
    rows = [r for n, values in raw if (r := reader.row(n, dict(zip(header, values, strict=False))))]
    report.errors = reader.errors
    done = _already_imported([r.key for r in rows])
    report.skipped = [r.key for r in rows if r.key in done]
    return report, [r for r in rows if r.key not in done] if not report.errors else []


def _missing_columns(header: list[str]) -> list[str]:
    missing = [c for c in REQUIRED if c not in header]
    for group in (KEY_COLUMNS, CATEGORY_COLUMNS):
        if not any(c in header for c in group):
            missing.append("或".join(group))
    return missing


class _Reader:
    """Parses rows one by one, remembering keys seen and what it looked up."""

    def __init__(self, user):
        self.user = user
        self.scope = scope_for(user)
        self.errors: list[RowError] = []
        self.seen: dict[str, int] = {}
        categories = list(Category.objects.select_related("parent"))
        self.by_code = {c.code: c for c in categories}
        self.by_name: dict[str, list[Category]] = {}
        for c in categories:
            self.by_name.setdefault(c.name, []).append(c)
        self.hints: dict[str, Place] = {}

    def fail(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def row(self, n: int, cells: dict) -> CaseRow | None:
        before = len(self.errors)
        key = self.key(n, cells)
        category = self.category(n, cells)
        status = self.status(n, cells)
        received_at = self.moment(n, cells, "受理时间", required=True)
        closed_at = self.moment(n, cells, "结案时间", required=status in IMPORTABLE - {"received"})
        satisfaction = self.satisfaction(n, cells, status)
        description = _text(cells.get("描述"))
        if not description:
            self.fail(n, "描述", "不能为空")
        self.times(n, status, received_at, closed_at)
        texts = {c: self.text(n, cells, c) for c in ("地址", "来电人", "来电号码")}
        place = self.place(n, cells)
        if len(self.errors) > before:
            return None
        return CaseRow(n, key, self.source(cells), category, status, received_at, closed_at,
                       satisfaction, description, texts["地址"], texts["来电人"],
                       texts["来电号码"], place)  # fmt: skip

    def key(self, n: int, cells: dict) -> str:
        column = next((c for c in KEY_COLUMNS if _text(cells.get(c))), KEY_COLUMNS[0])
        key = _text(cells.get(column))
        if not key:
            self.fail(n, column, "热线工单号（或编号）不能为空")
        elif len(key) > MAX_TEXT["热线工单号"]:
            self.fail(n, column, f"超过 {MAX_TEXT['热线工单号']} 个字符")
        elif key in self.seen:
            self.fail(n, column, f"工单号 {key} 在文件中重复（第 {self.seen[key]} 行已有）")
        self.seen.setdefault(key, n)
        return key

    def category(self, n: int, cells: dict) -> Category | None:
        code = _text(cells.get("事项编码"))
        if code:
            found = self.by_code.get(code)
            if found is None:
                self.fail(n, "事项编码", f"事项编码 {code} 不存在")
            return found
        name = _text(cells.get("事项类别"))
        matches = self.by_name.get(name, [])
        if len(matches) != 1:
            problem = "不存在" if not matches else "对应多个类别，请填写事项编码"
            self.fail(n, "事项类别", f"“{name}”{problem}" if name else "事项编码或事项类别不能为空")
            return None
        return matches[0]

    def status(self, n: int, cells: dict) -> str:
        text = _text(cells.get("状态"))
        status = _choice(Status, text)
        if status not in IMPORTABLE:
            allowed = "/".join(str(Status(s).label) for s in sorted(IMPORTABLE))
            self.fail(n, "状态", f"只能导入 {allowed} 的事件，而不是“{text}”")
        return status or ""

    def satisfaction(self, n: int, cells: dict, status: str) -> str:
        text = _text(cells.get("满意度"))
        if not text:
            return ""
        value = _choice(Satisfaction, text)
        if value is None:
            allowed = "/".join(str(label) for label in Satisfaction.labels)
            self.fail(n, "满意度", f"应为 {allowed} 之一，而不是“{text}”")
        elif status == Status.RECEIVED:
            self.fail(n, "满意度", "未结案的事件不能有满意度")
        return value or ""

    def moment(self, n: int, cells: dict, column: str, required: bool) -> datetime | None:
        value = cells.get(column)
        if value in (None, ""):
            if required:
                self.fail(n, column, "不能为空")
            return None
        moment = value if isinstance(value, datetime) else parse_datetime(_text(value))
        if moment is None:
            self.fail(n, column, f"应为日期时间（如 2026-11-01 09:30），而不是“{value}”")
            return None
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment

    def times(self, n: int, status: str, received_at, closed_at) -> None:
        if status == Status.RECEIVED and closed_at is not None:
            self.fail(n, "结案时间", "未结案的事件不能有结案时间")
        if received_at and closed_at and closed_at < received_at:
            self.fail(n, "结案时间", "结案时间早于受理时间")
        if received_at and received_at > timezone.now():
            self.fail(n, "受理时间", "受理时间在将来")

    def text(self, n: int, cells: dict, column: str) -> str:
        text = _text(cells.get(column))
        if len(text) > MAX_TEXT[column]:
            self.fail(n, column, f"超过 {MAX_TEXT[column]} 个字符")
        return text

    def place(self, n: int, cells: dict) -> Place | None:
        before = len(self.errors)
        lng, lat = self.number(n, cells, "经度"), self.number(n, cells, "纬度")
        if len(self.errors) > before:
            return None
        if (lng is None) != (lat is None):
            self.fail(n, "经度" if lng is None else "纬度", "经度和纬度须同时填写")
            return None
        hint = _text(cells.get("社区编码"))
        place = place_of(lng, lat, hint=hint) if lng is not None else self.hinted(hint)
        if not place.path:
            column = "社区编码" if hint or lng is None else "经度"
            self.fail(n, column, "无法定位：坐标不在任何网格内，且社区编码为空或不存在")
        elif not self.scope.everything and not place.path.startswith(self.scope.path or "-"):
            self.fail(n, column_of(lng), "不在您的辖区内，不能导入")
        return place

    def hinted(self, code: str) -> Place:
        if code not in self.hints:  # one query per community, not per row
            self.hints[code] = place_of(None, None, hint=code)
        return self.hints[code]

    def number(self, n: int, cells: dict, column: str) -> float | None:
        value = cells.get(column)
        if value in (None, ""):
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            self.fail(n, column, f"应为数字，而不是“{value}”")
            return None

    def source(self, cells: dict) -> str:
        return _choice(Source, _text(cells.get("来源"))) or Source.HOTLINE


def column_of(lng) -> str:
    return "经度" if lng is not None else "社区编码"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a spreadsheet turns 120101001001 into a number
    return str(value).strip()


def _choice(enum, text: str) -> str | None:
    """The value for a label (已结案) or the value itself (closed); None if neither."""
    for value, label in enum.choices:
        if text in (value, str(label)):
            return value
    return None


def _already_imported(keys: list[str]) -> set[str]:
    """Keys of rows whose case exists: by hotline order number, or by case number."""
    done = set()
    for start in range(0, len(keys), 500):  # stay under SQLite's parameter limit
        chunk = keys[start : start + 500]
        done |= set(
            Case.objects.filter(hotline_order_no__in=chunk).values_list(
                "hotline_order_no", flat=True
            )
        )
        ids = {id_of_number(k): k for k in chunk if id_of_number(k) is not None}
        for pk, received in Case.objects.filter(pk__in=ids).values_list("pk", "received_at"):
            number = f"{timezone.localtime(received):%Y%m%d}{pk:08d}"
            if ids[pk] == number:
                done.add(number)
    return done


# Writing -------------------------------------------------------------------------------


def import_cases(
    data: bytes, *, acting_user, dry_run: bool = False, rebuild: bool = True
) -> Report:
    """Check the workbook, then write every new row in one transaction (or nothing)."""
    report, rows = check_cases(data, acting_user)
    if report.ok and rows and not dry_run:
        import_case_rows(rows, acting_user=acting_user, rebuild=rebuild)
        report.created, report.written = len(rows), True
    audit.info(
        "cases import: user=%s rows=%d errors=%d created=%d skipped=%d",
        acting_user.username, report.rows, len(report.errors), report.created,
        len(report.skipped),
    )  # fmt: skip
    return report
