"""Beyond the cast: a city leader, and a second district (河东区) with its own leader and
dispatcher, whose dashboards the people of 和平区 must never open."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import shapely

from jiceng.accounts.actions import create_user
from jiceng.accounts.choices import Role
from jiceng.jurisdictions.actions import create_jurisdiction
from jiceng.jurisdictions.choices import Kind, Level


@pytest.fixture
def city_leader(cast):
    return create_user(
        username="cityleader", role=Role.CITY_LEADER, full_name="王建国", jurisdiction=cast.city
    )


@pytest.fixture
def hedong(cast) -> SimpleNamespace:
    """河东区 and one street of it, each with a leader (outside the city's box, so no
    case of the cast's lands there)."""
    district = create_jurisdiction(
        code="120102000000", name="河东区", level=Level.DISTRICT, kind=Kind.DISTRICT,
        parent=cast.city,
    )  # fmt: skip
    district.set_geometry(shapely.box(117.4, 39.0, 117.6, 39.2))
    district.save()
    street = create_jurisdiction(
        code="120102001000", name="大王庄街道", level=Level.SUBDISTRICT, kind=Kind.STREET,
        parent=district,
    )  # fmt: skip
    leader = create_user(
        username="hedongleader", role=Role.DISTRICT_LEADER, full_name="赵明", jurisdiction=district
    )
    return SimpleNamespace(district=district, street=street, leader=leader)
