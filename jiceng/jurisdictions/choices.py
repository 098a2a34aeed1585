"""Levels and kinds of the jurisdiction tree, grids, departments and posts."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    SUBDISTRICT = "subdistrict", _("街道/乡镇")
    COMMUNITY = "community", _("社区/村")


# The level a child must have, given its parent's level.
CHILD_LEVEL = {
    Level.CITY: Level.DISTRICT,
    Level.DISTRICT: Level.SUBDISTRICT,
    Level.SUBDISTRICT: Level.COMMUNITY,
}


class Kind(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")
    DEV_ZONE = "dev_zone", _("开发区类乡级单位")
    COMMUNITY = "community", _("社区")
    VILLAGE = "village", _("村")
    SPECIAL = "special", _("类似居委会/村委会")


KINDS_BY_LEVEL = {
    Level.CITY: {Kind.CITY},
    Level.DISTRICT: {Kind.DISTRICT},
    Level.SUBDISTRICT: {Kind.STREET, Kind.TOWN, Kind.TOWNSHIP, Kind.DEV_ZONE},
    Level.COMMUNITY: {Kind.COMMUNITY, Kind.VILLAGE, Kind.SPECIAL},
}


class GridKind(models.TextChoices):
    GENERAL = "general", _("综合网格")
    SPECIAL = "special", _("专属网格")


class DepartmentKind(models.TextChoices):
    URBAN_MANAGEMENT = "urban_management", _("城市管理")
    HOUSING = "housing", _("住房和城乡建设")
    WATER = "water", _("水务")
    PUBLIC_SECURITY = "public_security", _("公安")
    MARKET_REGULATION = "market_regulation", _("市场监管")
    ECOLOGY = "ecology", _("生态环境")
    TRANSPORT = "transport", _("交通运输")
    HEALTH = "health", _("卫生健康")
    EMERGENCY = "emergency", _("应急管理")
    OTHER = "other", _("其他")


class PostKind(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员")
    GRID_LEADER = "grid_leader", _("网格长")
    COMMUNITY_SECRETARY = "community_secretary", _("社区/村党组织书记")
    COMMITTEE_CHAIR = "committee_chair", _("居/村委会主任")


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("专职")
    PART_TIME = "part_time", _("兼职")
