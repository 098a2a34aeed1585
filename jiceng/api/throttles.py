"""A request rate per user or key (429 beyond it), read from settings at each request so
that tests and deployments can change it."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class PerUserThrottle(UserRateThrottle):
    scope = "api"

    def get_rate(self) -> str | None:
        return settings.JICENG_API_RATE or None

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
