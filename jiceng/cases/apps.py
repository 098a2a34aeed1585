from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "jiceng.cases"
    verbose_name = _("事件办理")

    def ready(self) -> None:
        from . import calendar, policy

        calendar.connect_signals()
        policy.connect_signals()
