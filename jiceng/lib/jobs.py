"""Background jobs: on a Celery worker through Redis when REDIS_URL is set, in this
process otherwise (the embedded demo has no Redis). See docs/jobs.md.

A job is a function of jiceng named by its dotted path, with JSON-serialisable
arguments, so the same call works both ways: `enqueue("jiceng.cases.notify.deliver", ...)`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

PREFIX = "jiceng."


class JobRefused(ValueError):
    """The dotted path does not name a function of jiceng."""


def resolve(task_path: str) -> Callable:
    # Anyone who can write to Redis can queue a path, so only jiceng's own functions run:
    # not `os.system`, and not a function another library's that a jiceng module imported
    # (`jiceng.cases.notify.send_mail`).
    if not task_path.startswith(PREFIX):
        raise JobRefused(f"{task_path!r} is not under {PREFIX!r}")
    func = import_string(task_path)
    if not callable(func) or not getattr(func, "__module__", "").startswith(PREFIX):
        raise JobRefused(f"{task_path!r} is not a function defined in jiceng")
    return func


def call(task_path: str, *args) -> None:
    resolve(task_path)(*args)


def enqueue(task_path: str, *args) -> None:
    """Run `task_path(*args)` in the background: sent to the Celery worker when REDIS_URL
    is set, called right here otherwise. The path is checked before anything is sent."""
    resolve(task_path)
    if settings.REDIS_URL:
        # Imported here, not at startup: the demo without Redis never loads Celery.
        from jiceng.tasks import run

        run.apply_async(args=(task_path, *args))
    else:
        call(task_path, *args)


# How long a process gathers nudges before sending one (JICENG_NUDGE_SECONDS).
_soon_lock = threading.Lock()
_soon: dict[str, threading.Timer] = {}
_sending = 0  # sends under way (their timer has fired)


def enqueue_soon(task_path: str) -> None:
    """`enqueue(task_path)` for a job that drains a table (the notification outbox), sent
    at most once per JICENG_NUDGE_SECONDS per process instead of once per call: under
    load, hundreds of commits a second share one Celery message, whose publish would
    otherwise cost a request about a fifth of its time (docs/load.md).

    Every call is followed by a send that starts after it: a call that finds a send
    already scheduled returns, and that send goes after the call (the timer removes
    itself under the lock before sending). Without Redis the job runs at once, here."""
    resolve(task_path)
    if not settings.REDIS_URL:
        call(task_path)
        return
    with _soon_lock:
        if task_path in _soon:
            return
        timer = threading.Timer(settings.JICENG_NUDGE_SECONDS, _send_soon, args=(task_path,))
        timer.daemon = True
        _soon[task_path] = timer
    timer.start()


def sends_scheduled() -> bool:
    """Whether an `enqueue_soon` send of this process is waiting for its time or going."""
    with _soon_lock:
        return bool(_soon) or _sending > 0


def _send_soon(task_path: str) -> None:
    global _sending
    with _soon_lock:
        _soon.pop(task_path, None)
        _sending += 1
    try:
        enqueue(task_path)
    except Exception:  # Redis down: the periodic drain (celery beat) catches up
        log.exception("could not send %s; the periodic run will do it", task_path)
    finally:
        with _soon_lock:
            _sending -= 1


# --- the in-process sweep, for the embedded demo without celery beat --------------------


def sweep_logged() -> dict[str, int] | None:
    """One sweep for a loop that must outlive its failures: logs the counts or the error
    (the next run tries again), and closes this thread's database connections so a
    long-lived loop never holds a broken or stale one."""
    from jiceng.cases.actions import sweep

    try:
        counts = sweep()
    except Exception:
        log.exception("sweep failed; the next run tries again")
        return None
    else:
        # A quiet minute is the common case; only a sweep that marked something is news.
        log.log(logging.INFO if any(counts.values()) else logging.DEBUG, "sweep: %s", counts)
        return counts
    finally:
        connections.close_all()


_sweeper: threading.Thread | None = None
_sweeper_stop = threading.Event()
_sweeper_lock = threading.Lock()


def start_inprocess_sweeper(interval: float = 60) -> threading.Thread:
    """Run the sweep every `interval` seconds in a daemon thread; at most one per process
    (a second call returns the running thread)."""
    global _sweeper
    with _sweeper_lock:
        if _sweeper is not None and _sweeper.is_alive():
            return _sweeper
        _sweeper_stop.clear()
        _sweeper = threading.Thread(
            target=_sweep_every, args=(interval,), name="jiceng-sweeper", daemon=True
        )
        _sweeper.start()
        return _sweeper


def stop_inprocess_sweeper(timeout: float | None = None) -> None:
    with _sweeper_lock:
        _sweeper_stop.set()
        if _sweeper is not None:
            _sweeper.join(timeout)


def _sweep_every(interval: float) -> None:
    while not _sweeper_stop.is_set():
        sweep_logged()
        _sweeper_stop.wait(interval)
