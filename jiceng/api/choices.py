"""What an external system's API key may be used for."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Use(models.TextChoices):
    SUBMIT_HOTLINE = "submit_hotline", _("提交12345工单")
    READ = "read", _("查询辖区、事件与统计")
    OPEN311 = "open311", _("Open311 服务请求")
