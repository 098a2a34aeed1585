"""The inbox: a user's own notifications, unread first, marked read by POST."""

import pytest
from django.urls import reverse

from jiceng.cases import actions
from jiceng.cases.models import Notification

from .conftest import IN_GRID

pytestmark = pytest.mark.django_db


@pytest.fixture
def notified(cast, catalogue, rules, django_capture_on_commit_callbacks):
    """Two assignments for the secretary, delivered as after a real commit."""
    cases = []
    for i in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            case, _ = actions.receive_hotline_order(
                order_no=f"inbox-{i}",
                category=catalogue["garbage"],
                description=f"第{i}处垃圾",
                lng=IN_GRID[0],
                lat=IN_GRID[1],
            )
        cases.append(case)
    return cases


def test_the_inbox_lists_unread_first_and_counts_them_in_the_menu(login, cast, notified):
    first = Notification.objects.filter(user=cast.secretary).earliest("created_at")
    first.read_at = first.created_at
    first.save()
    response = login(cast.secretary).get(reverse("inbox"))
    rows = list(response.context["page"])
    assert [n.read_at is None for n in rows] == [True, False]
    body = response.content.decode()
    assert notified[1].number in body
    assert '收件箱 <span class="badge">1</span>' in body


def test_marking_one_and_then_all_read(login, cast, notified):
    client = login(cast.secretary)
    one = Notification.objects.filter(user=cast.secretary).first()
    assert client.post(reverse("inbox"), {"id": one.pk}).status_code == 302
    assert Notification.objects.filter(user=cast.secretary, read_at=None).count() == 1
    client.post(reverse("inbox"), {"all": "1"})
    assert not Notification.objects.filter(user=cast.secretary, read_at=None).exists()


def test_nobody_marks_or_sees_someone_elses_notifications(login, cast, notified):
    theirs = Notification.objects.filter(user=cast.secretary).first()
    client = login(cast.neighbour)
    client.post(reverse("inbox"), {"id": theirs.pk})
    client.post(reverse("inbox"), {"all": "1"})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert notified[0].number not in client.get(reverse("inbox")).content.decode()
