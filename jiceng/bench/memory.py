"""Resident memory of the processes production runs (issue 6): one gunicorn of jiceng.wsgi
after a mix of requests, and a Celery worker after a batch of notification jobs, each
master and each worker (or pool) process on its own row.

RSS (VmRSS in /proc/<pid>/status) counts every page a process has in memory, also those it
shares with its master since the fork and with every other process (the interpreter, the
libraries), so the RSS of several workers overstates what they cost together. PSS
(/proc/<pid>/smaps_rollup) divides each shared page among the processes that share it:
the PSS figures add up to what the processes cost. USS, the private pages only, is what
one process's exit would give back.

The server is http.py's (same command, same environment, same layout); the worker is
docs/deploy.md's unit (prefork, two pool processes) on a queue of its own. At the tiny
scale (the test suite) nothing is started: the figures are this process's own.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from .registry import Context, Figure, benchmark

MB = 1e6
PROC = Path("/proc")
DELIVER_TO = "jiceng.cases.notify.deliver_to"
# docs/deploy.md §8's worker unit; -Q, -n and the log level are added per run.
CELERY_ARGS = ("--concurrency=2", "--without-gossip", "--without-mingle")
CELERY_REDIS = "redis://127.0.0.1:6379/15"  # when REDIS_URL is not set
# The line Celery's worker log (its default format, --loglevel=INFO) has for each job run.
FINISHED = re.compile(r"/(ForkPoolWorker-\d+)\] Task jiceng\.run\[[^\]]+\] (?:succeeded|raised)")


@dataclass(frozen=True)
class Memory:
    """One process's memory, in bytes."""

    rss: int  # VmRSS
    peak: int  # VmHWM: the largest RSS it has had
    pss: int  # its private pages plus its share of each shared one
    uss: int  # its private pages only (Private_Clean + Private_Dirty)


@dataclass(frozen=True)
class Work:
    """What the processes do before they are measured."""

    requests: int  # HTTP requests the server answers
    clients: int  # urllib clients sending them at once (so every worker gets some)
    jobs: int  # notification jobs the Celery worker runs


WORK = {"full": Work(200, 4, 5000), "10m": Work(200, 4, 5000), "small": Work(200, 4, 1000)}


# --- /proc --------------------------------------------------------------------------------


def parse_kb_lines(text: str) -> dict[str, int]:
    """The `Key:  1234 kB` lines of /proc/<pid>/status or smaps_rollup, in bytes."""
    found = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        value = rest.split()
        if len(value) == 2 and value[1] == "kB" and value[0].isdigit():
            found[key.strip()] = int(value[0]) * 1024
    return found


def parse_parent(stat: str) -> int:
    """The parent's pid from /proc/<pid>/stat. The command name before it, in parentheses,
    may itself hold spaces and parentheses, so the fields are read after the last ')'."""
    return int(stat.rsplit(")", 1)[1].split()[1])


def memory_of(pid: int) -> Memory:
    status = parse_kb_lines((PROC / str(pid) / "status").read_text())
    rollup = parse_kb_lines((PROC / str(pid) / "smaps_rollup").read_text())
    private = rollup["Private_Clean"] + rollup["Private_Dirty"]
    return Memory(rss=status["VmRSS"], peak=status["VmHWM"], pss=rollup["Pss"], uss=private)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            with suppress(OSError):  # a process that ended since the listing
                if parse_parent((entry / "stat").read_text()) == pid:
                    found.append(int(entry.name))
    return sorted(found)


def command_line(pid: int) -> str:
    with suppress(OSError):
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    return ""


# --- figures ------------------------------------------------------------------------------


def rows(label: str, memory: Memory, note: str = "") -> list[Figure]:
    """An RSS and a PSS row for one process."""
    peak = f"peak (VmHWM) {memory.peak / MB:.1f} MB"
    return [
        Figure(f"{label}, RSS", "MB", [memory.rss / MB], f"{peak}; {note}" if note else peak),
        Figure(f"{label}, PSS", "MB", [memory.pss / MB], f"USS {memory.uss / MB:.1f} MB"),
    ]


