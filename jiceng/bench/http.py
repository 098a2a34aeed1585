"""The open API under load: POST /api/v1/cases (grid reports) against the framework's
ceiling, a trivial authenticated one-row insert (POST /api/v1/bench/ping, jiceng/loadprobe),
both on the same gunicorn in the same run, driven by wrk on this machine (docs/load.md).

wrk is Debian's (`make bench` installs it): a Lua script picks, for every request, one of
a few thousand prepared bodies (a random point inside a random grid, a random matter) and
the token of the grid worker who sends it; its `done` hook prints one JSON line that
`parse_wrk` reads. Each figure is the median of several runs after a warm-up; the two
endpoints take turns within a run so both see the same machine.

The peer, django-helpdesk creating tickets on a gunicorn of its own, takes its turn after
the cases in every run when it can be installed (helpdesk.py).

At the tiny scale (the test suite) nothing is served: the same prepared requests go
through Django's test client, so the code that builds them keeps working.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import shapely

from .registry import Context, Figure, benchmark

if TYPE_CHECKING:
    from .helpdesk import Peer

CASES = "/api/v1/cases/"
PING = "/api/v1/bench/ping/"
TICKETS = "/api/tickets/"  # the peer's: django-helpdesk's ticket create (helpdesk.py)
MARK = "JICENG-WRK "  # the line the Lua `done` hook prints
WORKER_TOKEN = "bench-http"  # the name of the tokens made for the run


@dataclass(frozen=True)
class Plan:
    """How the server runs and how hard and long it is driven."""

    workers: int  # gunicorn worker processes
    threads: int  # threads per worker (gthread; 1 = the sync worker)
    connections: int  # wrk's open connections
    warmup: float  # seconds per endpoint before the timed runs
    seconds: float  # seconds per timed run and endpoint
    runs: int  # timed runs (each figure is their median)
    bodies: int  # prepared case bodies the script picks from
    reporters: int  # grid workers (one community each) sending them


# 2 gthread workers x 4 threads: the best of the layouts tried on this 2-core machine
# (docs/load.md has the table); wrk's own two threads share the same cores.
PLANS = {
    "full": Plan(2, 4, 16, 10.0, 15.0, 3, 4000, 20),
    "small": Plan(2, 4, 16, 5.0, 10.0, 3, 2000, 10),
    "tiny": Plan(1, 1, 1, 0.0, 0.0, 1, 10, 2),
}
PLANS["10m"] = PLANS["full"]  # the same server and load, on ten times the cases


@dataclass(frozen=True)
class Prepared:
    """One request as wrk (or the test client) sends it."""

    token: str
    body: str


@dataclass(frozen=True)
class Load:
    """What one wrk run measured."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx answers plus connect/read/write errors and timeouts

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- the workload -----------------------------------------------------------------------


def point_inside(geometry, rng: random.Random) -> tuple[float, float]:
    """A uniform random point inside a polygon (rejection sampling in its bounding box)."""
    x0, y0, x1, y1 = geometry.bounds
    for _ in range(1000):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if shapely.contains_xy(geometry, x, y):
            return x, y
    point = geometry.representative_point()  # a sliver: any inner point will do
    return point.x, point.y


