"""Saved queue filters (常用筛选): saved under a name, shown as chips above the queue,
deleted; each person only ever sees and deletes their own."""

import pytest
from django.urls import reverse

from jiceng.cases import actions
from jiceng.cases.actions import MAX_SAVED_FILTERS
from jiceng.cases.models import SavedFilter
from jiceng.cases.transitions import CaseError, NotAllowed

pytestmark = pytest.mark.django_db

SAVE = "case-filter-save"


def save(client, name: str, query: str = "overdue=on&source=hotline"):
    return client.post(reverse(SAVE), {"name": name, "query": query})


def delete_url(saved: SavedFilter) -> str:
    return reverse("case-filter-delete", args=[saved.pk])


def test_a_dispatcher_saves_the_current_filters_and_finds_them_as_a_chip(login, cast):
    client = login(cast.dispatcher)
    response = save(client, "热线红牌", "source=hotline&overdue=on&page=3")
    saved = SavedFilter.objects.get(user=cast.dispatcher)
    # Stored in the filters' order, without the page: the chip opens the first page.
    assert (saved.name, saved.query) == ("热线红牌", "source=hotline&overdue=on")
    assert response.status_code == 302
    assert response["Location"] == reverse("case-queue") + "?source=hotline&overdue=on"
    body = client.get(response["Location"]).content.decode()
    assert "已保存常用筛选“热线红牌”" in body
    assert 'href="/cases/?source=hotline&amp;overdue=on">热线红牌</a>' in body


def test_the_chip_of_the_filters_on_screen_is_marked_current(login, cast):
    actions.save_filter(acting_user=cast.dispatcher, name="红牌", query="overdue=on")
    client = login(cast.dispatcher)
    assert (
        'class="current"><a href="/cases/?overdue=on">'
        in client.get(reverse("case-queue"), {"overdue": "on"}).content.decode()
    )


def test_unknown_parameters_are_dropped_and_only_filters_are_kept(login, cast):
    save(login(cast.dispatcher), "本网格", "grid=120101001001001&evil=1&status=")
    assert SavedFilter.objects.get().query == "grid=120101001001001"


def test_an_empty_name_is_refused_with_a_chinese_error(login, cast):
    response = save(login(cast.dispatcher), "   ")
    assert response.status_code == 400
    assert "常用筛选名称：请填写常用筛选的名称" in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_a_duplicate_name_is_refused(login, cast):
    client = login(cast.dispatcher)
    save(client, "热线红牌")
    response = save(client, "热线红牌", "source=hotline")
    assert response.status_code == 400
    assert "已有名为“热线红牌”的常用筛选，请换一个名称" in response.content.decode()
    assert SavedFilter.objects.count() == 1


def test_another_person_may_use_the_same_name(login, cast):
    actions.save_filter(acting_user=cast.neighbour, name="红牌", query="overdue=on")
    assert save(login(cast.dispatcher), "红牌").status_code == 302
    assert SavedFilter.objects.filter(name="红牌").count() == 2


def test_no_more_than_twenty_per_person(login, cast):
    for i in range(MAX_SAVED_FILTERS):
        actions.save_filter(acting_user=cast.dispatcher, name=f"筛选{i}", query="overdue=on")
    response = save(login(cast.dispatcher), "第二十一个")
    assert response.status_code == 400
    assert "每人最多保存 20 个常用筛选，请先删除不用的" in response.content.decode()
    assert SavedFilter.objects.filter(user=cast.dispatcher).count() == MAX_SAVED_FILTERS


def test_saving_no_filter_at_all_is_refused(login, cast):
    response = save(login(cast.dispatcher), "全部", "page=2")
    assert response.status_code == 400
    assert "当前没有设置筛选条件，无需保存" in response.content.decode()


def test_the_owner_deletes_a_saved_filter(login, cast):
    saved = actions.save_filter(acting_user=cast.dispatcher, name="红牌", query="overdue=on")
    client = login(cast.dispatcher)
    response = client.post(delete_url(saved), {"next": "overdue=on"})
    assert response.status_code == 302 and response["Location"] == "/cases/?overdue=on"
    assert not SavedFilter.objects.exists()
    assert "已删除常用筛选“红牌”" in client.get(response["Location"]).content.decode()


def test_nobody_sees_or_deletes_another_persons_saved_filter(login, cast):
    theirs = actions.save_filter(acting_user=cast.neighbour, name="小白楼红牌", query="overdue=on")
    client = login(cast.dispatcher)
    assert "小白楼红牌" not in client.get(reverse("case-queue")).content.decode()
    assert client.post(delete_url(theirs)).status_code == 404
    assert client.post(reverse("case-filter-delete", args=[theirs.pk + 100])).status_code == 404
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()


def test_the_delete_action_refuses_anyone_but_the_owner(cast):
    theirs = actions.save_filter(acting_user=cast.neighbour, name="小白楼红牌", query="overdue=on")
    with pytest.raises(NotAllowed):
        actions.delete_filter(theirs, acting_user=cast.dispatcher)


def test_the_save_action_checks_the_name_itself(cast):
    with pytest.raises(CaseError, match="请填写常用筛选的名称"):
        actions.save_filter(acting_user=cast.dispatcher, name=" ", query="overdue=on")


def test_a_get_of_the_save_address_goes_to_the_queue(login, cast):
    response = login(cast.dispatcher).get(reverse(SAVE))
    assert response.status_code == 302 and response["Location"] == reverse("case-queue")
