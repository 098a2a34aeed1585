"""The django-helpdesk peer of the HTTP benchmark: its pins, its venv cache, its settings
and database, the tickets it is sent and the figures it gives. Nothing is installed or
served here (the bench does that at the small and full scales); no timing is asserted."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from jiceng.bench import helpdesk, http
from jiceng.bench.helpdesk import Peer, PeerUnavailable
from jiceng.bench.http import Load, Prepared

POSTGRES = {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "load_x",
    "HOST": "127.0.0.1",
    "PORT": 5432,
    "USER": "postgres",
    "PASSWORD": "",
}


# --- the pins and the venv --------------------------------------------------------------


def test_the_pins_file_pins_every_package_exactly():
    pins = helpdesk.read_pins()
    text = helpdesk.REQUIREMENTS.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(pins) == len(lines)
    assert all("==" in line for line in lines)
    assert pins["django-helpdesk"].startswith("2.")


def test_the_peer_runs_the_same_django_drf_gunicorn_and_psycopg_as_jiceng():
    pins = helpdesk.read_pins()
    for name in ("django", "djangorestframework", "gunicorn", "psycopg", "psycopg-binary"):
        assert pins[name] == importlib.metadata.version(name), name


def test_a_pin_that_is_not_exact_is_refused_with_its_line(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# peers\nDjango==5.2.19\nrequests>=2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"requirements.txt:3: .*requests>=2"):
        helpdesk.read_pins(requirements)


def test_names_are_compared_as_pip_compares_them(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("Typing_Extensions==4.16.0  # why\n", encoding="utf-8")
    assert helpdesk.read_pins(requirements) == {"typing-extensions": "4.16.0"}


def _installed_venv(folder: Path, requirements: Path) -> None:
    (folder / "bin").mkdir(parents=True)
    (folder / "bin" / "python").write_text("", encoding="utf-8")
    (folder / helpdesk.STAMP).write_text(helpdesk.stamp_text(requirements), encoding="utf-8")


def test_a_venv_installed_from_the_same_pins_is_reused(tmp_path, monkeypatch):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("Django==5.2.19\n", encoding="utf-8")
    _installed_venv(tmp_path / "venv", requirements)
    monkeypatch.setattr(helpdesk, "call", lambda *a, **k: pytest.fail("nothing to install"))
    python = helpdesk.ensure_venv(tmp_path / "venv", requirements)
    assert python == tmp_path / "venv" / "bin" / "python"


def test_a_venv_from_other_pins_is_made_anew_from_the_pins_file(tmp_path, monkeypatch):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("Django==5.2.18\n", encoding="utf-8")
    _installed_venv(tmp_path / "venv", requirements)
    (tmp_path / "venv" / "stale").write_text("", encoding="utf-8")
    requirements.write_text("Django==5.2.19\n", encoding="utf-8")
    commands = []

    def call(command, what, **_):
        commands.append(command)
        if what == "python -m venv":
            (tmp_path / "venv").mkdir()

    monkeypatch.setattr(helpdesk, "call", call)
    helpdesk.ensure_venv(tmp_path / "venv", requirements)
    assert not (tmp_path / "venv" / "stale").exists()
    assert commands[0] == [sys.executable, "-m", "venv", str(tmp_path / "venv")]
    assert commands[1][-3:] == ["--no-deps", "-r", str(requirements)]
    stamp = (tmp_path / "venv" / helpdesk.STAMP).read_text(encoding="utf-8")
    assert stamp == helpdesk.stamp_text(requirements)


def test_a_failed_setup_step_is_a_reason_that_shows_what_it_printed():
    fails = "import sys; print('no route to pypi.org', file=sys.stderr); sys.exit(3)"
    with pytest.raises(PeerUnavailable, match=r"pip install failed \(3\): no route to pypi"):
        helpdesk.call([sys.executable, "-c", fails], "pip install")
    with pytest.raises(PeerUnavailable, match="python -m venv failed"):
        helpdesk.call(["/nonexistent/python3"], "python -m venv")


# --- the database and the settings ------------------------------------------------------


def test_the_peer_database_is_a_sibling_on_the_same_postgresql_server():
    env = helpdesk.peer_database(POSTGRES)
    assert env == {
        "HELPDESK_BENCH_DB_ENGINE": "django.db.backends.postgresql",
        "HELPDESK_BENCH_DB_NAME": "load_x_helpdesk",
        "HELPDESK_BENCH_DB_HOST": "127.0.0.1",
        "HELPDESK_BENCH_DB_PORT": "5432",
        "HELPDESK_BENCH_DB_USER": "postgres",
        "HELPDESK_BENCH_DB_PASSWORD": "",
    }


def test_a_long_database_name_keeps_its_suffix_within_postgresql_limits():
    name = helpdesk.peer_database({**POSTGRES, "NAME": "b" * 80})["HELPDESK_BENCH_DB_NAME"]
    assert len(name) <= 63 and name.endswith("_helpdesk")


def test_on_sqlite_the_peer_gets_a_file_next_to_jicengs(tmp_path):
    jiceng = {"ENGINE": "django.db.backends.sqlite3", "NAME": tmp_path / "jiceng-small.sqlite3"}
    env = helpdesk.peer_database(jiceng)
    assert env["HELPDESK_BENCH_DB_NAME"] == str(tmp_path / "jiceng-small-helpdesk.sqlite3")


def test_another_database_engine_leaves_the_peer_out():
    with pytest.raises(PeerUnavailable, match="no peer database on django.db.backends.mysql"):
        helpdesk.peer_database({"ENGINE": "django.db.backends.mysql", "NAME": "x"})


def test_the_peer_processes_get_none_of_jicengs_settings(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1/load_x")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    env = helpdesk.peer_env(helpdesk.peer_database(POSTGRES), "s3cret")
    assert "DATABASE_URL" not in env and "VIRTUAL_ENV" not in env
    assert env["DJANGO_SETTINGS_MODULE"] == "settings"
    assert env["PYTHONPATH"] == str(helpdesk.SITE)
    assert (env["HELPDESK_BENCH_SECRET_KEY"], env["CONN_MAX_AGE"]) == ("s3cret", "600")


def _peer_settings(monkeypatch, env: dict[str, str]):
    """The peer's settings.py as its own Python reads it, from the variables given."""
    for key, value in env.items():
        if key.startswith("HELPDESK_BENCH_") or key == "CONN_MAX_AGE":
            monkeypatch.setenv(key, value)
    spec = importlib.util.spec_from_file_location("peer_settings", helpdesk.SITE / "settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_peer_settings_read_the_database_and_secret_the_bench_wrote(monkeypatch):
    env = helpdesk.peer_env(helpdesk.peer_database(POSTGRES), "s3cret")
    settings = _peer_settings(monkeypatch, env)
    assert settings.DATABASES["default"] == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "load_x_helpdesk",
        "HOST": "127.0.0.1",
        "PORT": "5432",
        "USER": "postgres",
        "PASSWORD": "",
        "CONN_MAX_AGE": 600,
    }
    assert settings.SECRET_KEY == "s3cret" and settings.DEBUG is False
    assert "helpdesk" in settings.INSTALLED_APPS and settings.ROOT_URLCONF == "urls"


