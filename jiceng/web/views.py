"""Home pages: one per role, each showing the user's own part of the city."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.module_loading import import_string

from jiceng.accounts.choices import Role
from jiceng.jurisdictions.choices import GridKind
from jiceng.jurisdictions.models import Grid, Post
from jiceng.jurisdictions.selectors import subtree_counts
from jiceng.jurisdictions.views import scope_root_for

TEMPLATES = {
    Role.GRID_WORKER: "web/home_grid_worker.html",
    Role.DEPARTMENT_CLERK: "web/home_department.html",
    Role.RESIDENT: "web/home_resident.html",
    Role.COMMUNITY_SECRETARY: "web/home_community.html",
    Role.COMMUNITY_STAFF: "web/home_community.html",
}


# A role whose work surface lives in its own app: the view that draws its home page
# (dotted path, imported when first used so apps do not import each other at start-up).
ROLE_HOMES: dict[str, str] = {
    Role.DISTRICT_LEADER: "jiceng.dashboards.views.my_dashboard",
    Role.CITY_LEADER: "jiceng.dashboards.views.my_dashboard",
    Role.RESIDENT: "jiceng.residents.views.home",
    Role.GRID_WORKER: "jiceng.patrols.views.today",
    Role.DEPARTMENT_CLERK: "jiceng.cases.views.desk",
}


@login_required
def home(request):
    user = request.user
    if user.role in ROLE_HOMES:
        return import_string(ROLE_HOMES[user.role])(request)
    root = scope_root_for(user)
    context = {"root": root, "counts": subtree_counts(root) if root else None}
    if root is not None:
        context["map_url"] = reverse("jurisdiction-map", args=[root.code])
    if user.role == Role.GRID_WORKER:
        context["my_grids"] = Grid.objects.visible_to(user).defer("geometry_wkb")
        context["posts"] = Post.objects.filter(user=user).select_related("jurisdiction")
    if user.role in (Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF) and root is not None:
        context["grids"] = root.grids.filter(kind=GridKind.GENERAL).defer("geometry_wkb")
        context["posts"] = Post.objects.active().filter(jurisdiction=root).select_related("user")
    if user.role == Role.RESIDENT:
        context["community"] = user.jurisdiction
    template = TEMPLATES.get(user.role, "web/home_leader.html")
    return render(request, template, context)
