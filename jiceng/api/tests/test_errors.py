"""One error format for every status: {"error": {"code", "message", "fields"}}."""

import pytest
from rest_framework.test import APIClient

from jiceng.api.errors import exception_handler


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert set(body) == {"code", "message", "fields"} and not body["message"].isascii()
    return body


def test_each_status_answers_in_the_one_format(cast, reported, api, settings):
    client = api(cast.secretary)
    case = f"/api/v1/cases/{reported.number}/"
    assert error(client.get("/api/v1/cases/?overdue=maybe"), 400)["fields"]["overdue"]
    assert error(APIClient().get("/api/v1/cases/"), 401)["code"] == "not_authenticated"
    assert error(api(cast.grid_worker).post(case + "actions/accept/"), 403)["code"] == "not_allowed"
    assert error(api(cast.neighbour).get(case), 404)["code"] == "not_found"
    assert error(client.get("/api/v1/cases/20261121999999/"), 404)["code"] == "not_found"
    assert error(client.get("/api/v1/nothing-here/"), 404)["code"] == "not_found"
    assert error(client.delete(case), 405)["code"] == "method_not_allowed"
    assert error(client.post(case + "actions/start/"), 409)["code"] == "illegal_transition"
    wrong_type = client.post(case + "actions/accept/", "x", content_type="text/plain")
    assert error(wrong_type, 415)["code"] == "unsupported_media_type"


@pytest.fixture
def limited(settings, monkeypatch):
    """Two requests a minute, at a clock the test moves: 10 s into a minute (the cache of
    counts starts empty in every test: the root conftest's fresh_process_caches)."""
    from jiceng.api.throttles import PerUserThrottle

    settings.JICENG_API_RATE = "2/min"
    clock = {"now": 60 * 29_000_000 + 10.0}
    monkeypatch.setattr(PerUserThrottle, "timer", lambda self: clock["now"])
    return clock


def test_the_rate_limit_answers_429_with_retry_after_until_the_minute_ends(cast, api, limited):
    client = api(cast.dispatcher)
    assert client.get("/api/v1/categories/").status_code == 200
    assert client.get("/api/v1/categories/").status_code == 200
    response = client.get("/api/v1/categories/")
    assert error(response, 429)["code"] == "throttled" and response["Retry-After"] == "50"


def test_the_next_minute_lets_a_limited_user_send_again(cast, api, limited):
    client = api(cast.dispatcher)
    for _ in range(3):
        client.get("/api/v1/categories/")
    limited["now"] += 50
    assert client.get("/api/v1/categories/").status_code == 200


def test_one_users_limit_does_not_refuse_another(cast, api, limited):
    for _ in range(3):
        api(cast.dispatcher).get("/api/v1/categories/")
    assert api(cast.clerk).get("/api/v1/categories/").status_code == 200


@pytest.mark.django_db
def test_an_unexpected_exception_is_a_500_in_the_same_format():
    response = exception_handler(RuntimeError("boom"), {})
    assert response.status_code == 500
    assert response.data["error"]["code"] == "server_error"
    assert "boom" not in str(response.data)