def test_the_peer_api_takes_a_token_and_speaks_only_json(monkeypatch):
    env = helpdesk.peer_env(helpdesk.peer_database(POSTGRES), "s3cret")
    api = _peer_settings(monkeypatch, env).REST_FRAMEWORK
    assert api["DEFAULT_AUTHENTICATION_CLASSES"] == [
        "rest_framework.authentication.TokenAuthentication"
    ]
    assert api["DEFAULT_RENDERER_CLASSES"] == ["rest_framework.renderers.JSONRenderer"]


def test_a_sqlite_peer_waits_for_the_writer_as_jiceng_does(monkeypatch, tmp_path):
    jiceng = {"ENGINE": "django.db.backends.sqlite3", "NAME": tmp_path / "j.sqlite3"}
    env = helpdesk.peer_env(helpdesk.peer_database(jiceng), "s3cret")
    options = _peer_settings(monkeypatch, env).DATABASES["default"]["OPTIONS"]
    assert (
        options["transaction_mode"] == "IMMEDIATE" and "journal_mode=WAL" in options["init_command"]
    )


# --- the tickets ------------------------------------------------------------------------


def test_a_ticket_carries_the_reports_matter_text_and_point():
    body = json.loads(helpdesk.ticket_body(http.case_body("0603", 117.1234567, 39.1), 7))
    assert body == {
        "queue": 7,
        "title": "网格员上报 0603",
        "description": "压力测试：网格员上报（117.1234567, 39.1）",
        "priority": 3,
    }


