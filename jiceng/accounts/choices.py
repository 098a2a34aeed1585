"""Roles. Each role is scoped to one jurisdiction level, one department, or nothing."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.jurisdictions.choices import Level


class Role(models.TextChoices):
    CITY_LEADER = "city_leader", _("市级领导")
    DISTRICT_LEADER = "district_leader", _("区级领导")
    SUBDISTRICT_DISPATCHER = "subdistrict_dispatcher", _("街道/乡镇调度员")
    COMMUNITY_SECRETARY = "community_secretary", _("社区/村书记")
    COMMUNITY_STAFF = "community_staff", _("社区/村工作人员")
    GRID_WORKER = "grid_worker", _("网格员")
    DEPARTMENT_CLERK = "department_clerk", _("部门办件员")
    RESIDENT = "resident", _("群众")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    # The service user behind an external system's API key (jiceng.api.ExternalSystem):
    # it sees its area's subtree and has no part in any case's lifecycle.
    EXTERNAL_SYSTEM = "external_system", _("外部系统")


# The jurisdiction level a role's scope root must have (None: no jurisdiction scope).
ROLE_LEVEL = {
    Role.CITY_LEADER: Level.CITY,
    Role.DISTRICT_LEADER: Level.DISTRICT,
    Role.SUBDISTRICT_DISPATCHER: Level.SUBDISTRICT,
    Role.COMMUNITY_SECRETARY: Level.COMMUNITY,
    Role.COMMUNITY_STAFF: Level.COMMUNITY,
    Role.GRID_WORKER: Level.COMMUNITY,
    Role.RESIDENT: Level.COMMUNITY,
}
