"""Who may call the API at all. Which rows and which steps are left to the same
querysets and transitions table as the pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from .choices import Use


def api_client(request):
    """The external system making the request, or None for a person."""
    return getattr(request.user, "api_client", None)


class ApiUser(permissions.IsAuthenticated):
    """Signed in; an external system reads only when its key allows reading."""

    message = _("该外部系统的密钥不允许查询")

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        system = api_client(request)
        if system is None or request.method not in permissions.SAFE_METHODS:
            return True
        return system.allows(Use.READ)
