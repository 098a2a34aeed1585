"""One error format for the whole API:

    {"error": {"code": "not_found", "message": "<中文说明>", "fields": {"name": ["…"]}}}

with the HTTP status that fits (400/401/403/404/405/409/415/422/429/500). A foreign
object answers exactly like a missing one (404).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from jiceng.cases.transitions import CaseError, Conflict, IllegalTransition, NotAllowed

log = logging.getLogger(__name__)

# DRF's English defaults, said in Chinese (a specific `detail` given by our code is kept).
MESSAGES = {
    exceptions.NotAuthenticated: ("not_authenticated", _("需要登录：请提供令牌或 API 密钥")),
    exceptions.AuthenticationFailed: ("authentication_failed", _("身份验证失败")),
    exceptions.PermissionDenied: ("permission_denied", _("您无权执行此操作")),
    exceptions.NotFound: ("not_found", _("没有这个对象，或您无权查看")),
    exceptions.MethodNotAllowed: ("method_not_allowed", _("该地址不支持这个请求方法")),
    exceptions.NotAcceptable: ("not_acceptable", _("无法提供所要求的响应格式")),
    exceptions.UnsupportedMediaType: (
        "unsupported_media_type",
        _("不支持的请求体格式：请用 application/json 或 multipart/form-data"),
    ),
    exceptions.Throttled: ("throttled", _("请求过于频繁，请稍后再试")),
    exceptions.ParseError: ("parse_error", _("请求体无法解析")),
    exceptions.ValidationError: ("invalid", _("提交的数据有误")),
}
CASE_ERRORS = [
    (NotAllowed, "not_allowed"),
    (IllegalTransition, "illegal_transition"),
    (Conflict, "conflict"),
    (CaseError, "invalid"),
]


class ApiError(exceptions.APIException):
    """An error with our own code, message and fields (e.g. an idempotency mismatch)."""

    def __init__(self, status_code: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status_code, self.code, self.fields = status_code, code, fields or {}


def body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def exception_handler(exc, context):
    """DRF's handler hook: every exception raised in an API view comes out as `body`."""
    answer = _answer(exc)
    if answer is None:
        log.exception("unexpected error in the API", exc_info=exc)
        answer = (500, body("server_error", _("服务器内部错误，请稍后再试")), {})
    status_code, payload, headers = answer
    set_rollback()
    return Response(payload, status=status_code, headers=headers)


def _answer(exc) -> tuple[int, dict, dict] | None:
    if isinstance(exc, ApiError):
        return exc.status_code, body(exc.code, exc.detail, exc.fields), {}
    if isinstance(exc, Http404):
        return 404, body(*MESSAGES[exceptions.NotFound]), {}
    if isinstance(exc, PermissionDenied):
        return 403, body(*MESSAGES[exceptions.PermissionDenied]), {}
    for kind, code in CASE_ERRORS:
        if isinstance(exc, kind):
            return exc.status, body(code, str(exc)), {}
    if isinstance(exc, exceptions.APIException):
        return exc.status_code, _drf_body(exc), _headers(exc)
    return None


def _drf_body(exc: exceptions.APIException) -> dict:
    code, default = MESSAGES.get(type(exc), (None, None))
    if code is None:
        code = next((c for k, (c, _m) in MESSAGES.items() if isinstance(exc, k)), "error")
        default = str(exc.detail)
    if isinstance(exc, exceptions.ValidationError):
        return body(code, default, _fields(exc.detail))
    detail = exc.detail if isinstance(exc.detail, str) else ""
    if detail.startswith("CSRF Failed"):
        return body("csrf_failed", _("CSRF 校验失败：以会话登录时，写操作须带 X-CSRFToken 头"))
    # DRF's own English words are replaced; a message our code wrote (Chinese) is kept.
    message = detail if detail and not detail.isascii() else default
    return body(code, message)


def _fields(detail) -> dict:
    if isinstance(detail, dict):
        return {k: _messages(v) for k, v in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value) -> list:
    if isinstance(value, list):
        return [m for v in value for m in (_messages(v) if isinstance(v, list | dict) else [v])]
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _messages(v)]
    return [str(value)]


def _headers(exc: exceptions.APIException) -> dict:
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # set by DRF: 401, not 403
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    return headers


def form_error(form) -> ApiError:
    """A Django form's errors (the same forms as the pages) as a 400."""
    fields = {k: [str(m) for m in v] for k, v in form.errors.items()}
    fields = {("non_field_errors" if k == "__all__" else k): v for k, v in fields.items()}
    from jiceng.cases.forms import form_message

    return ApiError(status.HTTP_400_BAD_REQUEST, "invalid", form_message(form), fields)


def not_found(request, *args, **kwargs):
    """Any unknown address under /api/: the same format as the rest."""
    return JsonResponse(body(*MESSAGES[exceptions.NotFound]), status=404)
