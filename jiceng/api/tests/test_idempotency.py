"""Idempotency-Key: one write per key, the first answer replayed, a reused key refused."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from jiceng.api.models import IdempotencyKey
from jiceng.cases.models import Case
from jiceng.cases.tests.fixtures import IN_GRID

BODY = {
    "source": "grid_report",
    "category": "0601",
    "description": "路口垃圾",
    "lng": IN_GRID[0],
    "lat": IN_GRID[1],
}


def test_the_same_key_and_body_replay_the_first_answer_without_a_second_write(cast, rules, api):
    client = api(cast.grid_worker)
    first = client.post("/api/v1/cases/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/cases/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_with_422(cast, rules, api):
    client = api(cast.grid_worker)
    client.post("/api/v1/cases/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = BODY | {"description": "另一处垃圾"}
    response = client.post("/api/v1/cases/", other, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_another_users_key_is_theirs_alone(cast, rules, api):
    api(cast.grid_worker).post("/api/v1/cases/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k")
    body = BODY | {"source": "patrol"}
    response = api(cast.secretary).post(
        "/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 201 and Case.objects.count() == 2


def test_a_refused_request_keeps_no_key_so_the_fixed_request_may_use_it(cast, rules, api):
    client = api(cast.grid_worker)
    bad = client.post(
        "/api/v1/cases/", BODY | {"category": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    assert bad.status_code == 400 and not IdempotencyKey.objects.exists()
    good = client.post("/api/v1/cases/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert good.status_code == 201


def test_actions_honour_the_key_too(cast, reported, api):
    client, url = api(cast.secretary), f"/api/v1/cases/{reported.number}/actions/accept/"
    first = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="a-1")
    again = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="a-1")
    assert first.status_code == again.status_code == 200  # not a 409 for the retry
    assert reported.events.filter(action="accept").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_make_one_case(cast, rules):
    from jiceng.api.actions import create_token

    _token, raw = create_token(cast.grid_worker, name="并发")
    answers, start = [], threading.Barrier(2)

    def send():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}", HTTP_IDEMPOTENCY_KEY="race")
        start.wait()
        try:
            answers.append(client.post("/api/v1/cases/", BODY, format="json"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["number"] == answers[1].json()["number"]
    assert Case.objects.count() == 1 and IdempotencyKey.objects.count() == 1
