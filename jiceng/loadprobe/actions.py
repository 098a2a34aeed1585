"""The probe's one write."""

from __future__ import annotations

from django.db import transaction

from .models import Ping


@transaction.atomic
def record_ping(*, acting_user) -> Ping:
    """Insert one row for the caller. No audit or timeline row on purpose: the ping row
    records who and when itself, and a second write would raise the ceiling's cost."""
    return Ping.objects.create(user=acting_user)


def clear_pings() -> int:
    """Delete every ping (after a benchmark run); one DELETE, nothing refers to them."""
    deleted, _ = Ping.objects.all().delete()
    return deleted
