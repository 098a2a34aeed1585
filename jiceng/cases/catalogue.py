"""The matter catalogue (事项清单): reading the default CSV, loading it, and its history.

The whole file is checked before anything is written, so dispatch never sees a
half-loaded catalogue. Every category the loader creates or changes gets a CategoryChange
row, exactly as an edit in the admin does (STYLE §5: policy is data, with history).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import IntegrityError, transaction

from .choices import CategoryKind, Handler, Stage, Urgency
from .models import Category, CategoryChange

DEFAULT_PATH = Path(__file__).parent / "data" / "categories.csv"
LIMIT_FIELDS = tuple(
    f"{stage}_{bound}_hours" for stage in Stage.values for bound in ("warn", "limit")
)
COLUMNS = ("code", "parent_code", "name", "kind", "keywords", "urgency", "handling_level")
COLUMNS += LIMIT_FIELDS
# `active` is not in the file: it belongs to the admin, so a reload never switches a
# category back on that someone switched off.
MAX_HOURS = Decimal("9999.99")  # DecimalField(max_digits=6, decimal_places=2)
MAX_KEYWORDS_CHARS = 500
GROUP_CODE = re.compile(r"^\d{2}$")
ITEM_SUFFIX = re.compile(r"^\d{2}$")
# The model splits keywords on commas and spaces (Category.keyword_list), so a keyword
# must not contain them; the file separates keywords with "|" because "," is the CSV's.
KEYWORD_BREAKERS = re.compile(r"[\s,，]")
IMPORTED_NOTE = "从默认清单导入"
UPDATED_NOTE = "默认清单更新："


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, at a line (1 = the header; None = the whole file)."""

    line: int | None
    code: str
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        where = f"第 {self.line} 行" + (f"（编码 {self.code}）" if self.code else "")
        return f"{where}：{self.message}"


