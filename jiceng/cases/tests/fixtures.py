"""Cases for the cast: a small catalogue, a responsibility list and ready-made cases."""

from __future__ import annotations

import pytest

from jiceng.cases import actions
from jiceng.cases.choices import CategoryKind, Handler, Urgency
from jiceng.cases.models import Category, Responsibility

# A point inside the cast's first grid (花园路社区第1网格) and one in the neighbour's grid.
IN_GRID = (117.05, 39.1)
IN_OTHER_GRID = (117.3, 39.1)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def catalogue(db):
    group = Category.objects.create(code="06", name="市容环境", kind=CategoryKind.EVENT)
    garbage = Category.objects.create(
        code="0601", name="暴露垃圾", kind=CategoryKind.EVENT, parent=group, keywords="垃圾,堆放"
    )
    road = Category.objects.create(
        code="0602", name="道路破损", kind=CategoryKind.EVENT, parent=group
    )
    gas = Category.objects.create(
        code="0901",
        name="燃气泄漏",
        kind=CategoryKind.EVENT,
        urgency=Urgency.EMERGENCY,
        accept_warn_hours=0.25,
        accept_limit_hours=0.5,
        handle_warn_hours=2,
        handle_limit_hours=4,
    )
    return {"group": group, "garbage": garbage, "road": road, "gas": gas}


@pytest.fixture
def rules(cast, catalogue):
    """Garbage is the community's; road damage goes to the district's 城管委."""
    return [
        Responsibility.objects.create(
            category=catalogue["garbage"], jurisdiction=cast.district, handler=Handler.COMMUNITY
        ),
        Responsibility.objects.create(
            category=catalogue["road"],
            jurisdiction=cast.district,
            handler=Handler.DEPARTMENT,
            department=cast.department,
        ),
    ]


@pytest.fixture
def reported(cast, catalogue, rules):
    """A grid worker's garbage report, auto-dispatched to the community."""
    return actions.report_by_grid_worker(
        acting_user=cast.grid_worker,
        category=catalogue["garbage"],
        lng=IN_GRID[0],
        lat=IN_GRID[1],
        description="小区门口垃圾堆放",
        photos_in=[("a.jpg", JPEG)],
    )


def run_to(case, cast, status: str):
    """Drive a case through the real actions up to a status."""
    steps = [
        ("accepted", lambda c: actions.accept(c, acting_user=cast.secretary)),
        ("in_progress", lambda c: actions.start(c, acting_user=cast.secretary)),
        ("replied", lambda c: actions.reply(c, acting_user=cast.secretary, result="已清运")),
        ("verified", lambda c: actions.verify(c, acting_user=cast.grid_worker, passed=True)),
        ("closed", lambda c: actions.close(c, acting_user=cast.dispatcher)),
    ]
    for name, step in steps:
        case = step(case)
        if name == status:
            return case
    raise AssertionError(f"run_to does not know {status}")
