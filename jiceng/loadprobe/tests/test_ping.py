"""POST /api/v1/bench/ping: one row for an authenticated caller, and only when turned on."""

from __future__ import annotations

import pytest

from jiceng.api.actions import create_token
from jiceng.loadprobe.actions import clear_pings
from jiceng.loadprobe.models import Ping

pytestmark = pytest.mark.django_db

PING = "/api/v1/bench/ping/"


@pytest.fixture
def probe_on(settings):
    settings.JICENG_LOAD_PROBE = True
    settings.JICENG_API_RATE = ""


def post(client, raw: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Token {raw}"} if raw else {}
    return client.post(PING, "{}", content_type="application/json", **headers)


def test_a_ping_with_a_token_inserts_one_row_for_its_owner(client, cast, probe_on):
    _, raw = create_token(cast.grid_worker, name="压测")
    response = post(client, raw)
    assert response.status_code == 201
    ping = Ping.objects.get()
    assert response.json() == {"id": ping.pk}
    assert ping.user == cast.grid_worker


def test_a_ping_costs_the_token_lookup_and_the_insert_only(
    client, cast, probe_on, django_assert_max_num_queries
):
    _, raw = create_token(cast.neighbour, name="压测")
    post(client, raw)  # the first request of a process may warm caches
    with django_assert_max_num_queries(4):
        assert post(client, raw).status_code == 201


def test_the_probe_refuses_a_caller_without_credentials(client, probe_on):
    assert post(client, None).status_code in (401, 403)
    assert post(client, "jct_not-a-real-token").status_code == 401
    assert not Ping.objects.exists()


def test_the_probe_is_not_there_unless_turned_on(client, cast, settings):
    settings.JICENG_LOAD_PROBE = False
    _, raw = create_token(cast.grid_worker, name="压测")
    assert post(client, raw).status_code == 404
    assert post(client, None).status_code == 404
    assert not Ping.objects.exists()


def test_the_probe_answers_only_posts(client, cast, probe_on):
    _, raw = create_token(cast.grid_worker, name="压测")
    response = client.get(PING, HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 405
    assert not Ping.objects.exists()


def test_clearing_the_pings_deletes_every_row(client, cast, probe_on):
    _, raw = create_token(cast.grid_worker, name="压测")
    for _ in range(3):
        post(client, raw)
    assert clear_pings() == 3
    assert not Ping.objects.exists()
