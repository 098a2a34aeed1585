"""Secrets of the open API: make one, hash it, and find whose it is.

`authenticate_key` is the interface other apps (jiceng.open311) use for `X-Api-Key` /
`api_key`: the service user of an active external system, or None.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

TOKEN_PREFIX = "jct_"  # a person's token
KEY_PREFIX = "jck_"  # an external system's key
SHOWN_PREFIX = 12  # characters kept in clear to recognise a key in lists
# last_used_at is a hint for people, not an audit trail: one write a minute is enough.
TOUCH_EVERY = timedelta(minutes=1)


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def shown_prefix(raw: str) -> str:
    return raw[:SHOWN_PREFIX]


def authenticate_key(raw_key: str):
    """The service user of the active external system with this key, or None for an
    unknown, revoked or disabled key."""
    from .models import ExternalSystem

    if not raw_key:
        return None
    system = (
        ExternalSystem.objects.select_related("user")
        .filter(digest=digest(raw_key.strip()), active=True, revoked_at=None)
        .first()
    )
    if system is None or not system.user.is_active:
        return None
    _touch(system)
    system.user.api_client = system  # what the key may be used for, without a query
    return system.user


def authenticate_token(raw_token: str):
    """The ApiToken with this key, or None for an unknown one (revoked ones included:
    the caller tells revoked from unknown)."""
    from .models import ApiToken

    if not raw_token:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=digest(raw_token)).first()
    if token is not None and token.revoked_at is None:
        _touch(token)
    return token


def _touch(credential) -> None:
    now = timezone.now()
    if credential.last_used_at is None or now - credential.last_used_at > TOUCH_EVERY:
        type(credential).objects.filter(pk=credential.pk).update(last_used_at=now)
        credential.last_used_at = now
