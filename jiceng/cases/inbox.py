"""A user's inbox: their notifications, unread first, and marking them read."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, QuerySet
from django.utils import timezone

from .models import Notification


def inbox_for(user) -> QuerySet:
    return (
        Notification.objects.filter(user_id=user.pk)
        .select_related("case")
        .only("kind", "text", "created_at", "read_at", "case", "case__received_at")
        .order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")
    )


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user_id=user.pk, read_at=None).count()


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark some (or, with no ids, all) of the user's unread notifications read; only
    their own rows are touched, whatever ids are posted."""
    unread = Notification.objects.filter(user_id=user.pk, read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
