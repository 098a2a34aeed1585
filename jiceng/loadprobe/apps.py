from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoadProbeConfig(AppConfig):
    name = "jiceng.loadprobe"
    verbose_name = _("压测探针")
