from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "jiceng.dashboards"
    verbose_name = _("统计与排名")
