"""The dashboard's two monthly rankings as one Excel workbook: a sheet for the node's
children and one for the departments. Units and rates only: no personal data."""

from __future__ import annotations

from datetime import date

from jiceng.jurisdictions.choices import CHILD_LEVEL, Level
from jiceng.jurisdictions.models import Jurisdiction
from jiceng.lib.excel import Sheet, workbook_of

from .kpis import KPI

PERCENT = "0.0%"
PERCENT_COLUMNS = {n: PERCENT for n in (5, 6, 7, 8, 9, 11)}  # the rates and the score
CHILD_LABELS = {Level.DISTRICT: "区", Level.SUBDISTRICT: "街道乡镇", Level.COMMUNITY: "社区村"}
RATES = ["响应率", "解决率", "满意率", "按期结案率"]
TERRITORIAL_HEADERS = ["排名", "名称", "区划代码", "受理", "派单", *RATES, "自处置率",
                       "平均办理时长(小时)", "综合得分"]  # fmt: skip
DEPARTMENT_HEADERS = ["排名", "部门", "派单", "签收", "结案", *RATES, "报到及时率",
                      "下考上评分", "综合得分"]  # fmt: skip


def _rates(k: KPI) -> list:
    return [k.response_rate, k.resolution_rate, k.satisfaction_rate, k.on_time_closure_rate]


def territorial_rows(table: list[KPI]):
    for rank, k in enumerate(table, 1):
        yield [rank, k.name, k.node.code, k.c("received"), k.c("dispatched"), *_rates(k),
               k.self_resolved_share, k.average_handling_hours, k.composite]  # fmt: skip


def department_rows(table: list[KPI]):
    for rank, k in enumerate(table, 1):
        yield [rank, k.name, k.c("dispatched"), k.c("accepted"), k.c("closed"), *_rates(k),
               k.report_in_on_time_rate, k.bottom_up_score, k.composite]  # fmt: skip


def rankings_workbook(
    node: Jurisdiction, month: date, children: list[KPI], departments: list[KPI]
) -> bytes:
    label = CHILD_LABELS.get(CHILD_LEVEL.get(Level(node.level)), "下级")
    sheets = [
        Sheet(
            f"{label}排名 {month:%Y-%m}",
            TERRITORIAL_HEADERS,
            territorial_rows(children),
            PERCENT_COLUMNS,
        ),
        Sheet(
            f"部门排名 {month:%Y-%m}",
            DEPARTMENT_HEADERS,
            department_rows(departments),
            PERCENT_COLUMNS,
        ),
    ]
    return workbook_of(sheets)
