"""API test helpers: a client per cast member (session or token), and an external
system serving 劝业场街道."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from jiceng.api import actions
from jiceng.api.choices import Use


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    """The rate limit counts across tests in one process; only its own test turns it on."""
    settings.JICENG_API_RATE = ""


@pytest.fixture
def api():
    """An API client signed in as someone (force_authenticate: no CSRF, like a token)."""

    def _as(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return _as


@pytest.fixture
def centre(cast):
    """A 12345 centre for 劝业场街道: (the system, its raw key)."""
    return actions.create_external_system(
        name="劝业场12345分中心", area=cast.street, uses=[Use.SUBMIT_HOTLINE, Use.READ]
    )


@pytest.fixture
def centre_client(centre) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=centre[1])
    return client
