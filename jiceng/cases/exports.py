"""The case list as an Excel file: the rows the user's queue shows, callers masked unless
the user holds the unmask permission and asks for it (and then the export is logged)."""

from __future__ import annotations

import logging

from django.utils import timezone

from jiceng.lib.excel import workbook
from jiceng.lib.masking import mask_name, mask_phone

audit = logging.getLogger("jiceng.audit")
MAX_ROWS = 100_000  # an export is a working list, not a backup
HEADERS = [
    "编号", "来源", "事项类别", "状态", "紧急程度", "社区/村", "街道/乡镇", "处置单位",
    "受理时间", "时限", "黄牌", "红牌", "结案时间", "满意度", "来电人", "来电号码", "描述",
    # What an import needs to place the row again (jiceng/cases/transfer.py reads them).
    "热线工单号", "事项编码", "社区编码", "地址", "经度", "纬度",
]  # fmt: skip


def case_rows(cases, *, unmasked: bool):
    for case in cases[:MAX_ROWS]:
        unit = case.assigned_department or case.assigned_jurisdiction
        name, phone = case.caller_name, case.caller_phone
        if not unmasked:
            name, phone = mask_name(name), mask_phone(phone)
        yield [
            case.number, case.get_source_display(), case.category.name,
            case.get_status_display(), case.get_urgency_display(),
            case.community.name if case.community else "",
            case.subdistrict.name if case.subdistrict else "",
            unit.name if unit else "", _local(case.received_at), _local(case.due_at),
            "是" if case.warned else "", "是" if case.overdue else "", _local(case.closed_at),
            case.get_satisfaction_display(), name, phone, case.description,
            case.hotline_order_no or "", case.category.code,
            case.community.code if case.community else "", case.address, case.lng, case.lat,
        ]  # fmt: skip


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def export_cases(user, cases, *, unmask_requested: bool) -> tuple[bytes, bool]:
    """The workbook and whether it holds unmasked personal data."""
    unmasked = unmask_requested and user.has_perm("accounts.unmask_personal_data")
    listed = cases.select_related(
        "category", "community", "subdistrict", "assigned_jurisdiction", "assigned_department"
    ).defer(
        "community__geometry_wkb",
        "subdistrict__geometry_wkb",
        "assigned_jurisdiction__geometry_wkb",
    )
    data = workbook("事件", HEADERS, case_rows(listed, unmasked=unmasked))
    if unmasked:
        audit.info(
            "personal data unmasked in export: user=%s rows<=%d",
            user.username,
            min(listed.count(), MAX_ROWS),
        )
    return data, unmasked
