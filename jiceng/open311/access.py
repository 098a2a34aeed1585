"""Who is asking: an external system by its `api_key`, or the public.

A key holder (a 12345 centre, an app) reads and writes within its area, the jurisdiction
subtree of its service user, through the same `visible_to` as every page. Without a key
the caller is the public: it may read, but only what the public community pages show
(docs/open311.md). A session cookie counts for nothing here: this is a machine interface.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest


class Forbidden(Exception):
    """An api_key that is missing where one is needed, unknown or revoked."""


@dataclass(frozen=True)
class Caller:
    """The external system's service user, or None for the public."""

    user: object | None

    @property
    def public(self) -> bool:
        return self.user is None


def caller_of(request: HttpRequest, *, key_required: bool = False) -> Caller:
    raw = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    if not raw:
        if key_required:
            raise Forbidden("缺少 api_key：提交诉求需要外部系统的接口密钥")
        return Caller(None)
    from jiceng.api.choices import Use
    from jiceng.api.keys import authenticate_key

    user = authenticate_key(raw)
    if user is None:
        raise Forbidden("api_key 无效或已停用")
    if not user.api_client.allows(Use.OPEN311):
        raise Forbidden("该 api_key 未获准使用 Open311 接口（用途须包含 open311）")
    return Caller(user)
