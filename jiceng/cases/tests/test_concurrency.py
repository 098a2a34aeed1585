"""Two people acting on the same case at once: one wins, the other gets a clear conflict,
and the timeline has exactly one row for the step. Real threads, real connections; on
PostgreSQL the row lock (SELECT … FOR UPDATE) decides, on SQLite the write lock."""

import threading

import pytest
from django.db import connection

from jiceng.cases import actions
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.transitions import CaseError

from .fixtures import IN_GRID

pytestmark = pytest.mark.django_db(transaction=True)


def race(*steps):
    """Run the steps in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(steps))
    results: list = [None] * len(steps)

    def run(i, step):
        try:
            barrier.wait()
            results[i] = step()
        except Exception as exc:  # the loser's error is the result under test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(steps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_people_accepting_at_once_one_wins_and_one_gets_a_conflict(cast, reported):
    def accept(user):
        return lambda: actions.accept(Case.objects.get(pk=reported.pk), acting_user=user)

    results = race(accept(cast.secretary), accept(cast.secretary))
    winners = [r for r in results if isinstance(r, Case)]
    losers = [r for r in results if isinstance(r, CaseError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].status == 409 and "已签收" in str(losers[0])
    assert CaseEvent.objects.filter(case=reported, action="accept").count() == 1


def test_a_return_and_an_acceptance_at_once_leave_one_consistent_story(cast, reported):
    start = reported.version
    results = race(
        lambda: actions.accept(Case.objects.get(pk=reported.pk), acting_user=cast.secretary),
        lambda: actions.return_case(
            Case.objects.get(pk=reported.pk), acting_user=cast.secretary, reason="不归我们"
        ),
    )
    case = Case.objects.get(pk=reported.pk)
    actions_taken = list(case.events.values_list("action", flat=True))
    done = [r for r in results if isinstance(r, Case)]
    assert len(done) >= 1
    assert actions_taken[:2] == ["receive", "dispatch"]
    assert case.version == start + len(done)
    last = actions_taken[-1]
    assert case.status == {"accept": "accepted", "return": "returned"}[last]


def test_the_same_hotline_order_delivered_twice_at_once_makes_one_case(cast, catalogue, rules):
    def deliver():
        return actions.receive_hotline_order(
            order_no="RACE-1",
            category=catalogue["garbage"],
            description="同时推送",
            lng=IN_GRID[0],
            lat=IN_GRID[1],
        )

    results = race(deliver, deliver)
    assert all(isinstance(r, tuple) for r in results), results
    assert results[0][0].pk == results[1][0].pk
    assert Case.objects.filter(hotline_order_no="RACE-1").count() == 1
