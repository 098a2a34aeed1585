from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "jiceng.patrols"
    verbose_name = _("网格巡查")
