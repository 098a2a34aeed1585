"""The per-row error report every import shares (Excel cases and categories, GeoJSON grids).

An import checks the whole file first; when any row is bad nothing is written and the
user gets this report: each problem with its row (the spreadsheet's row number, or the
feature's 1-based position in a GeoJSON file), its column and a Chinese message. The same
report is JSON for the API, a table on the page and an annotated copy of the uploaded
workbook with an "错误" column.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill

ERROR_HEADER = "错误"
MAX_ROWS = 100_000  # an import larger than this is a migration, done in parts


@dataclass(frozen=True)
class RowError:
    """One problem: row None means the whole file (a missing column, an unreadable file)."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row is not None else "文件"
        column = f"“{self.column}”列" if self.column else ""
        return f"{where}{column}：{self.message}"


@dataclass
class Report:
    """What an import did or would do; `errors` empty means the file was (or can be) written."""

    kind: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)  # keys already imported
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "ok": self.ok,
            "written": self.written,
            "created": self.created,
            "updated": self.updated,
            "skipped": list(self.skipped),
            "errors": [asdict(e) for e in self.errors],
        }

    def summary(self) -> str:
        if self.errors:
            return f"{self.rows} 行中有 {len(self.errors)} 个问题，未写入任何数据"
        parts = [f"共 {self.rows} 行", f"新建 {self.created}", f"更新 {self.updated}"]
        if self.skipped:
            parts.append(f"已导入过而跳过 {len(self.skipped)}")
        return "，".join(parts)

    def text(self) -> str:
        """For commands: the summary, then one line per problem."""
        return "\n".join([self.summary(), *(f"  {e}" for e in self.errors)])


class FileUnreadable(Exception):
    """Not an .xlsx workbook; carries the report's one whole-file error."""


def read_sheet(data: bytes) -> tuple[list[str], list[tuple[int, tuple]]]:
    """The header (stripped strings) and the non-empty rows with their row numbers."""
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileUnreadable("不是有效的 Excel (.xlsx) 文件") from exc
    rows = sheet.iter_rows(values_only=True)
    header = [str(v).strip() if v is not None else "" for v in next(rows, ())]
    found = []
    for number, values in enumerate(rows, start=2):
        if any(v not in (None, "") for v in values):
            found.append((number, values))
        if len(found) > MAX_ROWS:
            raise FileUnreadable(f"超过 {MAX_ROWS} 行，请分批导入")
    return header, found


def annotated(data: bytes, errors: list[RowError]) -> bytes:
    """A copy of the uploaded workbook with an "错误" column saying what is wrong in each
    bad row (whole-file problems go on the header row), bad rows shaded."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    column = sheet.max_column + 1
    if sheet.cell(1, sheet.max_column).value == ERROR_HEADER:
        column -= 1  # re-uploading an annotated copy replaces its notes, never stacks them
    by_row: dict[int, list[str]] = defaultdict(list)
    for error in errors:
        text = f"{error.column}：{error.message}" if error.column else error.message
        by_row[error.row or 1].append(text)
    header = sheet.cell(1, column, ERROR_HEADER)
    header.font = Font(bold=True, color="C00000")
    shade = PatternFill("solid", fgColor="FDE9E7")
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, column, "；".join(by_row.get(row, [])) or None)
        if row in by_row:
            for cell in sheet[row]:
                cell.fill = shade
    if 1 in by_row:
        header.value = f"{ERROR_HEADER}：{'；'.join(by_row[1])}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
