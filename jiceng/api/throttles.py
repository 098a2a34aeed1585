"""A request rate per user or key (429 beyond it), read from settings at each request so
that tests and deployments can change it.

The count is a fixed window (`jiceng.lib.cache.count`): one counter per user and window,
one round trip to the cache per request. DRF's own throttle keeps every request's time in
a list that it reads, trims and writes back whole on each request (two round trips and a
list as long as the rate). A fixed window lets a client send up to twice the rate across
the boundary of two windows, which is enough to stop a runaway client.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import UserRateThrottle

from jiceng.lib.cache import count


class PerUserThrottle(UserRateThrottle):
    scope = "api"

    def get_rate(self) -> str | None:
        return settings.JICENG_API_RATE or None

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        return count(f"{key}:{window}", self.duration, self.cache) <= self.num_requests

    def wait(self) -> float:
        """Seconds until the current window ends."""
        return self.duration - self.now % self.duration
