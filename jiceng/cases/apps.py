from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "jiceng.cases"
    verbose_name = _("事件办理")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from jiceng.jurisdictions.models import Jurisdiction

        from . import actions, calendar, policy

        calendar.connect_signals()
        policy.connect_signals()
        # Cached jurisdiction objects on the intake path must not outlive a rename or move.
        for signal in (post_save, post_delete):
            signal.connect(
                actions.reset_places,
                sender=Jurisdiction,
                dispatch_uid=f"jiceng-places-{signal is post_save}",
            )
