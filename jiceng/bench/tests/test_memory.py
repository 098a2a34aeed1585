"""The memory benchmark's parts: reading /proc, finding child processes, the request mix
and the notification jobs it sends, and the rows it reports. Nothing is started here: the
server and the worker are measured by `python -m jiceng.bench` only, and no figure is
asserted, ever."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import pytest
from django.test import Client

from jiceng.api.actions import create_token
from jiceng.bench import memory
from jiceng.bench.__main__ import run
from jiceng.bench.http import CASES, Prepared, case_body
from jiceng.bench.registry import BENCHMARKS, SCALES
from jiceng.cases.models import Notification
from jiceng.cases.tests.fixtures import IN_GRID
from jiceng.lib import jobs

STATUS = """Name:\tgunicorn
Umask:\t0022
State:\tS (sleeping)
Pid:\t4242
PPid:\t4200
VmPeak:\t  412008 kB
VmHWM:\t  101376 kB
VmRSS:\t   98304 kB
RssAnon:\t   61440 kB
Threads:\t5
voluntary_ctxt_switches:\t1234
"""

ROLLUP = """55d0c0a00000-7ffd2a5f1000 ---p 00000000 00:00 0                          [rollup]
Rss:               98304 kB
Pss:               70656 kB
Pss_Dirty:         60000 kB
Shared_Clean:      30720 kB
Shared_Dirty:       2048 kB
Private_Clean:      1024 kB
Private_Dirty:     64512 kB
Swap:                  0 kB
"""


def test_kb_lines_are_read_as_bytes_and_other_lines_are_skipped():
    status = memory.parse_kb_lines(STATUS)
    assert status["VmRSS"] == 98304 * 1024 and status["VmHWM"] == 101376 * 1024
    assert "Threads" not in status and "Name" not in status and "State" not in status
    rollup = memory.parse_kb_lines(ROLLUP)
    assert rollup["Pss"] == 70656 * 1024 and rollup["Private_Dirty"] == 64512 * 1024
    assert not any("rollup" in key for key in rollup)


def test_the_parent_is_read_after_a_command_name_holding_spaces_and_parentheses():
    stat = "4242 (gunicorn: (worker) [x]) S 4200 4200 4100 0 -1 4194560 1500 0 0 0"
    assert memory.parse_parent(stat) == 4200


def test_the_memory_of_a_process_gives_uss_as_its_private_pages(tmp_path, monkeypatch):
    (tmp_path / "4242").mkdir()
    (tmp_path / "4242" / "status").write_text(STATUS)
    (tmp_path / "4242" / "smaps_rollup").write_text(ROLLUP)
    monkeypatch.setattr(memory, "PROC", tmp_path)
    assert memory.memory_of(4242) == memory.Memory(
        rss=98304 * 1024, peak=101376 * 1024, pss=70656 * 1024, uss=(1024 + 64512) * 1024
    )


def test_the_memory_of_this_process_is_read_from_the_real_proc():
    mine = memory.memory_of(os.getpid())
    assert 0 < mine.uss <= mine.pss <= mine.rss <= mine.peak


def test_a_child_process_is_found_with_its_command_line():
    waits = [sys.executable, "-c", "import sys; sys.stdin.read()"]
    child = subprocess.Popen(waits, stdin=subprocess.PIPE)
    try:
        assert child.pid in memory.children_of(os.getpid())
        assert memory.command_line(child.pid).endswith("sys.stdin.read() ")
    finally:
        child.communicate(b"")
    assert child.pid not in memory.children_of(os.getpid())
    assert memory.command_line(child.pid) == ""


def test_the_gunicorn_master_is_the_child_bound_to_the_base_url():
    with pytest.raises(RuntimeError, match="no gunicorn bound to 127.0.0.1:1"):
        memory.gunicorn_master("http://127.0.0.1:1")


def test_each_process_has_an_rss_and_a_pss_row_and_the_total_adds_the_pss():
    a = memory.Memory(rss=100_000_000, peak=120_000_000, pss=60_000_000, uss=50_000_000)
    b = memory.Memory(rss=80_000_000, peak=80_000_000, pss=30_000_000, uss=20_000_000)
    rss, pss = memory.rows("gunicorn worker 1 of 2", a, "after 200 requests")
    assert (rss.name, rss.median, rss.note) == (
        "gunicorn worker 1 of 2, RSS",
        100.0,
        "peak (VmHWM) 120.0 MB; after 200 requests",
    )
    assert (pss.name, pss.median, pss.note) == ("gunicorn worker 1 of 2, PSS", 60.0, "USS 50.0 MB")
    total = memory.together("gunicorn", [a, b])
    assert (total.name, total.median) == ("gunicorn, all processes, PSS", 90.0)
    assert total.note == "2 processes; their RSS summed would say 180.0 MB"


def test_the_request_mix_takes_turns_and_every_create_carries_its_own_token():
    bodies = [Prepared("jct_a", '{"n":1}'), Prepared("jct_b", '{"n":2}')]
    mix = memory.request_mix(bodies, "sessionid=d", "sessionid=l", "120000000000", 10)
    assert [r.path for r in mix[:4]] == ["/login/", CASES, "/cases/", "/dashboard/120000000000/"]
    assert len(mix) == 10 and mix[8].path == "/login/" and mix[9].path == CASES
    creates = [r for r in mix if r.method == "POST"]
    tokens = [r.headers["Authorization"] for r in creates]
    assert tokens == ["Token jct_a", "Token jct_b", "Token jct_a"]
    assert creates[1].body == b'{"n":2}' and all(r.expect == 201 for r in creates)
    assert mix[2].headers == {"Cookie": "sessionid=d"} and mix[3].headers["Cookie"].endswith("l")
    assert "Cookie" not in mix[0].headers


def answer(request: memory.Request) -> int:
    """The request through Django's test client, as the server would get it."""
    headers = {k: v for k, v in request.headers.items() if k != "Content-Type"}
    kind = request.headers.get("Content-Type", "application/octet-stream")
    client = Client()
    sent = client.generic(
        request.method, request.path, request.body or b"", content_type=kind, headers=headers
    )
    return sent.status_code


