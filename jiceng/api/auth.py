"""Who is calling: a person's token, an external system's key, or the browser session.

A wrong, revoked or disabled credential is refused with 401 and never falls through to
another method: a caller must not be someone else than the one they named.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .keys import authenticate_key, authenticate_token


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>`: a person's own token (jiceng.api.models.ApiToken)."""

    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Authorization 头格式应为：Token <令牌>"))
        try:
            raw = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("令牌含有无效字符")) from None
        token = authenticate_token(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效"))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("令牌已被撤销"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("该令牌所属的用户已停用"))
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`X-Api-Key: <key>`: an external system, acting as its service user."""

    def authenticate(self, request):
        raw = request.headers.get("X-Api-Key")
        if raw is None:
            return None
        user = authenticate_key(raw)
        if user is None:
            raise exceptions.AuthenticationFailed(_("API 密钥无效或已被撤销"))
        return user, user.api_client


class SessionAuthentication(authentication.SessionAuthentication):
    """The signed-in browser (the interactive docs); writes need the CSRF token."""
