"""Fetch-and-authorise accessor for patrol logs: "missing" and "not yours" both 404."""

from __future__ import annotations

from django.http import Http404

from .models import PatrolLog


def access_patrol_log(user, log_id: int) -> PatrolLog:
    logs = PatrolLog.objects.visible_to(user).select_related("worker", "grid__community")
    log = logs.defer("grid__geometry_wkb", "grid__community__geometry_wkb").filter(pk=log_id)
    found = log.first()
    if found is None:
        raise Http404("没有这条民情日志，或您无权查看")
    return found
