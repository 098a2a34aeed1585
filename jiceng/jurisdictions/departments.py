"""The default functional departments (职能部门) of the city and of every district."""

from __future__ import annotations

from django.db import transaction

from .choices import DepartmentKind, Level
from .models import Department, Jurisdiction

# (kind, city-level name, district-level name pattern, short name)
DEFAULT_DEPARTMENTS = [
    (DepartmentKind.URBAN_MANAGEMENT, "天津市城市管理委员会", "{d}城市管理委员会", "城管委"),
    (DepartmentKind.HOUSING, "天津市住房和城乡建设委员会", "{d}住房和建设委员会", "住建委"),
    (DepartmentKind.WATER, "天津市水务局", "{d}水务局", "水务局"),
    (DepartmentKind.PUBLIC_SECURITY, "天津市公安局", "天津市公安局{s}分局", "公安"),
    (
        DepartmentKind.MARKET_REGULATION,
        "天津市市场监督管理委员会",
        "{d}市场监督管理局",
        "市场监管",
    ),
    (DepartmentKind.ECOLOGY, "天津市生态环境局", "{d}生态环境局", "生态环境局"),
    (DepartmentKind.TRANSPORT, "天津市交通运输委员会", "{d}交通运输局", "交通局"),
    (DepartmentKind.HEALTH, "天津市卫生健康委员会", "{d}卫生健康委员会", "卫健委"),
    (DepartmentKind.EMERGENCY, "天津市应急管理局", "{d}应急管理局", "应急局"),
]


def _short_district(name: str) -> str:
    """和平区 → 和平, 滨海新区 → 滨海 (police branches are named 公安局和平分局)."""
    return name.removesuffix("新区").removesuffix("区")


@transaction.atomic
def ensure_default_departments() -> int:
    """Create the default departments that are missing; returns how many were made."""
    units = Jurisdiction.objects.filter(level__in=[Level.CITY, Level.DISTRICT]).defer(
        "geometry_wkb"
    )
    existing = set(Department.objects.values_list("jurisdiction_id", "name"))
    new = []
    for unit in units:
        for kind, city_name, pattern, short in DEFAULT_DEPARTMENTS:
            if unit.level == Level.CITY:
                name = city_name
            else:
                name = pattern.format(d=unit.name, s=_short_district(unit.name))
            if (unit.pk, name) not in existing:
                new.append(Department(name=name, short_name=short, kind=kind, jurisdiction=unit))
    Department.objects.bulk_create(new)
    return len(new)
