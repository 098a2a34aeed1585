"""Photos through the API: a token or key caller downloads the photo the case detail
points at, with its type and a private cache; a missing case, a foreign case and a
photo of another case all answer the same 404."""

import pytest
from rest_framework.test import APIClient

from jiceng.api.actions import create_token
from jiceng.cases import actions
from jiceng.cases.tests.fixtures import IN_GRID, IN_OTHER_GRID, JPEG


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def token_client(user) -> APIClient:
    _token, raw = create_token(user, name="照片下载")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def photo_url(case, photo=None) -> str:
    photo = photo or case.photos.get()
    return f"/api/v1/cases/{case.number}/photos/{photo.pk}/"


def with_photo(worker, point, catalogue, text: str):
    return actions.report_by_grid_worker(
        acting_user=worker,
        category=catalogue["garbage"],
        lng=point[0],
        lat=point[1],
        description=text,
        photos_in=[("b.jpg", JPEG)],
    )


def test_a_token_caller_downloads_the_photo_the_detail_points_at(cast, reported):
    client = token_client(cast.secretary)
    detail = client.get(f"/api/v1/cases/{reported.number}/").json()
    assert detail["photos"][0]["url"] == photo_url(reported)
    response = client.get(detail["photos"][0]["url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].split(",")[0] == "private"
    assert b"".join(response.streaming_content) == JPEG


def test_an_external_system_downloads_the_photos_of_its_area(cast, reported, centre_client):
    response = centre_client.get(photo_url(reported))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == JPEG


@pytest.mark.parametrize("accept", ["image/jpeg", "image/*", "*/*", "application/json"])
def test_the_file_comes_whatever_the_client_accepts(cast, reported, accept):
    response = token_client(cast.dispatcher).get(photo_url(reported), HTTP_ACCEPT=accept)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == JPEG


def test_missing_foreign_and_another_cases_photos_all_answer_the_same_404(
    cast, catalogue, reported
):
    ours_too = with_photo(cast.grid_worker, IN_GRID, catalogue, "花园路另一处垃圾")
    foreign = with_photo(cast.other_worker, IN_OTHER_GRID, catalogue, "小白楼垃圾")
    client = token_client(cast.secretary)
    urls = [
        f"/api/v1/cases/{reported.number}/photos/999999/",  # no such photo
        f"/api/v1/cases/2099010100000001/photos/{reported.photos.get().pk}/",  # no such case
        photo_url(foreign),  # the neighbour's case
        photo_url(reported, foreign.photos.get()),  # the neighbour's photo under our case
        photo_url(reported, ours_too.photos.get()),  # our other case's photo under this one
    ]
    answers = [client.get(url, HTTP_ACCEPT="image/jpeg") for url in urls]
    assert [a.status_code for a in answers] == [404] * len(urls)
    assert all(a["Content-Type"] == "application/json" for a in answers)
    assert len({a.content for a in answers}) == 1
    assert answers[0].json()["error"]["code"] == "not_found"


def test_the_neighbour_is_refused_our_photo_like_a_missing_one(cast, reported):
    response = token_client(cast.neighbour).get(photo_url(reported))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_file_gone_from_the_storage_answers_404(cast, reported):
    photo = reported.photos.get()
    photo.file.storage.delete(photo.file.name)
    assert token_client(cast.secretary).get(photo_url(reported)).status_code == 404


def test_without_credentials_the_photo_answers_401(cast, reported):
    response = APIClient().get(photo_url(reported))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_schema_describes_the_photo_as_a_binary_file(client, db):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    answer = paths["/api/v1/cases/{number}/photos/{photo_id}/"]["get"]["responses"]
    types = answer["200"]["content"]
    assert set(types) == {"image/jpeg", "image/png", "image/webp"}
    assert types["image/jpeg"]["schema"] == {"type": "string", "format": "binary"}
    assert answer["404"]["content"]["application/json"]
