"""Issuing and revoking API credentials. Each returns the raw secret once; only its
digest is stored. Every change is written to the "jiceng.audit" log."""

from __future__ import annotations

import logging
import secrets

from django.db import transaction
from django.utils import timezone

from jiceng.accounts.actions import create_user
from jiceng.accounts.choices import Role

from . import keys
from .choices import Use
from .models import ApiToken, ExternalSystem

audit = logging.getLogger("jiceng.audit")


def _who(user) -> str:
    return user.username if user is not None else "-"


@transaction.atomic
def create_token(user, *, name: str, acting_user=None) -> tuple[ApiToken, str]:
    """A new personal token: (the row, the raw key to show once)."""
    raw = keys.new_secret(keys.TOKEN_PREFIX)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=keys.shown_prefix(raw), digest=keys.digest(raw)
    )
    audit.info(
        "api token created user=%s prefix=%s by=%s", user.username, token.prefix, _who(acting_user)
    )
    return token, raw


@transaction.atomic
def revoke_token(token: ApiToken, *, acting_user=None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.info("api token revoked prefix=%s by=%s", token.prefix, _who(acting_user))
    return token


@transaction.atomic
def create_external_system(
    *, name: str, area, uses: list[str] | None = None, acting_user=None
) -> tuple[ExternalSystem, str]:
    """An external system with its service user (role 外部系统, scoped to `area`) and a
    new key: (the row, the raw key to show once)."""
    user = create_user(
        username=f"ext_{secrets.token_hex(6)}",
        role=Role.EXTERNAL_SYSTEM,
        full_name=name,
        jurisdiction=area,
        acting_user=acting_user,
    )
    raw = keys.new_secret(keys.KEY_PREFIX)
    system = ExternalSystem(
        name=name,
        area=area,
        uses=",".join(uses if uses is not None else [Use.SUBMIT_HOTLINE, Use.READ]),
        user=user,
        prefix=keys.shown_prefix(raw),
        digest=keys.digest(raw),
    )
    system.full_clean()
    system.save()
    audit.info("external system created name=%s area=%s by=%s", name, area.code, _who(acting_user))
    return system, raw


@transaction.atomic
def rotate_key(system: ExternalSystem, *, acting_user=None) -> str:
    """A new key for the system; the old one stops working at once."""
    raw = keys.new_secret(keys.KEY_PREFIX)
    system.prefix, system.digest = keys.shown_prefix(raw), keys.digest(raw)
    system.save(update_fields=["prefix", "digest"])
    audit.info("external system key rotated name=%s by=%s", system.name, _who(acting_user))
    return raw


@transaction.atomic
def revoke_external_system(system: ExternalSystem, *, acting_user=None) -> ExternalSystem:
    """Stop the key for good; the service user is deactivated too, so a session or
    token it might have had stops with it."""
    now = timezone.now()
    system.active, system.revoked_at = False, system.revoked_at or now
    system.save(update_fields=["active", "revoked_at"])
    system.user.is_active = False
    system.user.save(update_fields=["is_active"])
    audit.info("external system revoked name=%s by=%s", system.name, _who(acting_user))
    return system