def case_body(category: str, lng: float, lat: float) -> str:
    return json.dumps(
        {
            "source": "grid_report",
            "category": category,
            "lng": round(lng, 7),
            "lat": round(lat, 7),
            "crs": "wgs84",
            "description": "压力测试：网格员上报",
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def prepare(ctx: Context, plan: Plan) -> tuple[list[Prepared], list[Prepared], list]:
    """(case requests, ping requests, the tokens made): grid workers of random
    communities, each with an API token made by the real actions, reporting at random
    points inside random grids of their own community."""
    from jiceng.cases.demo import ensure_policy
    from jiceng.cases.models import Category
    from jiceng.jurisdictions.models import Grid

    ensure_policy()
    rng = random.Random(ctx.seed)
    codes = list(Category.objects.filter(parent__isnull=False).values_list("code", flat=True))
    communities = sorted(set(Grid.objects.general().values_list("community_id", flat=True)))
    chosen = rng.sample(communities, min(plan.reporters, len(communities)))
    reporters, tokens = [], []
    for community_id in chosen:
        token, raw = _reporter_token(community_id)
        tokens.append(token)
        grids = [g.geometry for g in Grid.objects.general().filter(community_id=community_id)]
        reporters.append((raw, grids))
    cases = []
    for _ in range(plan.bodies):
        raw, grids = rng.choice(reporters)
        lng, lat = point_inside(rng.choice(grids), rng)
        cases.append(Prepared(raw, case_body(rng.choice(codes), lng, lat)))
    pings = [Prepared(raw, "{}") for raw, _ in reporters]
    return cases, pings, tokens


def _reporter_token(community_id: int):
    from jiceng.accounts.choices import Role
    from jiceng.api.actions import create_token
    from jiceng.jurisdictions.models import Jurisdiction

    from .pages import bench_user

    user = bench_user(Role.GRID_WORKER, Jurisdiction.objects.get(pk=community_id))
    return create_token(user, name=WORKER_TOKEN)


# --- wrk --------------------------------------------------------------------------------


def lua_script(path: str, requests: list[Prepared]) -> str:
    """wrk's script: every request one of `requests` at random (each wrk thread has its
    own Lua state and seed); `done` prints the totals and percentiles as one JSON line."""
    rows = ",\n".join(f"  {{{_lua(f'Token {r.token}')}, {_lua(r.body)}}}" for r in requests)
    return LUA.replace("%PATH%", _lua(path)).replace("%ROWS%", rows).replace("%MARK%", MARK)


def _lua(text: str) -> str:
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


LUA = r"""-- written by jiceng/bench/http.py for one run
local path = %PATH%
local rows = {
%ROWS%
}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  math.randomseed(id * 7919)
end
function request()
  local row = rows[math.random(#rows)]
  return wrk.format("POST", path,
    {["Authorization"] = row[1], ["Content-Type"] = "application/json"}, row[2])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%MARK%{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def parse_wrk(stdout: str) -> Load:
    """The figures from the line the script's `done` hook printed."""
    found = re.search(rf"^{re.escape(MARK)}(\{{.*\}})\s*$", stdout, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no summary line:\n{stdout[-2000:]}")
    data = json.loads(found.group(1))
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Load(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1e3,
        p99_ms=data["p99_us"] / 1e3,
        errors=errors,
    )


def run_wrk(base: str, script: Path, seconds: float, plan: Plan) -> Load:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (make bench does it)")
    command = [wrk, "-t2", f"-c{plan.connections}", f"-d{max(1, round(seconds))}s"]
    command += ["--timeout", "10s", "-s", str(script), base]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


# --- gunicorn ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def plan_for(scale: str) -> Plan:
    """The scale's plan; JICENG_HTTP_SERVER=<workers>x<threads> (2x4, 3x1 for sync workers)
    and JICENG_HTTP_SECONDS override the layout and the run length, to compare layouts."""
    plan = PLANS.get(scale, PLANS["small"])
    layout = os.environ.get("JICENG_HTTP_SERVER", "")
    if layout:
        workers, threads = (int(n) for n in layout.split("x"))
        plan = replace(plan, workers=workers, threads=threads)
    if os.environ.get("JICENG_HTTP_SECONDS"):
        plan = replace(plan, seconds=float(os.environ["JICENG_HTTP_SECONDS"]))
    return plan


def server_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The bench's own database and settings, plus what a production server would set:
    persistent connections, no debug, quiet logs, the load probe on."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="jiceng.settings",
        DEBUG="false",
        CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
        JICENG_LOAD_PROBE="true",
        # The per-user limit stays on (its cache round trips are part of every request
        # in production) but far above what the bench sends, so no request is refused.
        JICENG_API_RATE="1000000/min",
    )
    env.update(extra or {})
    return env


@contextmanager
def gunicorn(
    plan: Plan,
    env: dict[str, str],
    log: Path,
    *,
    python: str = sys.executable,
    app: str = "jiceng.wsgi:application",
    chdir: Path | None = None,
    probe: str = PING,
) -> Iterator[str]:
    """`gunicorn jiceng.wsgi` (or another `app`, with another venv's `python`, from
    `chdir`) on a free port for the block; yields its base URL and stops it (TERM, then
    KILL to its whole process group) however the block ends."""
    port = free_port()
    command = [python, "-m", "gunicorn", app]
    if chdir is not None:
        command += ["--chdir", str(chdir)]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(plan.workers)]
    if plan.threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(plan.threads)]
        # Each worker takes at most its share of wrk's keep-alive connections. Unbounded,
        # the first worker to wake accepts most of them (seen: 15/1, 8/8 and 16/0 of 16
        # in three runs) and serves them alone on one core, behind its own GIL.
        command += ["--worker-connections", str(-(-plan.connections // plan.workers))]
    command += ["--timeout", "60", "--graceful-timeout", "5", "--error-logfile", str(log)]
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(
            command, env=env, stdout=devnull, stderr=devnull, start_new_session=True
        )
    try:
        wait_until_up(process, f"http://127.0.0.1:{port}", log, probe=probe)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def wait_until_up(
    process: subprocess.Popen, base: str, log: Path, limit: float = 60, probe: str = PING
) -> None:
    """Until the server answers anything over HTTP (an unauthenticated POST is refused)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{_tail(log)}")
        try:
            urllib.request.urlopen(urllib.request.Request(base + probe, method="POST"), timeout=2)
            return
        except urllib.error.HTTPError:
            return  # an answer (401/403/404) is all that is asked here
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer within {limit:.0f} s:\n{_tail(log)}")


def stop(process: subprocess.Popen) -> None:
    """TERM the master (it stops its workers), KILL the group if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # stray workers of a crashed master
    process.wait()


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else ""


# --- the benchmark ----------------------------------------------------------------------


@benchmark("http")
def http(ctx: Context) -> list[Figure]:
    """POST /api/v1/cases and the one-row ceiling, measured on the same server."""
    from jiceng.jurisdictions.models import Grid

    if not Grid.objects.general().exists():
        return []
    plan = plan_for(ctx.scale.name)
    cases, pings, tokens = prepare(ctx, plan)
    try:
        if ctx.scale.name == "tiny":
            return in_process(cases, pings)
        return under_gunicorn(cases, pings, plan)
    finally:
        clean_up(tokens)


def under_gunicorn(cases: list[Prepared], pings: list[Prepared], plan: Plan) -> list[Figure]:
    from . import helpdesk

    with tempfile.TemporaryDirectory(prefix="jiceng-http-") as tmp, redis_queue() as extra:
        folder = Path(tmp)
        scripts = {}
        for path, requests in ((PING, pings), (CASES, cases)):
            scripts[path] = folder / f"{path.strip('/').replace('/', '-')}.lua"
            scripts[path].write_text(lua_script(path, requests), encoding="utf-8")
        # The peer (django-helpdesk on a gunicorn of its own) is installed and migrated
        # before jiceng's server starts, and takes its turn after the cases in every run,
        # so all three endpoints see the same machine.
        with (
            helpdesk.serve(plan, cases, folder) as peer,
            gunicorn(plan, server_env(extra), folder / "gunicorn.log") as base,
        ):
            for path in (PING, CASES):
                run_wrk(base, scripts[path], plan.warmup, plan)
                settle(base, pings[0])
            peer.warm_up(plan)
            loads = {PING: [], CASES: []}
            for _ in range(plan.runs):
                for path in (PING, CASES):
                    loads[path].append(run_wrk(base, scripts[path], plan.seconds, plan))
                    settle(base, pings[0])
                if peer.measured:
                    loads.setdefault(TICKETS, []).append(peer.run(plan))
    return figures(loads, plan, peer)


def settle(base: str, ping: Prepared, path: str = PING) -> None:
    """One request (a ping), waited for: requests wrk gave up on when its time ran out
    are still queued in the server, and must not eat into the next run's time."""
    request = urllib.request.Request(
        base + path,
        data=ping.body.encode(),
        headers={"Authorization": f"Token {ping.token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=120) as answer:
        answer.read()


LABELS = {
    CASES: "POST /api/v1/cases (grid report)",
    PING: "POST ping",
    TICKETS: "POST django-helpdesk /api/tickets (ticket)",
}


def figures(loads: dict[str, list[Load]], plan: Plan, peer: Peer | None = None) -> list[Figure]:
    layout = (
        f"gunicorn {plan.workers} gthread workers x {plan.threads} threads"
        if plan.threads > 1
        else f"gunicorn {plan.workers} sync workers"
    )
    load = f"wrk 2 threads, {plan.connections} connections, {plan.seconds:.0f} s per run"
    found = []
    for path, label in LABELS.items():
        if path not in loads:
            continue
        runs = loads[path]
        total, errors = sum(r.requests for r in runs), sum(r.errors for r in runs)
        note = f"{layout}; {load}; {errors:,} errors in {total:,} requests"
        if path == TICKETS and peer is not None:
            note += f"; {peer.created:,} tickets created (counted after each run)"
        found += [
            Figure(f"HTTP {label}, throughput", "req/s", [r.rate for r in runs], note),
            Figure(f"HTTP {label}, p50 latency", "ms", [r.p50_ms for r in runs], layout),
            Figure(f"HTTP {label}, p99 latency", "ms", [r.p99_ms for r in runs], layout),
        ]
    if not all(p.requests for p in loads[PING]):
        raise RuntimeError(f"the ping endpoint answered nothing in a run: {loads[PING]}")
    ratios = [100 * c.rate / p.rate for c, p in zip(loads[CASES], loads[PING], strict=True)]
    note = "cases/s ÷ pings/s, run by run (target ≥ 50 %, and ≥ 300 cases/s)"
    if peer is not None and not peer.measured:
        note += f"; django-helpdesk not measured: {peer.reason}"
    found.append(Figure("HTTP case intake as a share of the ceiling", "%", ratios, note))
    return found + (peer_figures(loads, peer) if TICKETS in loads else [])


def peer_figures(loads: dict[str, list[Load]], peer: Peer | None) -> list[Figure]:
    """Case intake against django-helpdesk's ticket create, and the ticket create against
    jiceng's ceiling (both servers run the same Django, DRF, gunicorn and psycopg), run
    by run."""
    tickets = loads[TICKETS]
    if not all(t.requests for t in tickets):
        raise RuntimeError(f"django-helpdesk answered nothing in a run: {tickets}")
    versus = [c.rate / t.rate for c, t in zip(loads[CASES], tickets, strict=True)]
    shares = [100 * t.rate / p.rate for t, p in zip(tickets, loads[PING], strict=True)]
    peer_name = f"django-helpdesk {peer.version}" if peer is not None else "django-helpdesk"
    return [
        Figure(
            "HTTP case intake ÷ django-helpdesk ticket create",
            "×",
            versus,
            f"cases/s ÷ tickets/s, run by run; {peer_name} on its own gunicorn (same layout,"
            " same wrk load) and its own database on the same server; see docs/load.md",
        ),
        Figure(
            "HTTP django-helpdesk ticket create as a share of the ceiling",
            "%",
            shares,
            "tickets/s ÷ jiceng's pings/s, run by run",
        ),
    ]


@contextmanager
def redis_queue() -> Iterator[dict[str, str]]:
    """Jobs to Redis as in production (docs/deploy.md), into a queue of the bench's own
    that no worker reads and that is deleted afterwards; none when Redis is not there."""
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    queue = "jiceng-bench-http"
    try:
        import redis

        client = redis.Redis.from_url(url)
        client.ping()
    except Exception:  # no Redis here: jobs then run in the server process
        yield {"REDIS_URL": ""}
        return
    try:
        yield {"REDIS_URL": url, "CELERY_QUEUE": queue}
    finally:
        client.delete(queue, f"_kombu.binding.{queue}")


def in_process(cases: list[Prepared], pings: list[Prepared]) -> list[Figure]:
    """Tiny scale: the prepared requests through the test client (no server, no wrk)."""
    from django.test import Client, override_settings

    client = Client()
    samples = {}
    with override_settings(JICENG_LOAD_PROBE=True):
        for path, requests in ((PING, pings), (CASES, cases)):
            started = time.perf_counter()
            for r in requests:
                auth = {"HTTP_AUTHORIZATION": f"Token {r.token}"}
                answer = client.post(path, r.body, content_type="application/json", **auth)
                if answer.status_code != 201:
                    raise RuntimeError(f"{path} answered {answer.status_code}: {answer.content!r}")
            samples[path] = [len(requests) / (time.perf_counter() - started)]
    note = "tiny scale: in-process through Django's test client, no server"
    return [
        Figure("HTTP POST /api/v1/cases (grid report), in process", "req/s", samples[CASES], note),
        Figure("HTTP POST ping, in process", "req/s", samples[PING], note),
    ]


def clean_up(tokens: list) -> None:
    """Revoke the run's tokens and drop the probe's rows (the cases stay: they are data)
    and the run's pending notifications (no worker read the run's queue)."""
    from jiceng.api.actions import revoke_token
    from jiceng.cases.models import PendingNotification
    from jiceng.loadprobe.actions import clear_pings

    for token in tokens:
        revoke_token(token)
    clear_pings()
    reporters = [token.user_id for token in tokens]
    PendingNotification.objects.filter(case__reporter__in=reporters).delete()
