"""Read-only questions about the tree that pages, commands and the API share."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from .choices import GridKind, Kind, Level, PostKind
from .models import Department, Grid, Jurisdiction, subtree_q


def stats() -> dict[str, int]:
    """Counts for `jiceng stats`; dev zones and special units are counted apart."""
    by_kind = dict(Jurisdiction.objects.values_list("kind").annotate(n=Count("id")))
    grids = Grid.objects.aggregate(
        all=Count("id"),
        general=Count("id", filter=Q(kind=GridKind.GENERAL)),
        special=Count("id", filter=Q(kind=GridKind.SPECIAL)),
    )
    return {
        "districts": by_kind.get(Kind.DISTRICT, 0),
        "streets": by_kind.get(Kind.STREET, 0),
        "towns": by_kind.get(Kind.TOWN, 0),
        "townships": by_kind.get(Kind.TOWNSHIP, 0),
        "dev_zones": by_kind.get(Kind.DEV_ZONE, 0),
        "communities": by_kind.get(Kind.COMMUNITY, 0),
        "villages": by_kind.get(Kind.VILLAGE, 0),
        "special": by_kind.get(Kind.SPECIAL, 0),
        "grids": grids["all"],
        "general_grids": grids["general"],
        "special_grids": grids["special"],
        "departments": Department.objects.count(),
        "users": get_user_model().objects.count(),
    }


def subtree_counts(node: Jurisdiction) -> dict[str, int]:
    """How many units of each level and how many grids lie under a node (two queries)."""
    levels = dict(
        Jurisdiction.objects.filter(subtree_q(node.path))
        .exclude(pk=node.pk)
        .values_list("level")
        .annotate(n=Count("id"))
    )
    return {
        "subdistricts": levels.get(Level.SUBDISTRICT, 0),
        "communities": levels.get(Level.COMMUNITY, 0),
        "districts": levels.get(Level.DISTRICT, 0),
        "grids": Grid.objects.within(node).general().count(),
    }


def dual_role_holders(community: Jurisdiction):
    """People who are both party secretary and committee chair here (一肩挑)."""
    kinds = [PostKind.COMMUNITY_SECRETARY, PostKind.COMMITTEE_CHAIR]
    return (
        get_user_model()
        .objects.filter(posts__jurisdiction=community, posts__active=True, posts__kind__in=kinds)
        .annotate(n=Count("posts__kind", distinct=True))
        .filter(n=2)
    )
