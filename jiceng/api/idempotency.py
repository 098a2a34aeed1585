"""`Idempotency-Key` on POSTs that create or change: the first answer is kept for 24 hours
and replayed (status and body) to the same user sending the same body, with no second
write; the same key with another body is refused with 422.

The key's row is inserted first, in the transaction of the write, so the unique
(user, key) constraint decides between two concurrent requests: the second waits for
the first's commit (PostgreSQL's unique index, SQLite's write lock), fails its insert
and replays the winner's answer. An answer that is an error is not kept (its
transaction is rolled back), so the client may fix the request and retry with the key.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from .errors import ApiError
from .models import IdempotencyKey

KEEP = timedelta(hours=24)
HEADER = "Idempotency-Key"
PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "重试同一请求时带上同一个键（1–255 个字符）：24 小时内同一用户、同一请求体"
        "只执行一次，再次发送得到第一次的响应；同一个键配不同的请求体返回 422。"
    ),
)


def idempotent(view_method):
    """Wrap a viewset method handling a POST."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view_method(self, request, *args, **kwargs)
        key = _checked(key)
        fingerprint = _fingerprint(request)
        kept = _kept(request.user, key)
        if kept is not None:
            return _replay(kept, fingerprint)
        try:
            with transaction.atomic():
                return _first(view_method, self, request, key, fingerprint, args, kwargs)
        except IntegrityError:
            kept = _kept(request.user, key)
            if kept is None:
                raise
            return _replay(kept, fingerprint)

    return wrapper


def _checked(key: str) -> str:
    key = key.strip()
    if not key or len(key) > 255:
        raise ApiError(400, "invalid_idempotency_key", _("Idempotency-Key 须为 1–255 个字符"))
    return key


def _first(view_method, view, request, key: str, fingerprint: str, args, kwargs):
    now = timezone.now()
    IdempotencyKey.objects.filter(created_at__lt=now - KEEP).delete()
    row = IdempotencyKey.objects.create(
        user=request.user, key=key, fingerprint=fingerprint, status_code=0, created_at=now
    )
    response = view_method(view, request, *args, **kwargs)
    if response.status_code >= 400:
        transaction.set_rollback(True)  # not kept: the request may be fixed and retried
        return response
    row.status_code, row.body = response.status_code, _plain(response.data)
    row.save(update_fields=["status_code", "body"])
    return response


def _kept(user, key: str) -> IdempotencyKey | None:
    since = timezone.now() - KEEP
    return IdempotencyKey.objects.filter(user=user, key=key, created_at__gte=since).first()


def _replay(kept: IdempotencyKey, fingerprint: str) -> Response:
    if kept.fingerprint != fingerprint:
        message = _("这个 Idempotency-Key 已用于另一个不同的请求，请换一个新的键")
        raise ApiError(422, "idempotency_key_reused", message)
    response = Response(kept.body, status=kept.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def _plain(data):
    """The response data as JSON-safe values (dates and decimals as their text)."""
    return json.loads(json.dumps(data, default=str))


def _fingerprint(request) -> str:
    """Method, path and body; a multipart body by its fields and files' contents, since
    its boundary changes on every sending."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    data = request.data
    if hasattr(data, "lists"):
        items = sorted(
            (k, [str(v) for v in vs]) for k, vs in data.lists() if k not in request.FILES
        )
        digest.update(json.dumps(items, ensure_ascii=False).encode())
        for name, files in sorted(request.FILES.lists()):
            for f in files:
                digest.update(name.encode())
                for chunk in f.chunks():
                    digest.update(chunk)
                f.seek(0)
    else:
        digest.update(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode())
    return digest.hexdigest()
