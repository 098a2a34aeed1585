"""Rows loaded without Model.__init__ behave as Django's own instances."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from jiceng.jurisdictions.models import Grid, Jurisdiction

pytestmark = pytest.mark.django_db


def fields_of(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_a_loaded_node_has_the_values_and_state_django_gives_it(cast):
    loaded = Jurisdiction.objects.get(pk=cast.community.pk)
    assert fields_of(loaded) == fields_of(cast.community)
    assert loaded._state.adding is False and loaded._state.db == "default"
    assert loaded.get_deferred_fields() == set()
    assert loaded.parent == cast.street and loaded.geometry.equals(cast.community.geometry)


def test_a_deferred_column_is_missing_until_read_then_loaded_once(cast):
    grid = Grid.objects.defer("geometry_wkb").get(pk=cast.grid.pk)
    assert grid.get_deferred_fields() == {"geometry_wkb"}
    with CaptureQueriesContext(connection) as read:
        assert bytes(grid.geometry_wkb) == bytes(cast.grid.geometry_wkb)
        bytes(grid.geometry_wkb)
    assert len(read) == 1 and grid.get_deferred_fields() == set()


def test_a_loaded_node_saves_as_an_update_of_its_row(cast):
    loaded = Jurisdiction.objects.defer("geometry_wkb").get(pk=cast.community.pk)
    loaded.name = "新名字社区"
    loaded.save(update_fields=["name"])
    again = Jurisdiction.objects.get(pk=cast.community.pk)
    assert again.name == "新名字社区" and again.geometry_wkb is not None
    assert Jurisdiction.objects.filter(name="新名字社区").count() == 1


def test_a_post_init_listener_still_hears_every_loaded_instance(cast):
    heard = []

    def listener(sender, instance, **kwargs):
        heard.append(instance.pk)

    post_init.connect(listener, sender=Jurisdiction)
    try:
        loaded = list(Jurisdiction.objects.subtree(cast.street))
    finally:
        post_init.disconnect(listener, sender=Jurisdiction)
    assert sorted(heard) == sorted(j.pk for j in loaded) and len(loaded) >= 2
