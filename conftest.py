"""The fixed cast of the tests (STYLE.md §10), set up through the real actions.

A small 和平区 with two streets: 劝业场街道 (our side) and 小白楼街道 (the neighbour,
whose people and places must always be refused to our side).
"""

from __future__ import annotations

import logging
import os
from types import SimpleNamespace

import pytest
import shapely

from jiceng.accounts.actions import assign_post, create_user
from jiceng.accounts.choices import Role
from jiceng.jurisdictions.actions import create_jurisdiction
from jiceng.jurisdictions.choices import DepartmentKind, Employment, GridKind, Kind, Level, PostKind
from jiceng.jurisdictions.models import Department, Grid

pytest_plugins = ["jiceng.cases.tests.fixtures"]

PASSWORD = "cast-password-1"


def make_grid(community, seq: int, box: tuple[float, float, float, float], kind=GridKind.GENERAL):
    geom = shapely.box(*box)
    grid = Grid(
        code=f"{community.code}{seq:03d}",
        name=f"{community.name}第{seq}网格",
        kind=kind,
        community=community,
        area_m2=1.0,
        center_lng=geom.centroid.x,
        center_lat=geom.centroid.y,
    )
    grid.set_geometry(geom)
    grid.save()
    return grid


def _node(code, name, level, kind, parent, box=None):
    node = create_jurisdiction(code=code, name=name, level=level, kind=kind, parent=parent)
    if box:
        node.set_geometry(shapely.box(*box))
        node.save()
    return node


def build_cast() -> SimpleNamespace:
    c = SimpleNamespace()
    c.city = _node(
        "120000000000", "天津市", Level.CITY, Kind.CITY, None, (117.0, 39.0, 117.4, 39.2)
    )
    c.district = _node(
        "120101000000", "和平区", Level.DISTRICT, Kind.DISTRICT, c.city, (117.0, 39.0, 117.4, 39.2)
    )
    c.street = _node(
        "120101001000",
        "劝业场街道",
        Level.SUBDISTRICT,
        Kind.STREET,
        c.district,
        (117.0, 39.0, 117.2, 39.2),
    )
    c.other_street = _node(
        "120101002000",
        "小白楼街道",
        Level.SUBDISTRICT,
        Kind.STREET,
        c.district,
        (117.2, 39.0, 117.4, 39.2),
    )
    c.community = _node(
        "120101001001",
        "花园路社区居委会",
        Level.COMMUNITY,
        Kind.COMMUNITY,
        c.street,
        (117.0, 39.0, 117.2, 39.2),
    )
    c.other_community = _node(
        "120101002002",
        "泰安道社区居委会",
        Level.COMMUNITY,
        Kind.COMMUNITY,
        c.other_street,
        (117.2, 39.0, 117.4, 39.2),
    )
    c.grid = make_grid(c.community, 1, (117.0, 39.0, 117.1, 39.2))
    c.second_grid = make_grid(c.community, 2, (117.1, 39.0, 117.2, 39.2))
    c.other_grid = make_grid(c.other_community, 1, (117.2, 39.0, 117.4, 39.2))
    c.department = Department.objects.create(
        name="和平区城市管理委员会",
        short_name="城管委",
        kind=DepartmentKind.URBAN_MANAGEMENT,
        jurisdiction=c.district,
    )
    _people(c)
    return c


def _people(c: SimpleNamespace) -> None:
    def user(username, role, **kw):
        return create_user(username=username, role=role, password=PASSWORD, **kw)

    c.grid_worker = user(
        "gridworker",
        Role.GRID_WORKER,
        full_name="周海燕",
        jurisdiction=c.community,
        phone="13802200101",
    )
    assign_post(
        c.grid_worker,
        kind=PostKind.GRID_WORKER,
        community=c.community,
        grids=[c.grid],
        employment=Employment.FULL_TIME,
    )
    c.secretary = user(
        "secretary", Role.COMMUNITY_SECRETARY, full_name="张桂英", jurisdiction=c.community
    )
    assign_post(c.secretary, kind=PostKind.COMMUNITY_SECRETARY, community=c.community)
    assign_post(c.secretary, kind=PostKind.COMMITTEE_CHAIR, community=c.community)
    c.dispatcher = user(
        "dispatcher", Role.SUBDISTRICT_DISPATCHER, full_name="刘洋", jurisdiction=c.street
    )
    c.clerk = user("clerk", Role.DEPARTMENT_CLERK, full_name="冯涛", department=c.department)
    c.district_leader = user(
        "leader", Role.DISTRICT_LEADER, full_name="李卫东", jurisdiction=c.district
    )
    c.resident = user(
        "resident", Role.RESIDENT, full_name="韩梅梅", jurisdiction=c.community, phone="13902200303"
    )
    # The neighbour: a dispatcher of 小白楼街道 and the people of its community.
    c.neighbour = user(
        "neighbour", Role.SUBDISTRICT_DISPATCHER, full_name="陈静", jurisdiction=c.other_street
    )
    c.other_worker = user(
        "otherworker", Role.GRID_WORKER, full_name="钱志强", jurisdiction=c.other_community
    )
    assign_post(
        c.other_worker,
        kind=PostKind.GRID_WORKER,
        community=c.other_community,
        grids=[c.other_grid],
        employment=Employment.PART_TIME,
    )


@pytest.fixture
def cast(db) -> SimpleNamespace:
    return build_cast()


@pytest.fixture
def login(client):
    """Log a cast member in on the test client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The cast's passwords need not resist brute force; PBKDF2 would slow every test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_process_caches():
    """Each test builds its own tree and grids; per-process caches (the locate index, the
    city's id for rollups, the dispatch policy, Django's cache) must not outlive them."""
    from django.core.cache import cache

    from jiceng.cases import actions, policy
    from jiceng.dashboards.rollups import reset_caches
    from jiceng.jurisdictions.locate import reset_index

    resets = (reset_index, reset_caches, policy.reset, actions.reset_places, cache.clear)
    for reset in resets:
        reset()
    yield
    for reset in resets:
        reset()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite the test database is a file under var/, not memory: the Celery worker
    of the job tests (jiceng/lib/tests/test_jobs.py) is another process and must see the
    same rows. The pid keeps two test runs in one checkout off each other's file."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        name = settings.VAR_DIR / f"test_jiceng_{os.getpid()}.sqlite3"
        db.setdefault("TEST", {})["NAME"] = str(name)


def pytest_configure(config):
    # Jobs run in-process in the tests, whatever REDIS_URL the shell exports; the job
    # tests opt into the real Redis and worker themselves.
    from django.conf import settings

    settings.REDIS_URL = ""
    # The cache too is the process's own, so clearing it (fresh_process_caches) never
    # touches a Redis the shell's REDIS_URL points at.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def log_lines():
    """`log_lines("jiceng.audit")`: the messages that logger writes from then on, as a
    list (pytest's caplog is off when the suite runs with -p no:logging)."""
    watched: list[tuple[logging.Logger, logging.Handler]] = []

    def watch(name: str, level: int = logging.INFO) -> list[str]:
        lines: list[str] = []

        class Keep(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                lines.append(record.getMessage())

        logger, handler = logging.getLogger(name), Keep(level)
        logger.addHandler(handler)
        watched.append((logger, handler))
        return lines

    yield watch
    for logger, handler in watched:
        logger.removeHandler(handler)


@pytest.fixture
def audit_lines(log_lines) -> list[str]:
    """Lines written to the audit log during the test."""
    return log_lines("jiceng.audit")