def mix_for(cast, reporter_token: str, leader_cookie: str | None = None) -> list:
    body = Prepared(reporter_token, case_body("0601", *IN_GRID))
    dispatcher, leader, city = memory.signed_in(cast.grid_worker)
    leader_cookie = leader_cookie or memory.cookie(leader)
    return memory.request_mix([body], memory.cookie(dispatcher), leader_cookie, city, 8)


def test_every_request_of_the_mix_answers_as_the_benchmark_expects(cast, catalogue, rules):
    _token, raw = create_token(cast.grid_worker, name="bench")
    for request in mix_for(cast, raw):
        memory.check(request, answer(request))


def test_a_session_the_dashboard_refuses_stops_the_run_instead_of_measuring_it(
    cast, catalogue, rules, login
):
    _token, raw = create_token(cast.grid_worker, name="bench")
    outsider = login(cast.neighbour)  # the neighbouring street's dispatcher
    neighbour = f"sessionid={outsider.cookies['sessionid'].value}"
    dashboard = mix_for(cast, raw, leader_cookie=neighbour)[3]
    with pytest.raises(RuntimeError, match=r"GET /dashboard/120000000000/ answered \d+, not 200"):
        memory.check(dashboard, answer(dashboard))


def test_a_redirect_is_an_answer_to_check_not_to_follow():
    handler = next(h for h in memory.OPENER.handlers if isinstance(h, memory._NoRedirect))
    assert handler.redirect_request(None, None, 302, "Found", {}, "/login/") is None
    with pytest.raises(RuntimeError, match="GET /cases/ answered 302, not 200"):
        memory.check(memory.Request("GET", "/cases/", {}), 302)


def test_the_jobs_tell_the_people_of_the_case_and_their_rows_are_counted_beforehand(
    cast, reported, settings
):
    settings.REDIS_URL = ""  # the jobs run here, at once, as the worker would run them
    run_jobs = memory.notification_jobs(9, "内存基准 t")
    assert {tuple(job[0]) for job in run_jobs} == {("handlers",), ("verifiers",), ("dispatchers",)}
    assert {job[2] for job in run_jobs} == {reported.pk}
    expected = memory.expected_rows(run_jobs)
    for args in run_jobs:
        jobs.enqueue(memory.DELIVER_TO, *json.loads(json.dumps(args)))
    written = Notification.objects.filter(text__startswith="内存基准 t")
    assert written.count() == expected > 0
    assert written.filter(user=cast.secretary).exists()
    assert not Notification.objects.filter(user=cast.neighbour).exists()
    memory.forget_rows("内存基准 t")
    assert not written.exists()


WORKER_LOG = """[2026-11-21 15:28:01,100: INFO/MainProcess] Task jiceng.run[a1] received
[2026-11-21 15:28:01,120: INFO/ForkPoolWorker-1] Task jiceng.run[a1] succeeded in 0.01s: None
[2026-11-21 15:28:01,130: INFO/ForkPoolWorker-2] Task jiceng.run[b2] succeeded in 0.02s: None
[2026-11-21 15:28:01,140: ERROR/ForkPoolWorker-1] Task jiceng.run[c3] raised unexpected: X
[2026-11-21 15:28:01,150: INFO/ForkPoolWorker-2] Task jiceng.sweep[d4] succeeded in 0.1s: {}
"""


def test_the_jobs_each_pool_process_ran_are_read_from_the_worker_log():
    shares = memory.jobs_per_process(WORKER_LOG)
    assert shares == {"ForkPoolWorker-1": 2, "ForkPoolWorker-2": 1}
    a = memory.Memory(rss=100_000_000, peak=100_000_000, pss=50_000_000, uss=20_000_000)
    total = memory.worker_figures(a, [a, a], memory.WORK["small"], shares)[-1]
    assert total.note.endswith("jobs run per pool process (worker log): 2 + 1")


def test_it_is_registered_after_the_http_benchmark_and_the_index_memory_stays():
    import jiceng.bench as bench

    for module in bench.MODULES:  # as the runner does: importing a module registers it
        importlib.import_module(module)
    assert bench.MODULES.index("jiceng.bench.memory") > bench.MODULES.index("jiceng.bench.http")
    assert BENCHMARKS["process-memory"].run is memory.process_memory
    assert BENCHMARKS["memory"].run is not memory.process_memory


def test_at_the_tiny_scale_it_starts_nothing_and_reports_this_process():
    figures = run(SCALES["tiny"], only=["process-memory"], echo=lambda *_: None)
    assert [f.name for f in figures] == [
        "This process (tiny scale: nothing started), RSS",
        "This process (tiny scale: nothing started), PSS",
    ]
