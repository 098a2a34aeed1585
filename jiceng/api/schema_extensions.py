"""How the schema describes jiceng's three ways to authenticate (loaded in apps.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "jiceng.api.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "个人令牌：`Authorization: Token <令牌>`",
        }


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "jiceng.api.auth.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Api-Key",
            "description": "外部系统（如 12345 中心）的 API 密钥",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "jiceng.api.auth.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
