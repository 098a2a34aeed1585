"""Notifications: an inbox row per recipient, then every configured channel.

Channels share one interface (`send(notification)`). In-app is the inbox row itself;
email uses Django's mail settings; SMS and WeChat are an extension point: write a class
with `send` and name its dotted path in JICENG_NOTIFICATION_CHANNELS. The logging
channel stands in for them in development and says so in every line it writes.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string

from jiceng.accounts.choices import Role
from jiceng.jurisdictions.choices import Level, PostKind
from jiceng.lib import fastsql, jobs

from .models import Case, Notification, PendingNotification

log = logging.getLogger(__name__)


class InAppChannel:
    """The inbox row is the in-app notification; nothing more to send."""

    def send(self, notification: Notification) -> None:
        return None


class EmailChannel:
    def send(self, notification: Notification) -> None:
        email = notification.user.email
        if email:
            send_mail("jiceng 通知", notification.text, None, [email], fail_silently=True)


class LoggingChannel:
    """Development stand-in for SMS / WeChat: logs instead of sending (no phone numbers)."""

    def send(self, notification: Notification) -> None:
        log.info(
            "[development logging channel, not a real SMS/WeChat] to user=%s kind=%s: %s",
            notification.user_id,
            notification.kind,
            notification.text,
        )


def channels() -> list:
    paths = getattr(
        settings,
        "JICENG_NOTIFICATION_CHANNELS",
        ["jiceng.cases.notify.EmailChannel", "jiceng.cases.notify.LoggingChannel"],
    )
    return [import_string(p)() for p in paths]


_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("jiceng_notify_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """No notifications inside: for building history (the demo's past month), where a
    hundred thousand inbox rows about long-closed cases would only bury the real ones."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def notify(to: str | list[str], kind: str, case: Case | None, text: str) -> None:
    """Tell an audience of the case, once the transaction commits.

    `to` names who is told: "handlers", "dispatchers", "verifiers" of the case, or
    "clerks:<department id>". The notification is a row written with the change itself
    (joining the intake's single statement when inside `fastsql.together()`), so it is
    sent exactly when the change commits, even if Redis is down at that moment; a job
    looks up the people and delivers it (`deliver_pending`), so the action's transaction
    pays for no query, and a reassignment made in the same request is already visible.
    """
    if _muted.get():
        return
    audience = [to] if isinstance(to, str) else list(to)
    unknown = [a for a in audience if a not in AUDIENCES and not a.startswith("clerks:")]
    if unknown:
        raise ValueError(f"unknown notification audience: {unknown}")
    row = PendingNotification(audience=audience, kind=kind, case=case, text=text)
    fastsql.insert_many([row])
    # robust: the action has committed by now, so a failed send (Redis down) is logged
    # rather than turned into an error; the periodic drain delivers the row later.
    transaction.on_commit(lambda: jobs.enqueue_soon(DRAIN), robust=True)


DRAIN = "jiceng.cases.notify.deliver_pending"


def deliver_pending(batch: int = 200) -> int:
    """Deliver every pending notification, oldest first, and delete it in the same
    transaction as its inbox rows (the job; also run by celery beat as a safety net).
    Rows locked by a concurrent drain are skipped, not waited for. A row whose delivery
    fails is logged and dropped, so one bad row never blocks the others."""
    delivered = 0
    while rows := _deliver_batch(batch):
        delivered += rows
    return delivered


@transaction.atomic
def _deliver_batch(batch: int) -> int:
    pending = PendingNotification.objects.select_for_update(skip_locked=True).order_by("id")
    rows = list(pending[:batch])
    for row in rows:
        try:
            with transaction.atomic():
                deliver_to(row.audience, row.kind, row.case_id, row.text)
        except Exception:
            log.exception("notification %s (%s) could not be delivered; dropped", row.pk, row.kind)
    PendingNotification.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return len(rows)


def deliver_to(audience: list[str], kind: str, case_id: int | None, text: str) -> None:
    """Find the people of each audience, then deliver (the background job)."""
    case = Case.objects.filter(pk=case_id).select_related("assigned_jurisdiction").first()
    user_ids: set[int] = set()
    for name in audience:
        if name.startswith("clerks:"):
            people = clerks_of(int(name.removeprefix("clerks:")))
        elif case is not None:
            people = AUDIENCES[name](case)
        else:
            continue
        user_ids |= set(people.values_list("pk", flat=True))
    if user_ids:
        deliver(sorted(user_ids), kind, case_id, text)


def deliver(user_ids: list[int], kind: str, case_id: int | None, text: str) -> None:
    """Write the inbox rows and push them through the channels (also the Celery task)."""
    rows = Notification.objects.bulk_create(
        [Notification(user_id=u, kind=kind, case_id=case_id, text=text) for u in user_ids]
    )
    users = get_user_model().objects.in_bulk(user_ids)
    for row in rows:
        row.user = users[row.user_id]
        for channel in channels():
            channel.send(row)


# --- who is told ------------------------------------------------------------------------


def handlers_of(case: Case):
    User = get_user_model()
    if case.assigned_department_id:
        return User.objects.filter(
            role=Role.DEPARTMENT_CLERK, department_id=case.assigned_department_id, is_active=True
        )
    unit = case.assigned_jurisdiction
    if unit is None:
        return User.objects.none()
    roles = (
        [Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF]
        if unit.level == Level.COMMUNITY
        else [Role.SUBDISTRICT_DISPATCHER]
    )
    return User.objects.filter(role__in=roles, jurisdiction=unit, is_active=True)


def dispatchers_of(case: Case):
    User = get_user_model()
    if case.subdistrict_id:
        return User.objects.filter(
            role=Role.SUBDISTRICT_DISPATCHER, jurisdiction_id=case.subdistrict_id, is_active=True
        )
    if case.district_id:
        return User.objects.filter(
            role=Role.DISTRICT_LEADER, jurisdiction_id=case.district_id, is_active=True
        )
    return User.objects.filter(role=Role.CITY_LEADER, is_active=True)


def verifiers_of(case: Case):
    User = get_user_model()
    if case.grid_id:
        workers = User.objects.filter(
            posts__grids=case.grid_id,
            posts__active=True,
            posts__kind__in=[PostKind.GRID_WORKER, PostKind.GRID_LEADER],
            is_active=True,
        ).distinct()
        if workers.exists():
            return workers
    return User.objects.filter(
        role__in=[Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF],
        jurisdiction_id=case.community_id,
        is_active=True,
    )


def clerks_of(department_id: int):
    return get_user_model().objects.filter(
        role=Role.DEPARTMENT_CLERK, department_id=department_id, is_active=True
    )


AUDIENCES = {"handlers": handlers_of, "dispatchers": dispatchers_of, "verifiers": verifiers_of}
