"""The HTTP load benchmark's parts: the wrk script it writes, the summary it reads back,
and gunicorn started and stopped for real (no timing is asserted, ever)."""

from __future__ import annotations

import json
import random
import socket

import pytest
import shapely

from jiceng.bench import http
from jiceng.bench.http import MARK, Plan, Prepared

WRK_OUTPUT = """Running 15s test @ http://127.0.0.1:40117
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    38.91ms   12.40ms 201.33ms   80.12%
    Req/Sec   206.50     31.22   290.00     70.00%
  6171 requests in 15.02s, 2.87MB read
Requests/sec:    410.87
Transfer/sec:    195.40KB
JICENG-WRK {"requests":6171,"duration_us":15020000,"p50_us":36210,"p99_us":88950,\
"connect":0,"read":0,"write":0,"status":3,"timeout":1}
"""


def test_the_summary_line_of_wrk_gives_the_rate_percentiles_and_errors():
    load = http.parse_wrk(WRK_OUTPUT)
    assert load.requests == 6171
    assert load.rate == pytest.approx(410.85, abs=0.01)
    assert (load.p50_ms, load.p99_ms) == (36.21, 88.95)
    assert load.errors == 4


def test_output_without_the_summary_line_is_an_error_that_shows_it():
    with pytest.raises(RuntimeError, match="no summary line"):
        http.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def test_the_script_sends_each_prepared_body_with_its_own_token():
    requests = [Prepared("jct_a", '{"lng":117.1,"x":"]]"}'), Prepared("jct_b", "{}")]
    script = http.lua_script("/api/v1/cases", requests)
    assert "local path = [[/api/v1/cases]]" in script
    # A body holding "]]" is quoted with a longer bracket, so Lua reads it back intact.
    assert '{[[Token jct_a]], [=[{"lng":117.1,"x":"]]"}]=]}' in script
    assert "{[[Token jct_b]], [[{}]]}" in script
    assert f"'{MARK}{{" in script and "latency:percentile(99)" in script


def test_points_are_drawn_inside_the_grid_they_belong_to():
    rng = random.Random(1)
    triangle = shapely.Polygon([(117.0, 39.0), (117.01, 39.0), (117.0, 39.01)])
    for _ in range(50):
        assert shapely.contains_xy(triangle, *http.point_inside(triangle, rng))


def test_a_case_body_is_a_grid_report_in_json():
    body = json.loads(http.case_body("0603", 117.123456789, 39.1))
    assert body == {
        "source": "grid_report",
        "category": "0603",
        "lng": 117.1234568,
        "lat": 39.1,
        "crs": "wgs84",
        "description": "压力测试：网格员上报",
    }


def test_gunicorn_is_started_answers_and_is_stopped_with_its_workers(tmp_path):
    # An empty SQLite file: the unauthenticated ping needs no table to be refused.
    env = http.server_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    plan = Plan(1, 2, 1, 0.0, 0.0, 1, 1, 1)
    with http.gunicorn(plan, env, tmp_path / "gunicorn.log") as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_a_server_that_cannot_start_is_reported_with_its_log(tmp_path):
    env = http.server_env({"DJANGO_SETTINGS_MODULE": "jiceng.no_such_settings"})
    plan = Plan(1, 1, 1, 0.0, 0.0, 1, 1, 1)
    log = tmp_path / "gunicorn.log"
    with pytest.raises(RuntimeError, match="gunicorn exited"), http.gunicorn(plan, env, log):
        pass


def test_the_figures_give_each_endpoint_its_rate_and_latency_and_the_share_run_by_run():
    plan = http.PLANS["full"]
    ping = [http.Load(6000, 15.0, 20.0, 60.0, 0), http.Load(7500, 15.0, 18.0, 50.0, 0)]
    cases = [http.Load(4500, 15.0, 30.0, 90.0, 2), http.Load(4500, 15.0, 31.0, 95.0, 0)]
    found = {f.name: f for f in http.figures({http.PING: ping, http.CASES: cases}, plan)}
    share = found["HTTP case intake as a share of the ceiling"]
    assert share.samples == [75.0, 60.0]
    throughput = found["HTTP POST /api/v1/cases (grid report), throughput"]
    assert throughput.samples == [300.0, 300.0]
    assert "2 errors in 9,000 requests" in throughput.note
    assert found["HTTP POST ping, p99 latency"].samples == [60.0, 50.0]


def test_a_run_where_the_ceiling_answered_nothing_is_an_error_not_a_figure():
    nothing = [http.Load(0, 15.0, 0.0, 0.0, 0)]
    some = [http.Load(10, 15.0, 1.0, 2.0, 0)]
    with pytest.raises(RuntimeError, match="answered nothing"):
        http.figures({http.PING: nothing, http.CASES: some}, http.PLANS["full"])


def test_the_layout_and_run_length_can_be_chosen_to_compare_layouts(monkeypatch):
    monkeypatch.setenv("JICENG_HTTP_SERVER", "3x1")
    monkeypatch.setenv("JICENG_HTTP_SECONDS", "8")
    plan = http.plan_for("full")
    assert (plan.workers, plan.threads, plan.seconds) == (3, 1, 8.0)
    assert plan.runs == http.PLANS["full"].runs
