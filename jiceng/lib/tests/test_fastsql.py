"""The hot-path INSERT writes exactly what `save()` would."""

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from jiceng.cases.models import CaseEvent
from jiceng.lib import fastsql

pytestmark = pytest.mark.django_db


def test_a_fast_insert_stores_the_same_row_as_save(reported):
    now = reported.received_at
    fast = fastsql.insert(
        CaseEvent(case=reported, action="urge", at=now, note="快", data={"k": [1, "二"]})
    )
    slow = CaseEvent.objects.create(
        case=reported, action="urge", at=now, note="快", data={"k": [1, "二"]}
    )
    stored = {
        e.pk: model_to_dict(e, exclude=["id"])
        for e in CaseEvent.objects.filter(pk__in=[fast.pk, slow.pk])
    }
    assert stored[fast.pk] == stored[slow.pk]
    assert stored[fast.pk]["data"] == {"k": [1, "二"]}


def test_many_rows_go_in_one_statement(reported, django_assert_num_queries):
    rows = [CaseEvent(case=reported, action="urge", at=reported.received_at) for _ in range(3)]
    with django_assert_num_queries(1):
        fastsql.insert_many(rows)
    assert reported.events.filter(action="urge").count() == 3


def test_writes_gathered_together_all_land_in_one_round_trip_on_postgresql(
    reported, django_assert_num_queries
):
    rows = [CaseEvent(case=reported, action=a, at=reported.received_at) for a in ("urge", "x")]
    statements = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(statements), fastsql.together():
        fastsql.insert_many(rows[:1])
        fastsql.insert_many(rows[1:])
    assert set(reported.events.values_list("action", flat=True)) >= {"urge", "x"}


def test_a_failing_block_sends_nothing_it_gathered(reported):
    row = CaseEvent(case=reported, action="urge", at=reported.received_at)
    with pytest.raises(RuntimeError), fastsql.together():
        fastsql.insert_many([row])
        raise RuntimeError("the action failed")
    sent = 0 if connection.vendor == "postgresql" else 1  # SQLite ran it at once
    assert reported.events.filter(action="urge").count() == sent


def prepared_inserts() -> int:
    """Statements this connection has prepared for CaseEvent inserts (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['INSERT INTO "cases_caseevent"%'],
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_hot_path_prepares_its_statements_on_postgresql_unless_turned_off(
    reported, settings, enabled
):
    settings.DB_PREPARED_STATEMENTS = enabled
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
    for _ in range(2):
        fastsql.insert(CaseEvent(case=reported, action="urge", at=reported.received_at))
    assert reported.events.filter(action="urge").count() == 2
    if connection.vendor == "postgresql":
        assert prepared_inserts() == (1 if enabled else 0)
    else:  # SQLite has no server-side statements to keep: Django's own cursor
        with fastsql.cursor_for_hot_path() as cursor:
            assert type(cursor.cursor).__module__.startswith("django.db.backends.sqlite3")


def test_a_statement_too_big_for_psycopgs_own_cache_runs_right_each_time(reported):
    """Twelve rows of eight columns: 96 parameters, over the 50 psycopg caches; the hot
    path keeps the conversion and must still send each call's own values."""
    for note in ("第一次", "第二次"):
        rows = [
            CaseEvent(case=reported, action="urge", at=reported.received_at, note=f"{note}{i}")
            for i in range(12)
        ]
        with fastsql.together():
            fastsql.insert_many(rows)
    notes = sorted(reported.events.filter(action="urge").values_list("note", flat=True))
    assert notes == sorted(f"{n}{i}" for n in ("第一次", "第二次") for i in range(12))
