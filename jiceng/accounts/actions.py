"""Creating people and giving them posts. Demo data is built with these same actions."""

from __future__ import annotations

import logging

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from jiceng.jurisdictions.choices import Employment, PostKind
from jiceng.jurisdictions.models import Department, Grid, Jurisdiction, Post

from .choices import Role
from .models import User

log = logging.getLogger(__name__)

# Roles that configure their own jurisdiction in the admin, and what they may do there.
ADMIN_ROLES = {Role.CITY_LEADER, Role.DISTRICT_LEADER, Role.SUBDISTRICT_DISPATCHER}
SCOPED_ADMIN_GROUP = "辖区管理员"
SCOPED_ADMIN_PERMISSIONS = [
    "jurisdictions.view_jurisdiction",
    "jurisdictions.change_jurisdiction",
    "jurisdictions.view_grid",
    "jurisdictions.change_grid",
    "jurisdictions.view_department",
    "jurisdictions.view_post",
    "jurisdictions.add_post",
    "jurisdictions.change_post",
    "accounts.view_user",
    "cases.view_case",
    "cases.view_category",
    "cases.view_responsibility",
    "cases.add_responsibility",
    "cases.change_responsibility",
]


def scoped_admin_group() -> Group:
    """The group of leaders and dispatchers who configure their own subtree."""
    group, _ = Group.objects.get_or_create(name=SCOPED_ADMIN_GROUP)
    wanted = []
    for dotted in SCOPED_ADMIN_PERMISSIONS:
        app_label, codename = dotted.split(".")
        wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    group.permissions.set(wanted)
    return group


@transaction.atomic
def create_user(
    *,
    username: str,
    role: str,
    password: str | None = None,
    full_name: str = "",
    phone: str = "",
    jurisdiction: Jurisdiction | None = None,
    department: Department | None = None,
    acting_user: User | None = None,
) -> User:
    """Create a user whose role and scope are consistent (checked by User.clean)."""
    user = User(
        username=username,
        role=role,
        full_name=full_name,
        phone=phone,
        jurisdiction=jurisdiction,
        department=department,
        is_staff=role in ADMIN_ROLES or role == Role.SYSTEM_ADMIN,
        is_superuser=role == Role.SYSTEM_ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    if role in ADMIN_ROLES:
        user.groups.add(scoped_admin_group())
    log.info("user created username=%s role=%s by=%s", username, role, _who(acting_user))
    return user


@transaction.atomic
def assign_post(
    user: User,
    *,
    kind: str,
    community: Jurisdiction,
    grids: list[Grid] | tuple = (),
    employment: str = "",
    acting_user: User | None = None,
) -> Post:
    """Give a person a post in a community; grid posts name the grids they cover."""
    if kind == PostKind.GRID_WORKER and not employment:
        employment = Employment.FULL_TIME
    post = Post(user=user, kind=kind, jurisdiction=community, employment=employment)
    post.full_clean()
    post.save()
    foreign = [g.code for g in grids if g.community_id != community.pk]
    if foreign:
        raise ValueError(f"网格 {', '.join(foreign)} 不属于 {community.name}")
    post.grids.set(grids)
    user._jiceng_scope = None  # the user's grids changed: recompute their scope
    log.info("post assigned user=%s kind=%s community=%s", user.username, kind, community.code)
    return post


def _who(user: User | None) -> str:
    return user.username if user else "-"
