"""The hot-path INSERT writes exactly what `save()` would."""

import pytest
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
