"""Who may call the API: tokens, external systems' keys, sessions with CSRF."""

from rest_framework.test import APIClient

from jiceng.accounts.choices import Role
from jiceng.api import actions
from jiceng.api.choices import Use
from jiceng.api.keys import authenticate_key
from jiceng.api.models import ApiToken
from jiceng.cases.models import Case
from jiceng.cases.tests.fixtures import IN_GRID, IN_OTHER_GRID

ORDER = {
    "source": "hotline",
    "order_no": "GD20261121001",
    "category": "0601",
    "description": "小区门口垃圾堆放三天无人清运",
    "caller_name": "王小明",
    "caller_phone": "13912345678",
    "lng": IN_GRID[0],
    "lat": IN_GRID[1],
}


def test_a_request_without_credentials_is_refused_with_401(db):
    response = APIClient().get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_signs_its_owner_in_and_only_its_digest_is_stored(cast):
    token, raw = actions.create_token(cast.dispatcher, name="调度脚本")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get("/api/v1/jurisdictions/").status_code == 200
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.digest, stored.prefix) and raw.startswith(stored.prefix)
    assert stored.last_used_at is not None


def test_a_revoked_token_is_refused_with_401(cast):
    token, raw = actions.create_token(cast.dispatcher, name="旧脚本")
    actions.revoke_token(token)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "令牌已被撤销"


def test_a_wrong_token_or_key_is_refused_with_401(cast, centre):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token jct_not-a-token")
    assert client.get("/api/v1/cases/").status_code == 401
    client.credentials(HTTP_X_API_KEY="jck_wrong")
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert "API 密钥无效" in response.json()["error"]["message"]


def test_authenticate_key_gives_the_service_user_of_an_active_system_only(cast, centre):
    system, raw = centre
    user = authenticate_key(raw)
    assert user == system.user and user.role == Role.EXTERNAL_SYSTEM
    assert authenticate_key("jck_unknown") is None
    actions.revoke_external_system(system)
    assert authenticate_key(raw) is None


def test_an_external_system_submits_a_hotline_order_in_its_area(cast, rules, centre_client):
    response = centre_client.post("/api/v1/cases/", ORDER, format="json")
    assert response.status_code == 201, response.json()
    case = Case.objects.get(hotline_order_no=ORDER["order_no"])
    assert case.community == cast.community and case.status == "dispatched"
    detail = centre_client.get(response["Location"]).json()
    assert detail["caller_phone"] == "139****5678"  # masked for the system too
    again = centre_client.post("/api/v1/cases/", ORDER, format="json")
    assert again.status_code == 200 and again.json()["number"] == case.number


def test_an_external_system_cannot_file_an_order_outside_its_area(cast, rules, centre_client):
    order = ORDER | {"lng": IN_OTHER_GRID[0], "lat": IN_OTHER_GRID[1]}
    response = centre_client.post("/api/v1/cases/", order, format="json")
    assert response.status_code == 400
    assert "不在您服务的辖区内" in response.json()["error"]["message"]
    assert not Case.objects.exists()


def test_an_external_system_cannot_act_on_cases(cast, reported, centre_client):
    for name in ("dispatch", "accept", "urge", "close"):
        response = centre_client.post(f"/api/v1/cases/{reported.number}/actions/{name}/")
        assert response.status_code == 403, name
        assert response.json()["error"]["code"] == "not_allowed"


def test_an_external_system_reports_only_hotline_orders(cast, rules, centre_client):
    body = {"source": "patrol", "category": "0601", "description": "x", "lng": 117.05, "lat": 39.1}
    response = centre_client.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 403


def test_a_system_without_the_read_use_cannot_list(cast):
    _system, raw = actions.create_external_system(
        name="只报不查", area=cast.street, uses=[Use.SUBMIT_HOTLINE]
    )
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw)
    assert client.get("/api/v1/cases/").status_code == 403


def test_a_session_works_and_its_writes_need_the_csrf_token(cast, reported):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(cast.secretary)
    assert client.get(f"/api/v1/cases/{reported.number}/").status_code == 200
    response = client.post(f"/api/v1/cases/{reported.number}/actions/accept/")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_a_resident_cannot_enter_a_hotline_order(cast, rules, api):
    response = api(cast.resident).post("/api/v1/cases/", ORDER, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "您无权提交12345工单"


def test_the_token_command_creates_and_revokes(cast, capsys):
    from django.core.management import call_command

    call_command("api_token", "create", "dispatcher", "--name", "脚本")
    raw = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=cast.dispatcher)
    assert raw.startswith(token.prefix)
    call_command("api_token", "revoke", token.prefix)
    token.refresh_from_db()
    assert token.revoked_at is not None