class CatalogueError(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.path = Path(path)
        self.problems = problems
        listing = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{self.path}：{len(problems)} 个问题，未写入任何数据\n{listing}")


@dataclass(frozen=True)
class CategoryRow:
    """A checked row of the file; `line` is where it was, for messages."""

    line: int
    code: str
    parent_code: str
    name: str
    kind: str
    keywords: tuple[str, ...]
    urgency: str
    handling_level: str
    limits: tuple[tuple[str, Decimal], ...]

    @property
    def is_group(self) -> bool:
        return not self.parent_code

    def values(self) -> dict:
        """The model fields the file owns, except the parent."""
        return {
            "name": self.name,
            "kind": self.kind,
            "keywords": ",".join(self.keywords),
            "urgency": self.urgency,
            "handling_level": self.handling_level,
            **dict(self.limits),
        }


Record = tuple[int, dict[str, str]]


# Reading -------------------------------------------------------------------------------


def read_catalogue(path: Path | str) -> list[CategoryRow]:
    """Every row of the file, or CatalogueError listing every problem in it."""
    path = Path(path)
    records = _read_records(path)
    problems = _check_tree(records)
    rows = []
    for line, record in records:
        row, row_problems = _parse_row(line, record)
        problems += row_problems
        rows.append(row)
    if problems:
        raise CatalogueError(path, sorted(problems, key=lambda p: p.line or 0))
    return rows


def _read_records(path: Path) -> list[Record]:
    try:
        # utf-8-sig: a file saved from Excel starts with a BOM that would rename "code".
        with path.open(encoding="utf-8-sig", newline="") as f:
            return _records(csv.DictReader(f), path)
    except FileNotFoundError as exc:
        raise CatalogueError(path, [Problem(None, "", "文件不存在")]) from exc
    except UnicodeDecodeError as exc:
        raise CatalogueError(path, [Problem(None, "", "不是 UTF-8 编码")]) from exc


def _records(reader: csv.DictReader, path: Path) -> list[Record]:
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogueError(path, [Problem(1, "", f"缺少列：{'、'.join(missing)}")])
    records = []
    for raw in reader:
        if None in raw or None in raw.values():
            problem = Problem(reader.line_num, "", f"列数应为 {len(reader.fieldnames)}")
            raise CatalogueError(path, [problem])
        records.append((reader.line_num, {k: v.strip() for k, v in raw.items()}))
    return records


# Checking the tree: codes, parents, two levels -----------------------------------------


def _check_tree(records: list[Record]) -> list[Problem]:
    problems = []
    first_line: dict[str, int] = {}
    for line, record in records:
        code = record["code"]
        if code in first_line:
            problems.append(Problem(line, code, f"编码重复（第 {first_line[code]} 行已有）"))
        first_line.setdefault(code, line)
    by_code = {record["code"]: record for _, record in reversed(records)}
    for line, record in records:
        problems += [Problem(line, record["code"], m) for m in _place_problems(record, by_code)]
    return problems + _duplicate_names(records)


def _place_problems(record: dict[str, str], by_code: dict[str, dict[str, str]]) -> list[str]:
    code, parent_code = record["code"], record["parent_code"]
    if not parent_code:
        return [] if GROUP_CODE.match(code) else ["大类编码应为 2 位数字"]
    parent = by_code.get(parent_code)
    if parent is None:
        return [f"上级编码 {parent_code} 不存在"]
    if parent["parent_code"]:
        return [f"事项清单只有大类和小类两级，上级 {parent_code} 本身是小类"]
    problems = []
    if not (code.startswith(parent_code) and ITEM_SUFFIX.match(code[len(parent_code) :])):
        problems.append(f"小类编码应为大类编码加 2 位数字（如 {parent_code}01）")
    if record["kind"] != parent["kind"]:
        problems.append(f"性质 {record['kind']} 与大类 {parent_code} 的 {parent['kind']} 不同")
    return problems


def _duplicate_names(records: list[Record]) -> list[Problem]:
    # Category has a unique (parent, name) constraint; find it here, not as a DB error.
    seen: dict[tuple[str, str], int] = {}
    problems = []
    for line, record in records:
        key = (record["parent_code"], record["name"])
        if key in seen:
            message = f"名称“{record['name']}”在同一大类下重复（第 {seen[key]} 行已有）"
            problems.append(Problem(line, record["code"], message))
        seen.setdefault(key, line)
    return problems


# Checking one row's values -------------------------------------------------------------


def _parse_row(line: int, record: dict[str, str]) -> tuple[CategoryRow, list[Problem]]:
    messages = _choice_problems(record) + _name_problems(record["name"])
    keywords, keyword_problems = _parse_keywords(record["keywords"])
    limits, limit_problems = _parse_limits(record)
    messages += keyword_problems + limit_problems
    row = CategoryRow(
        line=line,
        code=record["code"],
        parent_code=record["parent_code"],
        name=record["name"],
        kind=record["kind"],
        keywords=keywords,
        urgency=record["urgency"],
        handling_level=record["handling_level"],
        limits=limits,
    )
    return row, [Problem(line, record["code"], m) for m in messages]


def _choice_problems(record: dict[str, str]) -> list[str]:
    choices = {"kind": CategoryKind, "urgency": Urgency, "handling_level": Handler}
    return [
        f"{column} 应为 {'/'.join(enum.values)} 之一，而不是“{record[column]}”"
        for column, enum in choices.items()
        if record[column] not in enum.values
    ]


def _name_problems(name: str) -> list[str]:
    if not name:
        return ["名称不能为空"]
    max_length = Category._meta.get_field("name").max_length
    return [f"名称超过 {max_length} 个字"] if len(name) > max_length else []


def _parse_keywords(text: str) -> tuple[tuple[str, ...], list[str]]:
    keywords = tuple(k.strip() for k in text.split("|") if k.strip())
    problems = [
        f"关键词“{k}”不能含空格或逗号，请用 | 分隔" for k in keywords if KEYWORD_BREAKERS.search(k)
    ]
    if len(",".join(keywords)) > MAX_KEYWORDS_CHARS:
        problems.append(f"关键词合计超过 {MAX_KEYWORDS_CHARS} 个字")
    return keywords, problems


def _parse_limits(record: dict[str, str]) -> tuple[tuple[tuple[str, Decimal], ...], list[str]]:
    limits, problems = {}, []
    for column in LIMIT_FIELDS:
        value, problem = _parse_hours(column, record[column])
        limits[column] = value
        if problem:
            problems.append(problem)
    if not problems:
        problems = _order_problems(limits)
    return tuple(limits.items()), problems


def _parse_hours(column: str, text: str) -> tuple[Decimal, str | None]:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return Decimal(0), f"{column} 应为小时数，而不是“{text}”"
    if not value.is_finite() or value <= 0 or value > MAX_HOURS:
        return Decimal(0), f"{column} 应大于 0 且不超过 {MAX_HOURS} 小时"
    if value.as_tuple().exponent < -2:
        return value, f"{column} 最多两位小数"
    return value, None


def _order_problems(limits: dict[str, Decimal]) -> list[str]:
    problems = []
    for stage in Stage:
        warn, limit = limits[f"{stage}_warn_hours"], limits[f"{stage}_limit_hours"]
        if warn > limit:
            problems.append(f"{stage.label}预警 {warn} 小时晚于时限 {limit} 小时")
    return problems


# Loading and history -------------------------------------------------------------------


def load_catalogue(path: Path | str | None = None, *, acting_user=None) -> dict[str, int]:
    """Create missing categories and update changed ones, in one transaction.

    The file wins over edits made in the admin for the fields it holds; categories the
    file does not name are left alone. Unchanged categories get no history row, so
    loading twice changes nothing.
    """
    path = Path(path) if path else DEFAULT_PATH
    rows = read_catalogue(path)
    counts = {"groups": sum(r.is_group for r in rows), "items": sum(not r.is_group for r in rows)}
    counts |= {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        existing = {c.code: c for c in Category.objects.select_related("parent")}
        # Groups first, so every item finds its parent saved.
        for row in sorted(rows, key=lambda r: not r.is_group):
            counts[_apply_row(path, row, existing, acting_user)] += 1
    return counts


def _apply_row(path: Path, row: CategoryRow, existing: dict[str, Category], user) -> str:
    try:
        return _create_or_update(row, existing, user)
    except IntegrityError as exc:
        # A category the file does not name already has this name under the same parent.
        message = f"与数据库中已有的类别冲突（{exc}），未写入任何数据"
        raise CatalogueError(path, [Problem(row.line, row.code, message)]) from exc


def _create_or_update(row: CategoryRow, existing: dict[str, Category], user) -> str:
    parent = existing[row.parent_code] if row.parent_code else None
    category = existing.get(row.code)
    if category is None:
        category = Category.objects.create(code=row.code, parent=parent, **row.values())
        existing[row.code] = category
        record_change(category, user, IMPORTED_NOTE)
        return "created"
    changed = _changed_fields(category, row.values(), parent)
    if not changed:
        return "unchanged"
    for field, value in row.values().items():
        setattr(category, field, value)
    category.parent = parent
    category.save()
    record_change(category, user, UPDATED_NOTE + "、".join(_labels(changed)))
    return "updated"


def _changed_fields(category: Category, values: dict, parent: Category | None) -> list[str]:
    # Decimal("40") == Decimal("40.00"), so hours compare by value, not by spelling.
    changed = [field for field, value in values.items() if getattr(category, field) != value]
    if category.parent_id != (parent.pk if parent else None):
        changed.append("parent")
    return changed


def _labels(fields: list[str]) -> list[str]:
    return [str(Category._meta.get_field(field).verbose_name) for field in fields]


def snapshot(category: Category) -> dict:
    """The category's values as JSON: what the history row says it became."""
    data = {
        "code": category.code,
        "name": category.name,
        "parent": category.parent.code if category.parent_id else None,
        "kind": category.kind,
        "keywords": category.keywords,
        "urgency": category.urgency,
        "handling_level": category.handling_level,
        "active": category.active,
    }
    return data | {field: float(getattr(category, field)) for field in LIMIT_FIELDS}


def record_change(category: Category, user, note: str) -> CategoryChange:
    """Write the history row for a category just saved: who, why, and the values now."""
    max_length = CategoryChange._meta.get_field("note").max_length
    return CategoryChange.objects.create(
        category=category,
        changed_by=user if user is not None and user.is_authenticated else None,
        note=note[:max_length],
        snapshot=snapshot(category),
    )
