"""The peer in the HTTP benchmark: django-helpdesk creating tickets through its JSON API,
on a gunicorn of its own next to jiceng's, in the same run (docs/load.md).

The helpdesk is installed from PyPI into a virtualenv of its own (var/bench/helpdesk-venv,
made once and reused while helpdesk_site/requirements.txt and the Python version are
unchanged), from the exact pins in that file. Our own minimal project around it lives in
helpdesk_site/ (settings, urls, wsgi and seed.py, which makes the users and the queue).
For a run, the bench makes a throwaway database `<jiceng's database>_helpdesk` on the same
PostgreSQL server (a file next to it for SQLite), migrates it, serves it with the same
gunicorn layout, and drives `POST /api/tickets/` with the same wrk settings and the same
prepared reports turned into tickets. The database is dropped and gunicorn stopped
however the run ends. When the helpdesk cannot be installed or started (no network, say),
the benchmark says why and reports jiceng's figures without it.
"""

from __future__ import annotations

import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from .dataset import BENCH_DIR
from .http import TICKETS, Load, Plan, Prepared, gunicorn, lua_script, run_wrk, settle

SITE = Path(__file__).resolve().with_name("helpdesk_site")
REQUIREMENTS = SITE / "requirements.txt"
VENV = BENCH_DIR / "helpdesk-venv"
STAMP = "jiceng-pins.txt"  # in the venv: what it was installed from
PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9][A-Za-z0-9.+!_-]*)")


class PeerUnavailable(Exception):
    """The helpdesk could not be installed, set up or started; the message says why."""


@dataclass
class Peer:
    """django-helpdesk as one HTTP run serves it, or why it is not served."""

    version: str
    reason: str = ""  # why it is not measured; "" when it is
    base: str = ""
    script: Path | None = None
    sample: Prepared | None = None  # one ticket, sent (and waited for) after each run
    python: Path | None = None
    env: dict[str, str] | None = None
    created: int = 0  # tickets created by the timed runs

    @property
    def measured(self) -> bool:
        return not self.reason

    def warm_up(self, plan: Plan) -> None:
        if self.measured:
            run_wrk(self.base, self.script, plan.warmup, plan)
            settle(self.base, self.sample, TICKETS)

    def run(self, plan: Plan) -> Load:
        """One timed run; its tickets are counted in the database afterwards, so an answer
        that created nothing cannot pass for throughput."""
        before = self.tickets()
        load = run_wrk(self.base, self.script, plan.seconds, plan)
        settle(self.base, self.sample, TICKETS)
        created = self.tickets() - before
        if created < load.requests - load.errors:
            raise RuntimeError(
                f"django-helpdesk answered {load.requests - load.errors:,} requests "
                f"without an error but created {created:,} tickets"
            )
        self.created += created
        return load

    def tickets(self) -> int:
        return int(seed(self.python, self.env, "count"))


# --- the pins and the venv --------------------------------------------------------------


def canonical(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path = REQUIREMENTS) -> dict[str, str]:
    """{distribution: version} from a requirements file where every line is an exact pin."""
    pins = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        found = PIN.fullmatch(line)
        if found is None:
            raise ValueError(f"{path.name}:{number}: not an exact `name==version` pin: {line}")
        pins[canonical(found[1])] = found[2]
    return pins


def stamp_text(requirements: Path = REQUIREMENTS) -> str:
    """What a reusable venv must have been installed from: the pins, for this Python."""
    return f"python {platform.python_version()}\n{requirements.read_text(encoding='utf-8')}"


def ensure_venv(folder: Path = VENV, requirements: Path = REQUIREMENTS) -> Path:
    """The peer venv's Python: reused if it was installed from these pins, else made anew
    from PyPI. `--no-deps`: the pins are the whole environment, nothing else comes in."""
    python, stamp = folder / "bin" / "python", folder / STAMP
    wanted = stamp_text(requirements)
    if python.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
        return python
    shutil.rmtree(folder, ignore_errors=True)
    # From inside jiceng's venv this makes a venv of the same base Python as jiceng's.
    call([sys.executable, "-m", "venv", str(folder)], "python -m venv")
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
    pip += ["--retries", "2", "--timeout", "30", "--no-deps", "-r", str(requirements)]
    call(pip, "pip install", timeout=1800)
    call([str(python), "-m", "pip", "check"], "pip check")
    stamp.write_text(wanted, encoding="utf-8")
    return python


