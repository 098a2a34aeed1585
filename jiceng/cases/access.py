"""Fetch-and-authorise accessors for cases and saved filters: "missing" and "not yours"
both answer 404."""

from __future__ import annotations

from django.http import Http404

from .models import Case, SavedFilter

# The related rows every case page needs; their geometries are never needed there.
RELATED = [
    "category",
    "grid",
    "community",
    "subdistrict",
    "district",
    "assigned_jurisdiction",
    "assigned_department",
    "merged_into",
]
NO_GEOMETRY = [
    "grid__geometry_wkb",
    "community__geometry_wkb",
    "subdistrict__geometry_wkb",
    "district__geometry_wkb",
    "assigned_jurisdiction__geometry_wkb",
]


def access_case(user, number: str) -> Case:
    qs = Case.objects.visible_to(user).select_related(*RELATED).defer(*NO_GEOMETRY)
    case = qs.numbered(number)
    if case is None:
        raise Http404("没有这个事件，或您无权查看")
    return case


def access_saved_filter(user, id: int) -> SavedFilter:
    """A saved queue filter, only ever its owner's."""
    saved = SavedFilter.objects.filter(pk=id, user_id=user.pk).first()
    if saved is None:
        raise Http404("没有这个常用筛选")
    return saved
