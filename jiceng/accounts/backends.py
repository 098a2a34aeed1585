"""Signing in with a password: Django's own backend, except for external systems."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .choices import Role


class AccountBackend(ModelBackend):
    """An external system's service user acts only through its API key (docs/api.md):
    even if someone gives it a password in the admin, it never signs in with one."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and user.role != Role.EXTERNAL_SYSTEM
