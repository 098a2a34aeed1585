"""Fetch-and-authorise accessors: "missing" and "not yours" both answer 404."""

from __future__ import annotations

from django.http import Http404

from .models import Grid, Jurisdiction


def access_jurisdiction(user, code: str, *, with_geometry: bool = False) -> Jurisdiction:
    qs = Jurisdiction.objects.visible_to(user).select_related("parent")
    if not with_geometry:
        qs = qs.defer("geometry_wkb")
    try:
        return qs.get(code=code)
    except Jurisdiction.DoesNotExist:
        raise Http404("没有这个辖区，或您无权查看") from None


def access_grid(user, code: str) -> Grid:
    qs = Grid.objects.visible_to(user).select_related("community")
    try:
        return qs.get(code=code)
    except Grid.DoesNotExist:
        raise Http404("没有这个网格，或您无权查看") from None
