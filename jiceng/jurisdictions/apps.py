from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JurisdictionsConfig(AppConfig):
    name = "jiceng.jurisdictions"
    verbose_name = _("辖区与网格")
