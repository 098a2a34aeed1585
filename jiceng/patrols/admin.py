"""Patrol logs in the admin: read by scope, like every list; written on the phone."""

from __future__ import annotations

from django.contrib import admin

from jiceng.lib.admin import ScopedAdmin

from .models import PatrolLog


@admin.register(PatrolLog)
class PatrolLogAdmin(ScopedAdmin):
    """Logs are records of what a worker did: looked up here, never edited (the phone
    form and `actions.log_patrol` check them)."""

    list_display = ["started_at", "grid", "worker", "households_visited", "people_visited"]
    list_select_related = ["grid", "worker"]
    date_hierarchy = "started_at"
    raw_id_fields = ["cases"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
