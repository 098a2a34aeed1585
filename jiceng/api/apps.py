from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "jiceng.api"
    verbose_name = _("开放接口")

    def ready(self) -> None:
        from . import schema_extensions  # noqa: F401  (registers the auth schemes)