def call(command: list[str], what: str, *, env=None, cwd=None, timeout: float = 600) -> str:
    """Run one setup step; its failure (with the end of what it printed) is the reason
    the peer is left out."""
    try:
        done = subprocess.run(
            command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise PeerUnavailable(f"{what} failed: {exc}") from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise PeerUnavailable(f"{what} failed ({done.returncode}): {' / '.join(tail)}")
    return done.stdout


# --- the peer's database and settings ---------------------------------------------------


def peer_database(jiceng: dict) -> dict[str, str]:
    """The peer's database settings (as HELPDESK_BENCH_DB_* variables) beside jiceng's
    `settings_dict`: `<name>_helpdesk` on the same PostgreSQL server, or a SQLite file
    next to jiceng's."""
    engine, name = jiceng["ENGINE"], str(jiceng["NAME"])
    if engine == "django.db.backends.postgresql":
        name = f"{name[:54]}_helpdesk"  # PostgreSQL names are at most 63 bytes
    elif engine == "django.db.backends.sqlite3":
        name = str(Path(name).with_name(f"{Path(name).stem}-helpdesk.sqlite3"))
    else:
        raise PeerUnavailable(f"no peer database on {engine}")
    keys = ("HOST", "PORT", "USER", "PASSWORD")
    found = {f"HELPDESK_BENCH_DB_{key}": str(jiceng.get(key) or "") for key in keys}
    return {"HELPDESK_BENCH_DB_ENGINE": engine, "HELPDESK_BENCH_DB_NAME": name, **found}


# jiceng's own variables, which must not leak into the peer's processes.
LEFT_OUT = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")


def peer_env(database: dict[str, str], secret: str) -> dict[str, str]:
    """The environment of the peer's processes: this one without jiceng's settings, plus
    the peer's database, a secret, and a server's persistent connections."""
    env = {key: value for key, value in os.environ.items() if key not in LEFT_OUT}
    env.update(database)
    env.update(
        DJANGO_SETTINGS_MODULE="settings",
        PYTHONPATH=str(SITE),
        HELPDESK_BENCH_SECRET_KEY=secret,
        CONN_MAX_AGE="600",  # as jiceng's server: one kept connection per worker thread
    )
    return env


def create_database(database: dict[str, str]) -> None:
    """A fresh peer database (a stale one from a crashed run is dropped first)."""
    drop_database(database)
    if database["HELPDESK_BENCH_DB_ENGINE"] == "django.db.backends.postgresql":
        _postgres(f"CREATE DATABASE {_quoted(database)}")


def drop_database(database: dict[str, str]) -> None:
    if database["HELPDESK_BENCH_DB_ENGINE"] == "django.db.backends.postgresql":
        _postgres(f"DROP DATABASE IF EXISTS {_quoted(database)} WITH (FORCE)")
        return
    for suffix in ("", "-wal", "-shm"):
        Path(database["HELPDESK_BENCH_DB_NAME"] + suffix).unlink(missing_ok=True)


def _postgres(statement: str) -> None:
    """Through jiceng's own connection: the peer's database is on the same server.
    (CREATE/DROP DATABASE cannot run in a transaction; the bench holds none here.)"""
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    except DatabaseError as exc:
        raise PeerUnavailable(f"{statement.split(' ', 2)[:2]} failed: {exc}") from exc


def _quoted(database: dict[str, str]) -> str:
    from django.db import connection

    return connection.ops.quote_name(database["HELPDESK_BENCH_DB_NAME"])


# --- the load ---------------------------------------------------------------------------


def ticket_body(case_body: str, queue: int) -> str:
    """The ticket a helpdesk user would file for one of the prepared grid reports: the
    matter as its title, the description and the point as its text."""
    case = json.loads(case_body)
    return json.dumps(
        {
            "queue": queue,
            "title": f"网格员上报 {case['category']}",
            "description": f"{case['description']}（{case['lng']}, {case['lat']}）",
            "priority": 3,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def ticket_requests(cases: list[Prepared], tokens: list[str], queue: int) -> list[Prepared]:
    """The cases' bodies as tickets, each grid worker's reports sent by one helpdesk user
    of their own, so both servers see the same senders and the same texts."""
    senders = list(dict.fromkeys(case.token for case in cases))
    if len(tokens) < len(senders):
        raise ValueError(f"{len(senders)} senders but {len(tokens)} helpdesk tokens")
    token_of = dict(zip(senders, tokens, strict=False))
    return [Prepared(token_of[case.token], ticket_body(case.body, queue)) for case in cases]


def seed(python: Path, env: dict[str, str], *args: str) -> str:
    return call([str(python), "seed.py", *args], f"seed.py {args[0]}", env=env, cwd=SITE)


# --- serving it -------------------------------------------------------------------------


@contextmanager
def serve(plan: Plan, cases: list[Prepared], folder: Path) -> Iterator[Peer]:
    """The peer, served for the block and taken down (gunicorn stopped, database dropped)
    however the block ends; a Peer that says why when it cannot be served.
    JICENG_HTTP_PEER=off leaves it out (when only jiceng's own figures are wanted)."""
    version = read_pins().get("django-helpdesk", "?")
    if os.environ.get("JICENG_HTTP_PEER", "").lower() in ("off", "0", "false", "no"):
        yield Peer(version, reason="left out (JICENG_HTTP_PEER=off)")
        return
    with ExitStack() as stack:
        try:
            peer = start(plan, cases, folder, stack, version)
        except PeerUnavailable as exc:
            print(f"  http: django-helpdesk is not measured: {exc}", file=sys.stderr)
            peer = Peer(version, reason=str(exc))
        yield peer


def start(plan: Plan, cases: list[Prepared], folder: Path, stack: ExitStack, version) -> Peer:
    """Install (or reuse) the venv, make and migrate the database, make the users and the
    queue, start gunicorn and file one ticket to see that the whole path works."""
    from django.db import connection

    python = ensure_venv()
    database = peer_database(connection.settings_dict)
    env = peer_env(database, secrets.token_urlsafe(32))
    create_database(database)
    stack.callback(drop_database, database)
    call([str(python), "-m", "django", "migrate", "--noinput"], "migrate", env=env, cwd=SITE)
    senders = len({case.token for case in cases})
    made = json.loads(seed(python, env, "prepare", str(senders)))
    requests = ticket_requests(cases, made["tokens"], made["queue"])
    script = folder / "helpdesk-tickets.lua"
    script.write_text(lua_script(TICKETS, requests), encoding="utf-8")
    log = folder / "helpdesk-gunicorn.log"
    server = gunicorn(plan, env, log, python=str(python), app="wsgi:application", chdir=SITE)
    try:
        base = stack.enter_context(server)
    except RuntimeError as exc:
        raise PeerUnavailable(str(exc)) from exc
    peer = Peer(version, base=base, script=script, sample=requests[0], python=python, env=env)
    smoke_test(peer)
    return peer


def smoke_test(peer: Peer) -> None:
    """One ticket through the API, and counted: a misconfigured peer is left out with
    its answer as the reason rather than measured answering errors."""
    import urllib.error

    try:
        settle(peer.base, peer.sample, TICKETS)
    except urllib.error.HTTPError as exc:
        body = exc.read().decode(errors="replace")[:300]
        raise PeerUnavailable(f"POST {TICKETS} answered {exc.code}: {body}") from exc
    if peer.tickets() != 1:
        raise PeerUnavailable(f"POST {TICKETS} answered but created no ticket")
