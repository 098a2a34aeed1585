from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _grids_changed(**_kwargs) -> None:
    # A grid saved anywhere (the admin included) makes the in-memory locate index and the
    # cached map layers stale: forget them once the write is committed.
    from .locate import reset_index

    transaction.on_commit(reset_index)


class JurisdictionsConfig(AppConfig):
    name = "jiceng.jurisdictions"
    verbose_name = _("辖区与网格")

    def ready(self) -> None:
        from .models import Grid

        post_save.connect(_grids_changed, sender=Grid, dispatch_uid="grid-saved")
        post_delete.connect(_grids_changed, sender=Grid, dispatch_uid="grid-deleted")
