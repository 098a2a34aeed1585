"""Excel workbooks for exports (openpyxl, write-only: rows stream to the file)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    """One sheet of a workbook; `formats` gives a column (0-based) an Excel number
    format, e.g. {3: "0.0%"} to show 0.8333 as 83.3% while the cell keeps the number."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    formats: dict[int, str] = field(default_factory=dict)


def workbook(title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """One sheet: a bold header row, then the rows; returns the .xlsx file's bytes."""
    return workbook_of([Sheet(title, headers, rows)])


def workbook_of(sheets: Iterable[Sheet]) -> bytes:
    """Several sheets, each with a bold header row; returns the .xlsx file's bytes."""
    book = Workbook(write_only=True)
    for spec in sheets:
        _write_sheet(book.create_sheet(spec.title[:31]), spec)  # Excel's limit on names
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_sheet(sheet, spec: Sheet) -> None:
    bold = Font(bold=True)
    header = []
    for text in spec.headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in spec.rows:
        sheet.append(_formatted(sheet, list(row), spec.formats) if spec.formats else list(row))


def _formatted(sheet, row: list, formats: dict[int, str]) -> list:
    for index, number_format in formats.items():
        if index < len(row) and row[index] is not None:
            row[index] = WriteOnlyCell(sheet, value=row[index])
            row[index].number_format = number_format
    return row


def read_rows(data: bytes, sheet: int = 0) -> list[tuple]:
    """The rows of one sheet, the first by default (tests and the scope walker read
    exports with it)."""
    from openpyxl import load_workbook

    found = load_workbook(io.BytesIO(data), read_only=True).worksheets[sheet]
    return [tuple(row) for row in found.iter_rows(values_only=True)]