def together(label: str, memories: list[Memory]) -> Figure:
    """What the processes cost together: their PSS summed (their RSS summed is not)."""
    rss = sum(m.rss for m in memories) / MB
    note = f"{len(memories)} processes; their RSS summed would say {rss:.1f} MB"
    return Figure(f"{label}, all processes, PSS", "MB", [sum(m.pss for m in memories) / MB], note)


# --- the benchmark ------------------------------------------------------------------------


@benchmark("process-memory")
def process_memory(ctx: Context) -> list[Figure]:
    """A gunicorn of jiceng.wsgi and a Celery worker, after they have done some work."""
    from jiceng.jurisdictions.models import Grid

    if ctx.scale.name == "tiny":
        return rows("This process (tiny scale: nothing started)", memory_of(os.getpid()))
    if not Grid.objects.general().exists():
        return []
    work = WORK.get(ctx.scale.name, WORK["small"])
    return server_memory(ctx, work) + worker_memory(work)


# --- the server ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One request of the mix, and the status it must answer with."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None
    expect: int = 200


def server_memory(ctx: Context, work: Work) -> list[Figure]:
    from . import http

    plan = http.plan_for(ctx.scale.name)
    creates = -(-work.requests // 4)  # one request in four
    bodies, _pings, tokens = http.prepare(ctx, replace(plan, bodies=creates, reporters=2))
    try:
        master, workers = serve(plan, bodies, tokens[0].user, work)
    finally:
        http.clean_up(tokens)
    return server_figures(master, workers, plan, work)


def serve(plan, bodies: list, reporter, work: Work) -> tuple[Memory, list[Memory]]:
    """The master's and each worker's memory after the server has answered the mix."""
    from . import http

    dispatcher, leader, city = signed_in(reporter)
    try:
        mix = request_mix(bodies, cookie(dispatcher), cookie(leader), city, work.requests)
        with (
            tempfile.TemporaryDirectory(prefix="jiceng-memory-") as tmp,
            http.redis_queue() as extra,
            http.gunicorn(plan, http.server_env(extra), Path(tmp) / "gunicorn.log") as base,
        ):
            send_all(base, mix, work.clients)
            master = gunicorn_master(base)
            return memory_of(master), [memory_of(pid) for pid in children_of(master)]
    finally:
        dispatcher.logout()
        leader.logout()


def signed_in(reporter) -> tuple:
    """Test clients signed in (Django's own login, a session row in the database the
    server reads) as the dispatcher of the reporter's subdistrict and the city leader,
    and the city's code."""
    from django.test import Client

    from jiceng.accounts.choices import Role
    from jiceng.jurisdictions.models import Jurisdiction

    from .pages import bench_user

    city = Jurisdiction.objects.filter(depth=0).order_by("path").first()
    subdistrict = reporter.jurisdiction.parent
    clients = []
    for role, place in ((Role.SUBDISTRICT_DISPATCHER, subdistrict), (Role.CITY_LEADER, city)):
        client = Client()
        client.force_login(bench_user(role, place))
        clients.append(client)
    return clients[0], clients[1], city.code


def cookie(client) -> str:
    from django.conf import settings

    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def request_mix(bodies: list, dispatcher: str, leader: str, city: str, count: int) -> list:
    """`count` requests taking turns: the sign-in page, a grid worker's case through the
    API, the dispatcher's queue, the city leader's dashboard."""
    from django.urls import reverse

    from .http import CASES

    sign_in = Request("GET", reverse("login"), {})
    queue = Request("GET", reverse("case-queue"), {"Cookie": dispatcher})
    dashboard = Request("GET", reverse("dashboard", args=[city]), {"Cookie": leader})
    mix = []
    for body in itertools.islice(itertools.cycle(bodies), -(-count // 4)):
        auth = {"Authorization": f"Token {body.token}", "Content-Type": "application/json"}
        create = Request("POST", CASES, auth, body.body.encode(), expect=201)
        mix += [sign_in, create, queue, dashboard]
    return mix[:count]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to check, not to follow: a session the server does not
    accept redirects to the sign-in page, which would otherwise pass for the page."""

    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(_NoRedirect)


def send(base: str, request: Request) -> None:
    sent = urllib.request.Request(
        base + request.path, data=request.body, headers=request.headers, method=request.method
    )
    try:
        with OPENER.open(sent, timeout=120) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    check(request, status)


def check(request: Request, status: int) -> None:
    """A refused or redirected request would measure a server that did not do the work."""
    if status != request.expect:
        what = f"{request.method} {request.path}"
        raise RuntimeError(f"{what} answered {status}, not {request.expect}")


def send_all(base: str, mix: list[Request], clients: int) -> None:
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(partial(send, base), mix))


def gunicorn_master(base: str) -> int:
    """The gunicorn that http.gunicorn() started on this base URL (a child of this process)."""
    bind = base.removeprefix("http://")
    for pid in children_of(os.getpid()):
        line = command_line(pid)
        if "gunicorn" in line and bind in line.split():
            return pid
    raise RuntimeError(f"no gunicorn bound to {bind} among this process's children")


def server_figures(master: Memory, workers: list[Memory], plan, work: Work) -> list[Figure]:
    layout = f"{plan.workers} gthread workers x {plan.threads} threads"
    if plan.threads == 1:
        layout = f"{plan.workers} sync workers"
    mix = (
        f"after {work.requests} requests from {work.clients} clients over all workers: the "
        "sign-in page, API case create, dispatcher's queue, city leader's dashboard in turn"
    )
    found = rows(f"gunicorn master ({layout})", master)
    for n, memory in enumerate(workers, 1):
        found += rows(f"gunicorn worker {n} of {len(workers)}", memory, mix)
    return [*found, together("gunicorn", [master, *workers])]


# --- the Celery worker --------------------------------------------------------------------


def worker_memory(work: Work) -> list[Figure]:
    from . import http

    url = os.environ.get("REDIS_URL") or CELERY_REDIS
    redis = redis_client(url)
    if redis is None:
        print(f"  no Redis at {url}: no Celery worker measured (make redis)", file=sys.stderr)
        return []
    marker = f"内存基准 {uuid.uuid4().hex[:8]}"
    jobs = notification_jobs(work.jobs, marker)
    expected = expected_rows(jobs)
    queue = f"jiceng-bench-memory-{uuid.uuid4().hex[:8]}"
    env = http.server_env({"REDIS_URL": url, "CELERY_QUEUE": queue})
    with tempfile.TemporaryDirectory(prefix="jiceng-memory-") as tmp:
        log = Path(tmp) / "worker.log"
        process = start_worker(env, queue, log)
        try:
            enqueue(jobs, env)
            shares = wait_until_done(marker, expected, len(jobs), process, log)
            master = memory_of(process.pid)
            pool = [memory_of(pid) for pid in children_of(process.pid)]
        finally:
            http.stop(process)
            redis.delete(*redis.scan_iter(match=f"*{queue}*"), queue)
            forget_rows(marker)
    return worker_figures(master, pool, work, shares)


def redis_client(url: str):
    """A client of the Redis at `url`, or None when none answers there."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        return None
    return client


def notification_jobs(count: int, marker: str) -> list[list]:
    """`count` deliver_to jobs about the latest cases, as the case actions queue them
    (handlers on assignment, verifiers on a reply, dispatchers when overdue); the bench's
    own secretary and dispatcher of each place make sure somebody is told."""
    from jiceng.cases.models import Case

    cases = list(Case.objects.select_related("community", "subdistrict").order_by("-id")[:50])
    if not cases:
        raise RuntimeError("no case to notify about: the server part files them first")
    recipients_for(cases)
    turns = [("handlers", "assignment"), ("verifiers", "verify"), ("dispatchers", "overdue")]
    jobs = []
    for n in range(count):
        case, (audience, kind) = cases[n % len(cases)], turns[n % len(turns)]
        jobs.append([[audience], kind, case.pk, f"{marker}：{case.number}"])
    return jobs


def recipients_for(cases: list) -> None:
    from jiceng.accounts.choices import Role

    from .pages import bench_user

    places = {(Role.COMMUNITY_SECRETARY, c.community) for c in cases if c.community_id}
    places |= {(Role.SUBDISTRICT_DISPATCHER, c.subdistrict) for c in cases if c.subdistrict_id}
    for role, place in places:
        bench_user(role, place)


def expected_rows(jobs: list[list]) -> int:
    """The inbox rows the jobs write, counted the way deliver_to finds its people: the
    worker is done when they are all there."""
    from jiceng.cases.models import Case
    from jiceng.cases.notify import AUDIENCES

    cases = Case.objects.select_related("assigned_jurisdiction").in_bulk({j[2] for j in jobs})
    people: dict[tuple[str, int], int] = {}
    for (audience,), _kind, case_id, _text in jobs:
        if (audience, case_id) not in people:
            people[audience, case_id] = AUDIENCES[audience](cases[case_id]).count()
    total = sum(people[audience, case_id] for (audience,), _k, case_id, _t in jobs)
    if not total:
        raise RuntimeError("the notification jobs would tell nobody")
    return total


def start_worker(env: dict[str, str], queue: str, log: Path) -> subprocess.Popen:
    """`celery -A jiceng worker` as deployed, on the run's own queue, in its own process
    group (http.stop ends the group however the run ends)."""
    celery = Path(sys.executable).with_name("celery")
    command = [str(celery), "-A", "jiceng", "worker", *CELERY_ARGS]
    command += ["-Q", queue, "-n", f"{queue}@%h", "--loglevel=INFO"]
    with log.open("wb") as out:
        return subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def enqueue(jobs: list[list], env: dict[str, str]) -> None:
    """Send the jobs through jobs.enqueue in a process with the worker's settings, as a
    server would: this one's Celery app and REDIS_URL setting stay as they are."""
    code = "import django; django.setup(); from jiceng.bench import memory; memory.enqueue_stdin()"
    subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(jobs), env=env, text=True, check=True
    )


def enqueue_stdin() -> None:
    from jiceng.lib import jobs

    for args in json.load(sys.stdin):
        jobs.enqueue(DELIVER_TO, *args)


def wait_until_done(
    marker: str, expected: int, count: int, process: subprocess.Popen, log: Path
) -> Counter[str]:
    """Until the worker has run every job and written every inbox row of the run (a bound
    on waiting, not a timing); the jobs each pool process ran, from the worker's log."""
    from jiceng.cases.models import Notification

    written = Notification.objects.filter(text__startswith=marker)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {process.returncode}:\n{tail(log)}")
        shares = jobs_per_process(log.read_text(errors="replace"))
        if shares.total() >= count and written.count() >= expected:
            return shares
        time.sleep(0.5)
    done = f"ran {shares.total()} of {count} jobs, wrote {written.count()} of {expected} rows"
    raise RuntimeError(f"the Celery worker {done}:\n{tail(log)}")


def jobs_per_process(log: str) -> Counter[str]:
    """Jobs finished (succeeded or raised), by pool process name, in the worker's log."""
    return Counter(FINISHED.findall(log))


def forget_rows(marker: str) -> None:
    """The run's inbox rows told the bench's own users nothing: they go with the run."""
    from jiceng.cases.models import Notification

    Notification.objects.filter(text__startswith=marker).delete()


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else ""


def worker_figures(
    master: Memory, pool: list[Memory], work: Work, shares: Counter[str]
) -> list[Figure]:
    done = f"after {work.jobs:,} notification jobs (deliver_to) shared by the pool"
    found = rows("Celery worker master (prefork, concurrency 2)", master)
    for n, memory in enumerate(pool, 1):
        found += rows(f"Celery pool process {n} of {len(pool)}", memory, done)
    total = together("Celery worker", [master, *pool])
    split = " + ".join(f"{n:,}" for _name, n in sorted(shares.items()))
    total.note += f"; jobs run per pool process (worker log): {split}"
    return [*found, total]
