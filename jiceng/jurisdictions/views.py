"""The jurisdiction browser: tree, node pages, grid pages and their map layers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.db.models.functions import Substr
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.views.decorators.gzip import gzip_page

from jiceng.accounts.scope import scope_for

from . import layers, maps
from .access import access_grid, access_jurisdiction
from .choices import Level
from .models import SEGMENT, Department, Grid, Jurisdiction, Post, subtree_q
from .selectors import dual_role_holders


@login_required
def tree(request):
    """Districts and their subdistricts (communities are on each node's page)."""
    nodes = (
        Jurisdiction.objects.visible_to(request.user)
        .filter(level__in=[Level.CITY, Level.DISTRICT, Level.SUBDISTRICT])
        .defer("geometry_wkb")
    )
    if not nodes:
        root = _scope_root(request.user)
        return (
            redirect("jurisdiction", code=root.code)
            if root
            else render(request, "jurisdictions/tree.html", {"roots": []})
        )
    return render(request, "jurisdictions/tree.html", {"roots": _nest(list(nodes))})


def _nest(nodes: list[Jurisdiction]) -> list[Jurisdiction]:
    by_pk = {n.pk: n for n in nodes}
    roots = []
    for n in nodes:
        n.kids = []
    for n in nodes:
        parent = by_pk.get(n.parent_id)
        (parent.kids if parent else roots).append(n)
    return roots


def _scope_root(user) -> Jurisdiction | None:
    visible = Jurisdiction.objects.visible_to(user).defer("geometry_wkb")
    return visible.order_by("depth", "code").first()


@login_required
def node(request, code: str):
    node = access_jurisdiction(request.user, code)
    children = _children_with_counts(request.user, node)
    context = {
        "node": node,
        "ancestors": _ancestors(request.user, node),
        "children": children,
        "grids": _grids(request.user, node),
        "departments": Department.objects.filter(jurisdiction=node)
        if node.level in (Level.CITY, Level.DISTRICT)
        else [],
        "posts": Post.objects.visible_to(request.user)
        .active()
        .filter(jurisdiction=node)
        .select_related("user")
        .prefetch_related("grids"),
        "dual_role": dual_role_holders(node) if node.level == Level.COMMUNITY else [],
        "map_url": reverse("jurisdiction-map", args=[node.code]),
        # Above a community the grids are too many for GeoJSON: the compact layer draws them.
        "grid_layer_url": reverse("grid-layer", args=[node.code])
        if node.level != Level.COMMUNITY
        else "",
        "totals": _totals(children, node),
    }
    return render(request, "jurisdictions/node.html", context)


def _ancestors(user, node: Jurisdiction) -> list[tuple[Jurisdiction, bool]]:
    """Ancestors with a flag saying whether the user may open them (breadcrumbs)."""
    ancestors = list(node.ancestors().defer("geometry_wkb"))
    visible = set(
        Jurisdiction.objects.visible_to(user)
        .filter(pk__in=[a.pk for a in ancestors])
        .values_list("pk", flat=True)
    )
    return [(a, a.pk in visible) for a in ancestors]


def _children_with_counts(user, node: Jurisdiction) -> list[Jurisdiction]:
    """Visible children, each with its number of communities and general grids.

    Two grouped queries whatever the number of children: descendants are grouped by
    the prefix of their path that names the child.
    """
    children = list(Jurisdiction.objects.visible_to(user).filter(parent=node).defer("geometry_wkb"))
    width = len(node.path) + SEGMENT
    communities = _count_by_prefix(
        Jurisdiction.objects.visible_to(user).filter(subtree_q(node.path), level=Level.COMMUNITY),
        "path",
        width,
    )
    grids = _count_by_prefix(
        Grid.objects.visible_to(user).general().within(node), "community__path", width
    )
    for child in children:
        child.community_count = communities.get(child.path, 0)
        child.grid_count = grids.get(child.path, 0)
    return children


def _count_by_prefix(queryset, field: str, width: int) -> dict[str, int]:
    rows = (
        queryset.order_by()
        .annotate(prefix=Substr(field, 1, width))
        .values("prefix")
        .annotate(n=Count("id"))
    )
    return {row["prefix"]: row["n"] for row in rows}


def _grids(user, node: Jurisdiction):
    if node.level != Level.COMMUNITY:
        return []
    return Grid.objects.visible_to(user).filter(community=node).defer("geometry_wkb")


def _totals(children, node) -> dict[str, int]:
    return {
        "children": len(children),
        "communities": sum(c.community_count for c in children),
        "grids": sum(c.grid_count for c in children),
    }


@login_required
def node_map(request, code: str):
    """GeoJSON of the node's children (or, for a community, of its grids)."""
    node = access_jurisdiction(request.user, code)
    children = list(Jurisdiction.objects.visible_to(request.user).filter(parent=node))
    for child in children:
        child.url = reverse("jurisdiction", args=[child.code])
    grids = list(Grid.objects.visible_to(request.user).filter(community=node))
    for grid in grids:
        grid.url = reverse("grid", args=[grid.code])
    return JsonResponse(maps.node_layer(node, children, grids))


@login_required
@gzip_page
def grid_layer(request, code: str):
    """Every grid under the node that the user sees, compact and simplified for the zoom
    `z`; at a detailed zoom, those in `bbox` (layers.py, docs/grids.md)."""
    node = layers.access_layer_node(request.user, code)
    try:
        return _grid_layer(request, node)
    except layers.LayerError as error:
        return JsonResponse({"error": str(error)}, status=400)


def _grid_layer(request, node: Jurisdiction):
    bucket = layers.bucket_for(request.GET.get("z"))
    box = layers.parse_bbox(request.GET.get("bbox"), bucket)
    name, grids = layers.selection(request.user, node)
    key = layers.cache_key(name, bucket)
    tag = layers.etag(key, box)
    response = get_conditional_response(request, etag=tag)
    if response is None:  # not the copy the browser holds: send the layer
        body = layers.answer(layers.cached_layer(key, grids, bucket), box)
        response = JsonResponse(body, json_dumps_params={"separators": (",", ":")})
    response["ETag"] = tag
    response["Cache-Control"] = f"private, max-age={layers.BROWSER_SECONDS}"
    return response


@login_required
def grid(request, code: str):
    grid = access_grid(request.user, code)
    community = grid.community
    context = {
        "grid": grid,
        "ancestors": _ancestors(request.user, community) + [(community, True)],
        "posts": grid.posts.active().select_related("user"),
        "map_url": reverse("grid-map", args=[grid.code]),
    }
    return render(request, "jurisdictions/grid.html", context)


@login_required
def grid_map(request, code: str):
    grid = access_grid(request.user, code)
    grid.url = reverse("grid", args=[grid.code])
    layer = maps.feature(
        grid.geometry, 0, code=grid.code, name=grid.name, layer=grid.kind, url=grid.url
    )
    return JsonResponse(maps.collection([layer]))


def scope_root_for(user) -> Jurisdiction | None:
    """Where a user's browsing starts: the top of what they may see."""
    scope = scope_for(user)
    if not (scope.everything or scope.path or scope.grid_ids):
        return None
    return _scope_root(user)