def test_each_grid_worker_reports_as_a_helpdesk_user_of_their_own():
    cases = [
        Prepared("jct_a", http.case_body("0603", 117.1, 39.1)),
        Prepared("jct_b", http.case_body("0101", 117.2, 39.2)),
        Prepared("jct_a", http.case_body("0205", 117.3, 39.3)),
    ]
    tickets = helpdesk.ticket_requests(cases, ["hd_1", "hd_2", "hd_3"], 7)
    assert [t.token for t in tickets] == ["hd_1", "hd_2", "hd_1"]
    assert [json.loads(t.body)["title"][-4:] for t in tickets] == ["0603", "0101", "0205"]


def test_fewer_helpdesk_users_than_senders_is_an_error():
    cases = [Prepared("jct_a", http.case_body("0603", 1, 2)), Prepared("jct_b", "{}")]
    with pytest.raises(ValueError, match="2 senders but 1 helpdesk tokens"):
        helpdesk.ticket_requests(cases, ["hd_1"], 7)


def test_the_wrk_script_posts_tickets_to_the_helpdesk_api_with_each_users_token():
    ticket = helpdesk.ticket_body(http.case_body("0603", 117.1, 39.1), 7)
    script = http.lua_script(http.TICKETS, [Prepared("4f2a", ticket)])
    assert "local path = [[/api/tickets/]]" in script
    assert f"{{[[Token 4f2a]], [[{ticket}]]}}" in script


# --- a run ------------------------------------------------------------------------------


def _counting_peer(monkeypatch, created_per_run: int) -> Peer:
    counts = iter([0, created_per_run])
    monkeypatch.setattr(helpdesk, "run_wrk", lambda *a: Load(100, 10.0, 5.0, 9.0, 1))
    monkeypatch.setattr(helpdesk, "settle", lambda *a: None)
    monkeypatch.setattr(Peer, "tickets", lambda self: next(counts))
    return Peer("2.6.1", base="http://127.0.0.1:1", sample=Prepared("t", "{}"))


def test_a_run_counts_the_tickets_it_created(monkeypatch):
    peer = _counting_peer(monkeypatch, 101)
    assert peer.run(http.PLANS["small"]).requests == 100
    assert peer.created == 101


def test_answers_that_created_no_ticket_are_an_error_not_throughput(monkeypatch):
    peer = _counting_peer(monkeypatch, 50)
    with pytest.raises(RuntimeError, match="answered 99 requests without an error but created 50"):
        peer.run(http.PLANS["small"])


def test_the_figures_set_case_intake_against_the_helpdesk_run_by_run():
    ping = [Load(6000, 15.0, 20.0, 60.0, 0), Load(7500, 15.0, 18.0, 50.0, 0)]
    cases = [Load(4500, 15.0, 30.0, 90.0, 0), Load(4500, 15.0, 31.0, 95.0, 0)]
    tickets = [Load(1500, 15.0, 80.0, 200.0, 0), Load(3000, 15.0, 40.0, 100.0, 3)]
    peer = Peer("2.6.1", created=4510)
    loads = {http.PING: ping, http.CASES: cases, http.TICKETS: tickets}
    found = {f.name: f for f in http.figures(loads, http.PLANS["full"], peer)}
    assert found["HTTP case intake ÷ django-helpdesk ticket create"].samples == [3.0, 1.5]
    share = found["HTTP django-helpdesk ticket create as a share of the ceiling"]
    assert share.samples == [25.0, 40.0]
    throughput = found["HTTP POST django-helpdesk /api/tickets (ticket), throughput"]
    assert throughput.samples == [100.0, 200.0]
    assert "3 errors in 4,500 requests; 4,510 tickets created" in throughput.note
    assert found["HTTP POST django-helpdesk /api/tickets (ticket), p99 latency"].samples == [
        200.0,
        100.0,
    ]


