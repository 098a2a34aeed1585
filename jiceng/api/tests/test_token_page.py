"""The self-service token page (/account/tokens/): a person lists, creates and revokes
their own API tokens through the actions (audit log); the raw token is shown once, in
the answer to the POST that made it, and stored nowhere; another's token is 404."""

import hashlib

from django.urls import reverse
from rest_framework.test import APIClient

from jiceng.api import actions
from jiceng.api.models import ApiToken

TOKENS = "/account/tokens/"


def revoke_url(token) -> str:
    return reverse("account-token-revoke", args=[token.pk])


def calls_api(raw: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client.get("/api/v1/jurisdictions/").status_code


def test_the_user_menu_links_to_the_token_page(login, cast):
    body = login(cast.dispatcher).get(reverse("case-queue")).content.decode()
    assert f'href="{TOKENS}"' in body and "接口令牌" in body


def test_the_list_shows_only_the_users_own_tokens(login, cast):
    mine, _raw = actions.create_token(cast.dispatcher, name="巡查同步脚本")
    actions.create_token(cast.neighbour, name="小白楼的脚本")
    response = login(cast.dispatcher).get(TOKENS)
    assert list(response.context["tokens"]) == [mine]
    body = response.content.decode()
    assert "巡查同步脚本" in body and f"{mine.prefix}…" in body and "从未使用" in body
    assert "小白楼的脚本" not in body


def test_a_new_token_is_shown_once_and_only_its_digest_is_kept(login, cast, audit_lines):
    client = login(cast.secretary)
    response = client.post(TOKENS, {"name": "社区台账导出"})
    assert response.status_code == 200
    raw = response.context["raw"]
    body = response.content.decode()
    assert body.count(raw) == 1 and "只显示这一次" in body and 'data-copy="raw-token"' in body
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=cast.secretary)
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.values().get().values()]
    assert not any(raw in v for v in stored)
    assert not any(raw in str(v) for v in client.session.values())
    assert raw not in client.get(TOKENS).content.decode()  # never shown again
    assert any("api token created user=secretary" in line for line in audit_lines)
    assert not any(raw in line for line in audit_lines)
    assert calls_api(raw) == 200


def test_a_token_needs_a_name(login, cast):
    response = login(cast.secretary).post(TOKENS, {"name": ""})
    assert response.status_code == 400 and "该字段是必填项" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_then_stops_the_token(login, cast, audit_lines):
    token, raw = actions.create_token(cast.dispatcher, name="大屏同步")
    client = login(cast.dispatcher)
    confirm = client.get(revoke_url(token))
    assert confirm.status_code == 200 and "确认撤销" in confirm.content.decode()
    assert ApiToken.objects.get().revoked_at is None  # a GET changes nothing
    response = client.post(revoke_url(token))
    assert response.status_code == 302 and response["Location"] == TOKENS
    assert ApiToken.objects.get().revoked_at is not None
    assert calls_api(raw) == 401
    assert any(f"api token revoked prefix={token.prefix} by=dispatcher" in x for x in audit_lines)
    assert "已撤销" in client.get(TOKENS).content.decode()


def test_the_neighbour_cannot_see_or_revoke_someone_elses_token(login, cast):
    token, raw = actions.create_token(cast.dispatcher, name="大屏同步")
    client = login(cast.neighbour)
    assert client.get(revoke_url(token)).status_code == 404
    assert client.post(revoke_url(token)).status_code == 404
    missing = reverse("account-token-revoke", args=[token.pk + 1000])
    assert client.get(missing).status_code == 404
    assert ApiToken.objects.get().revoked_at is None and calls_api(raw) == 200


def test_even_an_admin_revokes_only_their_own_tokens_here(login, cast):
    from jiceng.accounts.actions import create_user
    from jiceng.accounts.choices import Role

    admin = create_user(username="sysadmin", role=Role.SYSTEM_ADMIN, full_name="管理员")
    token, _raw = actions.create_token(cast.dispatcher, name="大屏同步")
    client = login(admin)
    assert list(client.get(TOKENS).context["tokens"]) == []
    assert client.post(revoke_url(token)).status_code == 404


def test_a_resident_manages_their_own_tokens_too(login, cast):
    response = login(cast.resident).post(TOKENS, {"name": "我的手机应用"})
    assert response.status_code == 200 and calls_api(response.context["raw"]) == 200


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(TOKENS)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post(TOKENS, {"name": "x"}).status_code == 302
    assert not ApiToken.objects.exists()


def test_an_external_systems_service_user_cannot_sign_in_or_hold_tokens(client, cast, centre):
    system, _key = centre
    assert not client.login(username=system.user.username, password="")
    client.force_login(system.user)  # should a session ever exist, it is not honoured
    assert client.get(TOKENS)["Location"].startswith("/login/")
    assert client.post(TOKENS, {"name": "x"})["Location"].startswith("/login/")
    assert not ApiToken.objects.exists()
