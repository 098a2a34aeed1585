"""Background jobs: in-process without Redis; through the real Redis and a real Celery
worker process with it (no mock stands in for either).

The worker is started once per session on a queue of its own, so a stray worker from
elsewhere never takes these tasks, and reads the pytest-django test database (a file on
SQLite, see the root conftest), which is why the tests that use it are transactional.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from jiceng.cases import actions
from jiceng.cases.models import Case, CaseEvent, Notification
from jiceng.lib import jobs

DELIVER = "jiceng.cases.notify.deliver"
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
REDIS_NEEDED = (
    "The Celery job tests need Redis at {url} ({error}). `make test` starts it; by hand: "
    'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'
)
WAIT = 20  # seconds: a bound on waiting for the worker, not a timing assertion


def wait_for(probe, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"the Celery worker did not {what} within {WAIT} s")


# --- without Redis: in-process -----------------------------------------------------------


@pytest.mark.django_db
def test_without_redis_enqueue_runs_the_job_in_process_at_once(cast, settings):
    settings.REDIS_URL = ""
    jobs.enqueue(DELIVER, [cast.secretary.pk], "overdue", None, "现在就送达")
    assert Notification.objects.get(user=cast.secretary).text == "现在就送达"


@pytest.mark.django_db
def test_without_redis_a_notification_is_delivered_in_process_after_commit(
    cast, reported, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""
    Case.objects.filter(pk=reported.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.sweep()["overdue"] == 1
    assert Notification.objects.filter(user=cast.secretary, kind="overdue").exists()


@pytest.mark.parametrize("redis_url", ["", REDIS_URL])
@pytest.mark.parametrize(
    "path", ["os.system", "subprocess.run", "jiceng.cases.notify.send_mail", "jiceng_x.f"]
)
def test_an_enqueue_of_a_path_outside_jiceng_is_refused(path, redis_url, settings):
    settings.REDIS_URL = redis_url  # refused before anything is sent, with or without Redis
    with pytest.raises(jobs.JobRefused):
        jobs.enqueue(path, "echo refused")


@pytest.mark.django_db
def test_without_redis_enqueue_soon_runs_the_job_at_once(cast, reported, settings):
    from jiceng.cases.models import PendingNotification

    settings.REDIS_URL = ""
    PendingNotification.objects.create(
        audience=["dispatchers"], kind="overdue", case=reported, text="现在就送达"
    )
    jobs.enqueue_soon("jiceng.cases.notify.deliver_pending")
    assert not jobs.sends_scheduled()
    assert Notification.objects.get(user=cast.dispatcher).text == "现在就送达"
    assert not PendingNotification.objects.exists()


@pytest.fixture
def unread_queue(settings):
    """Sends go through the real Redis to a queue no worker reads, so they can be counted."""
    from jiceng.celery import app

    client = require_redis()
    queue = f"jiceng-test-unread-{uuid.uuid4().hex[:12]}"
    before = app.conf.broker_url, app.conf.task_default_queue
    app.conf.broker_url, app.conf.task_default_queue = REDIS_URL, queue
    settings.REDIS_URL, settings.JICENG_NUDGE_SECONDS = REDIS_URL, 0.5
    try:
        yield SimpleNamespace(count=lambda: client.llen(queue))
    finally:
        wait_for(lambda: not jobs.sends_scheduled(), "send what was scheduled")
        app.conf.broker_url, app.conf.task_default_queue = before
        client.delete(*client.scan_iter(match=f"*{queue}*"), queue)


def test_many_enqueue_soon_calls_in_one_window_send_one_message(unread_queue):
    for _ in range(50):  # fifty commits inside the half-second window
        jobs.enqueue_soon("jiceng.cases.notify.deliver_pending")
    assert jobs.sends_scheduled()
    wait_for(lambda: not jobs.sends_scheduled(), "send the message")
    assert unread_queue.count() == 1
    assert not jobs.sends_scheduled()  # nothing more is coming


def test_a_call_after_the_send_is_followed_by_a_send_of_its_own(unread_queue):
    jobs.enqueue_soon("jiceng.cases.notify.deliver_pending")
    wait_for(lambda: unread_queue.count() == 1, "send the first message")
    jobs.enqueue_soon("jiceng.cases.notify.deliver_pending")
    wait_for(lambda: unread_queue.count() == 2, "send the second message")


@pytest.mark.parametrize("path", ["os.system", "jiceng.cases.notify.send_mail"])
def test_enqueue_soon_refuses_a_path_outside_jiceng_before_scheduling(path, settings):
    settings.REDIS_URL = REDIS_URL
    with pytest.raises(jobs.JobRefused):
        jobs.enqueue_soon(path)
    assert not jobs.sends_scheduled()


def test_the_worker_refuses_a_path_outside_jiceng_too():
    # Anyone who can write to Redis can queue a message; the task checks again.
    from jiceng.tasks import run

    with pytest.raises(jobs.JobRefused):
        run("os.system", "echo refused")


@pytest.mark.django_db
def test_the_sweep_command_prints_its_counts_as_json(reported):
    Case.objects.filter(pk=reported.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    out = io.StringIO()
    call_command("sweep", stdout=out)
    assert json.loads(out.getvalue()) == {"warned": 0, "overdue": 1, "late_summons": 0}


@pytest.mark.django_db(transaction=True)
def test_the_inprocess_sweeper_marks_an_overdue_case_and_runs_once_per_process(reported):
    Case.objects.filter(pk=reported.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    thread = jobs.start_inprocess_sweeper(interval=0.2)
    try:
        assert jobs.start_inprocess_sweeper(interval=0.2) is thread
        wait_for(lambda: Case.objects.filter(pk=reported.pk, overdue=True).exists(), "sweep")
    finally:
        jobs.stop_inprocess_sweeper(timeout=WAIT)
    assert not thread.is_alive()


# --- with Redis: a real Celery worker process ---------------------------------------------


def worker_database_url() -> str:
    """The test database (not the one DATABASE_URL names) as a URL for the worker."""
    db = connection.settings_dict  # after django_db_setup, NAME is the test database
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + db["NAME"]))


def require_redis() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
        return client
    except redis.RedisError as error:
        message = REDIS_NEEDED.format(url=REDIS_URL, error=error)
    pytest.fail(message, pytrace=False)  # outside `except`: no chained traceback


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, tmp_path_factory):
    """A real `celery worker` subprocess on a queue of this session, against the test
    database; terminated (warm shutdown) at the end of the session."""
    client = require_redis()
    queue = f"jiceng-test-{uuid.uuid4().hex[:12]}"
    hostname = f"{queue}@jiceng-tests"
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "jiceng.settings",
        "DATABASE_URL": worker_database_url(),
        "CONN_MAX_AGE": "0",  # no idle connection left to stop the test database's drop
        "REDIS_URL": REDIS_URL,
        "CELERY_QUEUE": queue,  # the worker's own sends (deliver after a sweep) stay here
    }
    celery = Path(sys.executable).with_name("celery")
    args = [str(celery), "-A", "jiceng", "worker", "--pool=solo", "--concurrency=1"]
    args += ["-Q", queue, "-n", hostname, "--without-gossip", "--without-mingle"]
    args += ["--without-heartbeat", "--loglevel=INFO"]
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)

    from jiceng.celery import app

    # This process sends to the same broker and queue (its settings were read without them).
    app.conf.broker_url = REDIS_URL
    app.conf.task_default_queue = queue
    try:
        _wait_until_ready(app, proc, hostname, log)
        yield SimpleNamespace(app=app, queue=queue, hostname=hostname, redis=client, log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        # The queue and kombu's bindings for it (key names vary across kombu versions).
        client.delete(*client.scan_iter(match=f"*{queue}*"), queue)


def _wait_until_ready(app, proc, hostname: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the Celery worker exited ({proc.returncode}):\n{log.read_text()}")
        if app.control.ping(destination=[hostname], timeout=0.5):
            return
    pytest.fail(f"the Celery worker was not ready within 60 s:\n{log.read_text()}")


@pytest.fixture
def through_redis(celery_worker, settings, transactional_db):
    """Jobs go to Redis, and committed rows are what the worker sees. Afterwards, waits
    until the worker is idle, so no job of this test writes into the next one's tables."""
    settings.REDIS_URL = REDIS_URL
    yield celery_worker
    wait_for(lambda: _idle(celery_worker), "finish its jobs")


