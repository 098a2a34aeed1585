"""The jurisdiction tree (市 → 区 → 街道/乡镇 → 社区/村), its grids, departments and posts."""

from __future__ import annotations

from functools import cached_property

import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.lib.quickload import QuickLoad

from .choices import (
    CHILD_LEVEL,
    KINDS_BY_LEVEL,
    DepartmentKind,
    Employment,
    GridKind,
    Kind,
    Level,
    PostKind,
)

CODE12 = RegexValidator(r"^\d{12}$", _("区划代码必须是12位数字"))
CODE15 = RegexValidator(r"^\d{15}$", _("网格编码必须是15位数字"))
SEGMENT = 12  # every path segment is one 12-digit NBS code


def subtree_q(path: str, field: str = "path") -> Q:
    """Rows whose `field` starts with `path`, as a range an ordinary B-tree index serves.

    Paths are digits only, so every descendant's path lies in [path, path + 1): a range
    scan on both SQLite and PostgreSQL, where LIKE 'x%' would need special index classes.
    """
    upper = str(int(path) + 1).zfill(len(path))
    return Q(**{f"{field}__gte": path, f"{field}__lt": upper})


class GeometryMixin:
    """Shapely access to a WKB geometry column named `geometry_wkb`."""

    @cached_property
    def geometry(self) -> shapely.Geometry | None:
        return shapely.from_wkb(bytes(self.geometry_wkb)) if self.geometry_wkb else None

    def set_geometry(self, geom: shapely.Geometry) -> None:
        self.geometry_wkb = shapely.to_wkb(geom)
        self.__dict__["geometry"] = geom


class JurisdictionQuerySet(models.QuerySet):
    def subtree(self, node: Jurisdiction) -> JurisdictionQuerySet:
        """The node and all its descendants, in one indexed range query."""
        return self.filter(subtree_q(node.path))

    def visible_to(self, user) -> JurisdictionQuerySet:
        """The one place that decides which jurisdictions a user may see."""
        from jiceng.accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if scope.grid_ids is not None:
            return self.filter(grids__id__in=scope.grid_ids).distinct()
        if scope.path:
            return self.filter(subtree_q(scope.path))
        return self.none()


class Jurisdiction(QuickLoad, GeometryMixin, models.Model):
    """One node of the four-level tree, keyed by its 12-digit NBS statistical code.

    `path` is the concatenation of the codes from the city down to this node, so a
    subtree is one range query. It is maintained by the actions in actions.py.
    """

    code = models.CharField(_("区划代码"), max_length=12, unique=True, validators=[CODE12])
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices, db_index=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=SEGMENT * 4, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("深度"), editable=False, default=0)
    ur_code = models.CharField(
        _("城乡分类代码(2016提示)"), max_length=3, blank=True, help_text=_("仅供参考")
    )
    geometry_wkb = models.BinaryField(_("边界(WKB, WGS84)"), null=True, blank=True)
    boundary_synthetic = models.BooleanField(
        _("边界为演示生成"),
        default=False,
        help_text=_("没有公开来源提供街道、社区和网格边界；演示数据的这些边界是程序生成的。"),
    )

    objects = JurisdictionQuerySet.as_manager()

    class Meta:
        verbose_name = _("辖区")
        verbose_name_plural = _("辖区")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="jurisdiction_name_per_parent")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.level not in Level.values:
            return
        if self.kind and self.kind not in KINDS_BY_LEVEL[Level(self.level)]:
            raise ValidationError({"kind": _("类型与层级不符")})
        if self.level == Level.CITY:
            if self.parent_id:
                raise ValidationError({"parent": _("市级辖区没有上级")})
            return
        if self.parent is None:
            raise ValidationError({"parent": _("必须指定上级辖区")})
        if self.pk and self.path and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": _("不能把辖区移到它自己或它的下级之下")})
        if CHILD_LEVEL.get(Level(self.parent.level)) != self.level:
            raise ValidationError({"parent": _("上级的层级与本级不符")})

    def ancestors(self) -> JurisdictionQuerySet:
        """All ancestors, city first, in one query on the codes in the path."""
        codes = [self.path[i : i + SEGMENT] for i in range(0, len(self.path) - SEGMENT, SEGMENT)]
        return Jurisdiction.objects.filter(code__in=codes).order_by("depth")

    def descendants(self) -> JurisdictionQuerySet:
        return Jurisdiction.objects.subtree(self).exclude(pk=self.pk)


