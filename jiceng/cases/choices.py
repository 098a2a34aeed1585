"""Sources, states, stages and the other fixed vocabularies of a case."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    GRID_REPORT = "grid_report", _("网格上报")
    HOTLINE = "hotline", _("12345热线")
    RESIDENT = "resident", _("群众自报")
    PATROL = "patrol", _("巡查发现")
    SENSOR = "sensor", _("物联感知")


class Status(models.TextChoices):
    RECEIVED = "received", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    ACCEPTED = "accepted", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    REPLIED = "replied", _("已反馈")
    VERIFIED = "verified", _("已核查")
    CLOSED = "closed", _("已结案")
    FOLLOWED_UP = "followed_up", _("已回访")
    RETURNED = "returned", _("已退单")
    PARKED = "parked", _("已挂账")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = {
    Status.RECEIVED,
    Status.DISPATCHED,
    Status.ACCEPTED,
    Status.IN_PROGRESS,
    Status.REPLIED,
    Status.VERIFIED,
    Status.RETURNED,
}
DONE_STATUSES = {Status.CLOSED, Status.FOLLOWED_UP}


class Stage(models.TextChoices):
    """The stages that carry a time limit (STYLE: 签收, 办理, 核查)."""

    ACCEPT = "accept", _("签收")
    HANDLE = "handle", _("办理")
    VERIFY = "verify", _("核查")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    EMERGENCY = "emergency", _("特急")


class CategoryKind(models.TextChoices):
    COMPONENT = "component", _("部件")
    EVENT = "event", _("事件")
    HOTLINE = "hotline", _("热线诉求")


class Handler(models.TextChoices):
    """Who handles a matter: the community itself, its subdistrict, or a department."""

    COMMUNITY = "community", _("社区/村")
    SUBDISTRICT = "subdistrict", _("街道/乡镇")
    DEPARTMENT = "department", _("职能部门")


class ResolvedLevel(models.TextChoices):
    """Where a matter was finally resolved: 小事不出村、大事不出镇."""

    GRID = "grid", _("网格")
    COMMUNITY = "community", _("社区/村")
    SUBDISTRICT = "subdistrict", _("街道/乡镇")
    DISTRICT = "district", _("区")
    CITY = "city", _("市")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class WhistleReason(models.TextChoices):
    BEYOND_POWER = "beyond_power", _("超出街道职权")
    JOINT_ENFORCEMENT = "joint_enforcement", _("需要联合执法")
    EMERGENCY = "emergency", _("突发紧急情况")


class PhotoStage(models.TextChoices):
    REPORT = "report", _("上报照片")
    AFTER = "after", _("处置后照片")
    REPLY = "reply", _("反馈照片")
    VERIFY = "verify", _("核查照片")


class NotificationKind(models.TextChoices):
    ASSIGNMENT = "assignment", _("新派单")
    WARNING = "warning", _("黄牌预警")
    OVERDUE = "overdue", _("红牌超期")
    WHISTLE = "whistle", _("吹哨")
    RETURN = "return", _("退单")
    RATING = "rating", _("评价")
    URGE = "urge", _("催办")
    SUPERVISE = "supervise", _("督办")
    VERIFY = "verify", _("待核查")
