"""Notifications as an outbox: a row written with the change it tells of, delivered by a
job that deletes it, so a notification exists exactly when its change committed."""

import logging

import pytest
from django.db import transaction
from django.urls import reverse

from jiceng.cases import actions, notify
from jiceng.cases.models import Case, Notification, PendingNotification

from .conftest import IN_GRID

pytestmark = pytest.mark.django_db

FAILING = "jiceng.cases.tests.test_outbox.FailingChannel"


class FailingChannel:
    """A channel whose provider refuses one message (its text says so)."""

    def send(self, notification: Notification) -> None:
        if "拒收" in notification.text:
            raise ConnectionError("provider refused the message")


def receive(catalogue, order_no: str, description: str = "垃圾满溢") -> Case:
    case, _ = actions.receive_hotline_order(
        order_no=order_no,
        category=catalogue["garbage"],
        description=description,
        lng=IN_GRID[0],
        lat=IN_GRID[1],
    )
    return case


def test_an_intake_leaves_its_notification_pending_until_the_commit_hook_runs(
    cast, catalogue, rules
):
    case = receive(catalogue, "outbox-1")
    pending = PendingNotification.objects.get(case=case)
    assert pending.audience == ["handlers"] and case.number in pending.text
    assert not Notification.objects.filter(case=case).exists()


def test_the_commit_hook_delivers_the_pending_row_and_deletes_it(
    cast, catalogue, rules, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""  # the job runs in this process
    with django_capture_on_commit_callbacks(execute=True):
        case = receive(catalogue, "outbox-2")
    assert Notification.objects.get(case=case).user == cast.secretary
    assert not PendingNotification.objects.exists()


def test_a_rolled_back_action_leaves_no_notification_behind(cast, catalogue, rules):
    with pytest.raises(RuntimeError), transaction.atomic():
        receive(catalogue, "outbox-3")
        raise RuntimeError("the request failed after the intake")
    assert not PendingNotification.objects.exists()
    assert not Case.objects.filter(hotline_order_no="outbox-3").exists()


def test_a_later_drain_delivers_what_an_earlier_nudge_missed(cast, catalogue, rules):
    # No commit hook ran (as when Redis was down): celery beat's drain catches up.
    cases = [receive(catalogue, f"outbox-4{i}", f"第{i}处垃圾") for i in range(5)]
    assert notify.deliver_pending(batch=2) == 5
    delivered = Notification.objects.filter(user=cast.secretary)
    assert set(delivered.values_list("case", flat=True)) == {c.pk for c in cases}
    assert not PendingNotification.objects.exists()
    assert notify.deliver_pending() == 0


def test_a_row_that_cannot_be_delivered_is_logged_and_dropped_and_the_rest_go_out(
    cast, catalogue, rules, settings, log_lines
):
    settings.JICENG_NOTIFICATION_CHANNELS = [FAILING]
    logged = log_lines(notify.__name__, logging.ERROR)
    refused = receive(catalogue, "outbox-5", "拒收")
    kept = receive(catalogue, "outbox-6", "照常")
    PendingNotification.objects.filter(case=refused).update(text="拒收")
    assert notify.deliver_pending() == 2
    assert Notification.objects.filter(case=kept, user=cast.secretary).exists()
    assert not Notification.objects.filter(case=refused).exists()  # its inbox row rolled back
    assert not PendingNotification.objects.exists()
    assert len(logged) == 1 and "could not be delivered; dropped" in logged[0]


def test_the_neighbour_is_never_told_of_a_case_of_another_street(cast, catalogue, rules):
    receive(catalogue, "outbox-7")
    notify.deliver_pending()
    assert not Notification.objects.filter(user=cast.neighbour).exists()


def test_an_administrator_sees_the_outbox_and_drains_it_from_the_admin(
    admin_client, cast, catalogue, rules
):
    case = receive(catalogue, "outbox-8")
    url = reverse("admin:cases_pendingnotification_changelist")
    assert case.number in admin_client.get(url).content.decode()
    pending = PendingNotification.objects.get(case=case)
    answer = admin_client.post(
        url, {"action": "deliver_now", "_selected_action": [pending.pk]}, follow=True
    )
    assert "已发送 1 条通知" in answer.content.decode()
    assert Notification.objects.filter(case=case, user=cast.secretary).exists()


def test_a_dispatcher_without_admin_rights_cannot_open_the_outbox(login, cast):
    url = reverse("admin:cases_pendingnotification_changelist")
    assert login(cast.dispatcher).get(url).status_code == 403