class GridQuerySet(models.QuerySet):
    def general(self) -> GridQuerySet:
        return self.filter(kind=GridKind.GENERAL)

    def within(self, node: Jurisdiction) -> GridQuerySet:
        return self.filter(subtree_q(node.path, "community__path"))

    def visible_to(self, user) -> GridQuerySet:
        from jiceng.accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if scope.grid_ids is not None:
            return self.filter(id__in=scope.grid_ids)
        if scope.path:
            return self.filter(subtree_q(scope.path, "community__path"))
        return self.none()


class Grid(QuickLoad, GeometryMixin, models.Model):
    """A polygon under one community. General grids tile the city with no gap or overlap;
    special grids (专属网格: a school, a hospital, a park) lie on top of them."""

    code = models.CharField(_("网格编码"), max_length=15, unique=True, validators=[CODE15])
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(
        _("类型"), max_length=16, choices=GridKind.choices, default=GridKind.GENERAL
    )
    community = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("所属社区/村"),
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"level": Level.COMMUNITY},
    )
    geometry_wkb = models.BinaryField(_("边界(WKB, WGS84)"))
    area_m2 = models.FloatField(_("面积(平方米)"), default=0)
    center_lng = models.FloatField(_("中心经度"), default=0)
    center_lat = models.FloatField(_("中心纬度"), default=0)
    synthetic = models.BooleanField(_("演示生成"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]
        indexes = [models.Index(fields=["community", "kind"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        if self.community_id and not self.code.startswith(self.community.code):
            raise ValidationError({"code": _("网格编码必须以所属社区/村的12位代码开头")})


class DepartmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> DepartmentQuerySet:
        """Departments of the user's subtree and of its ancestors (the ones it can summon)."""
        from jiceng.accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if scope.department_id is not None:
            return self.filter(id=scope.department_id)
        path = scope.path or scope.community_path
        if not path:
            return self.none()
        ancestor_codes = [path[i : i + SEGMENT] for i in range(0, len(path), SEGMENT)]
        return self.filter(
            subtree_q(path, "jurisdiction__path") | Q(jurisdiction__code__in=ancestor_codes)
        )


class Department(models.Model):
    """A functional department (职能部门, 条) at district or city level."""

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(
        _("类别"), max_length=32, choices=DepartmentKind.choices, default=DepartmentKind.OTHER
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("所属辖区"),
        on_delete=models.PROTECT,
        related_name="departments",
        limit_choices_to={"level__in": [Level.CITY, Level.DISTRICT]},
    )
    phone = models.CharField(_("值班电话"), max_length=30, blank=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["jurisdiction__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name"], name="department_name_per_jurisdiction"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.jurisdiction_id and self.jurisdiction.level not in (Level.CITY, Level.DISTRICT):
            raise ValidationError({"jurisdiction": _("职能部门只能属于市或区")})


class PostQuerySet(models.QuerySet):
    def active(self) -> PostQuerySet:
        return self.filter(active=True)

    def visible_to(self, user) -> PostQuerySet:
        from jiceng.accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if scope.grid_ids is not None:
            return self.filter(user=user)
        if scope.path:
            return self.filter(subtree_q(scope.path, "jurisdiction__path"))
        return self.none()


class Post(models.Model):
    """A person's post in a community: grid worker, grid leader, secretary or chair.

    One person may hold the secretary and the chair posts of the same community
    (一肩挑); `Jurisdiction`-level helpers in selectors.py report that case.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="posts",
    )
    kind = models.CharField(_("岗位"), max_length=32, choices=PostKind.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("社区/村"),
        on_delete=models.PROTECT,
        related_name="posts",
        limit_choices_to={"level": Level.COMMUNITY},
    )
    grids = models.ManyToManyField(
        Grid, verbose_name=_("负责网格"), blank=True, related_name="posts"
    )
    employment = models.CharField(
        _("专兼职"), max_length=16, choices=Employment.choices, blank=True
    )
    active = models.BooleanField(_("在岗"), default=True)
    started_on = models.DateField(_("任职日期"), null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["jurisdiction__path", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "jurisdiction"], name="post_once_per_person_and_place"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.user}"

    def clean(self) -> None:
        grid_post = self.kind in (PostKind.GRID_WORKER, PostKind.GRID_LEADER)
        if self.kind == PostKind.GRID_WORKER and not self.employment:
            raise ValidationError({"employment": _("网格员必须注明专职或兼职")})
        if not grid_post and self.employment:
            raise ValidationError({"employment": _("只有网格员岗位区分专兼职")})