def _idle(worker) -> bool:
    if jobs.sends_scheduled() or worker.redis.llen(worker.queue):
        return False
    # The solo pool answers control commands only between tasks: no answer means busy.
    inspect = worker.app.control.inspect([worker.hostname], timeout=0.5)
    active, reserved = inspect.active() or {}, inspect.reserved() or {}
    return active.get(worker.hostname) == [] and reserved.get(worker.hostname) == []


def test_an_enqueue_through_redis_is_run_by_the_worker(through_redis, cast):
    jobs.enqueue(DELIVER, [cast.secretary.pk, cast.dispatcher.pk], "overdue", None, "经由Redis")
    delivered = Notification.objects.filter(text="经由Redis")
    wait_for(lambda: delivered.count() == 2, "write the notifications")
    assert set(delivered.values_list("user", flat=True)) == {cast.secretary.pk, cast.dispatcher.pk}


def test_the_sweep_task_run_by_the_worker_marks_an_overdue_case(through_redis, cast, reported):
    from jiceng.tasks import sweep

    Case.objects.filter(pk=reported.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    sweep.apply_async()
    wait_for(lambda: Case.objects.filter(pk=reported.pk, overdue=True).exists(), "sweep")
    assert CaseEvent.objects.filter(case=reported, action="overdue").count() == 1
    # The sweep's notifications went back through Redis to the same worker.
    wait_for(
        lambda: Notification.objects.filter(user=cast.secretary, kind="overdue").exists(),
        "deliver the overdue notification",
    )


def test_an_action_s_notification_reaches_the_inbox_through_the_outbox_and_the_worker(
    through_redis, cast, catalogue, rules
):
    from jiceng.cases.models import PendingNotification
    from jiceng.cases.tests.conftest import IN_GRID

    case, _ = actions.receive_hotline_order(
        order_no="outbox-redis", category=catalogue["garbage"], description="垃圾满溢",
        lng=IN_GRID[0], lat=IN_GRID[1],
    )  # fmt: skip
    told = Notification.objects.filter(case=case, user=cast.secretary)
    wait_for(told.exists, "deliver the intake's notification")
    wait_for(lambda: not PendingNotification.objects.exists(), "delete the delivered row")


def test_the_beat_schedule_names_a_task_the_worker_runs(celery_worker):
    entry = django_settings.CELERY_BEAT_SCHEDULE["sweep"]
    assert entry["task"] == "jiceng.sweep" and entry["schedule"] == 60.0
    drain = django_settings.CELERY_BEAT_SCHEDULE["notifications"]
    assert drain["task"] == "jiceng.run"
    assert drain["args"] == ("jiceng.cases.notify.deliver_pending",)
    jobs.resolve(drain["args"][0])  # a path the worker accepts
    inspect = celery_worker.app.control.inspect([celery_worker.hostname], timeout=WAIT)
    registered = inspect.registered()[celery_worker.hostname]
    assert "jiceng.sweep" in registered and "jiceng.run" in registered