def test_a_helpdesk_run_that_answered_nothing_is_an_error_not_a_figure():
    some = [Load(10, 15.0, 1.0, 2.0, 0)]
    loads = {http.PING: some, http.CASES: some, http.TICKETS: [Load(0, 15.0, 0.0, 0.0, 0)]}
    with pytest.raises(RuntimeError, match="django-helpdesk answered nothing"):
        http.figures(loads, http.PLANS["full"], Peer("2.6.1"))


def test_without_the_peer_jicengs_figures_stand_and_the_note_says_why():
    some = [Load(10, 15.0, 1.0, 2.0, 0)]
    peer = Peer("2.6.1", reason="pip install failed (1): no route to pypi.org")
    found = http.figures({http.PING: some, http.CASES: some}, http.PLANS["full"], peer)
    assert not [f for f in found if "helpdesk" in f.name]
    share = found[-1]
    assert share.name == "HTTP case intake as a share of the ceiling"
    assert share.note.endswith(
        "django-helpdesk not measured: pip install failed (1): no route to pypi.org"
    )


# --- serving it -------------------------------------------------------------------------


def test_the_peer_can_be_left_out_and_nothing_is_installed(monkeypatch, tmp_path):
    monkeypatch.setenv("JICENG_HTTP_PEER", "off")
    monkeypatch.setattr(helpdesk, "ensure_venv", lambda: pytest.fail("nothing to install"))
    with helpdesk.serve(http.PLANS["small"], [], tmp_path) as peer:
        assert not peer.measured and "JICENG_HTTP_PEER=off" in peer.reason


def test_without_network_the_bench_says_why_and_goes_on(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("JICENG_HTTP_PEER", raising=False)

    def offline():
        raise PeerUnavailable("pip install failed (1): no route to pypi.org")

    monkeypatch.setattr(helpdesk, "ensure_venv", offline)
    with helpdesk.serve(http.PLANS["small"], [], tmp_path) as peer:
        assert peer.reason == "pip install failed (1): no route to pypi.org"
    assert "django-helpdesk is not measured: pip install failed" in capsys.readouterr().err


def test_a_database_made_for_a_peer_that_then_fails_is_dropped(monkeypatch, tmp_path):
    monkeypatch.delenv("JICENG_HTTP_PEER", raising=False)
    done = []
    monkeypatch.setattr(helpdesk, "ensure_venv", lambda: tmp_path / "python")
    monkeypatch.setattr(helpdesk, "create_database", lambda db: done.append("create"))
    monkeypatch.setattr(helpdesk, "drop_database", lambda db: done.append("drop"))

    def migrate_fails(command, what, **_):
        raise PeerUnavailable(f"{what} failed (1): relation does not exist")

    monkeypatch.setattr(helpdesk, "call", migrate_fails)
    with helpdesk.serve(http.PLANS["small"], [], tmp_path) as peer:
        assert peer.reason.startswith("migrate failed") and done == ["create"]
    assert done == ["create", "drop"]


def test_a_failure_during_the_runs_is_not_hidden_and_still_cleans_up(monkeypatch, tmp_path):
    monkeypatch.delenv("JICENG_HTTP_PEER", raising=False)
    done = []

    def start(plan, cases, folder, stack: ExitStack, version):
        stack.callback(done.append, "dropped")
        return Peer(version, base="http://127.0.0.1:1")

    monkeypatch.setattr(helpdesk, "start", start)
    with (
        pytest.raises(RuntimeError, match="mid-run"),
        helpdesk.serve(http.PLANS["small"], [], tmp_path),
    ):
        raise RuntimeError("mid-run")
    assert done == ["dropped"]
