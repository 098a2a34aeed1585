"""servicerequestupdates reads a window of the whole city's timeline by time; the cases
app's migration 0008 gives `CaseEvent.at` an index of its own for it: BRIN on PostgreSQL
(almost free for intake's inserts), a b-tree on SQLite (which has no BRIN)."""

from __future__ import annotations

import pytest
from django.db import connection

from jiceng.cases.models import CaseEvent

pytestmark = pytest.mark.django_db


def _indexes() -> dict[str, dict]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, CaseEvent._meta.db_table)
    return {name: c for name, c in found.items() if c["index"]}


def test_the_timeline_has_an_index_on_its_time_alone():
    index = _indexes()["caseevent_at"]
    assert index["columns"] == ["at"] and not index["unique"]


def test_the_index_is_brin_on_postgresql_and_a_btree_elsewhere():
    kind = _indexes()["caseevent_at"]["type"]
    assert kind == ("brin" if connection.vendor == "postgresql" else "idx")
