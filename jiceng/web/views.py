"""Home pages: one per role, each showing the user's own part of the city."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.module_loading import import_string

from jiceng.accounts.choices import Role
from jiceng.jurisdictions.choices import GridKind
from jiceng.jurisdictions.models import Post
from jiceng.jurisdictions.selectors import subtree_counts
from jiceng.jurisdictions.views import scope_root_for

COMMUNITY_ROLES = (Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF)


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
    """The role's own work surface (ROLE_HOMES), or the place overview: the community's
    cases, grids and posts for community staff, the subtree's figures for the others."""
    user = request.user
    if user.role in ROLE_HOMES:
        return import_string(ROLE_HOMES[user.role])(request)
    root = scope_root_for(user)
    context = {"root": root, "counts": subtree_counts(root) if root else None}
    if root is not None:
        context["map_url"] = reverse("jurisdiction-map", args=[root.code])
    if user.role not in COMMUNITY_ROLES:
        return render(request, "web/home_leader.html", context)
    if root is not None:
        context["grids"] = root.grids.filter(kind=GridKind.GENERAL).defer("geometry_wkb")
        context["posts"] = Post.objects.active().filter(jurisdiction=root).select_related("user")
    return render(request, "web/home_community.html", context)
