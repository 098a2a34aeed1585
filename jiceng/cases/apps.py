from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "jiceng.cases"
    verbose_name = _("事件办理")

    def ready(self) -> None:
        from .calendar import connect_signals

        connect_signals()
