"""Users and their roles. A user's scope is one jurisdiction subtree or one department."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.jurisdictions.models import subtree_q

from .choices import ROLE_LEVEL, Role
from .scope import scope_for

PHONE = RegexValidator(r"^\+?\d[\d-]{5,19}$", _("电话号码格式不正确"))


class UserQuerySet(models.QuerySet):
    def visible_to(self, user) -> UserQuerySet:
        """The one place that decides which people a user may see."""
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if scope.department_id is not None:
            return self.filter(department_id=scope.department_id)
        if scope.path:
            return self.filter(
                subtree_q(scope.path, "jurisdiction__path")
                | subtree_q(scope.path, "department__jurisdiction__path")
            )
        if user is not None and user.is_authenticated:
            return self.filter(pk=user.pk)
        return self.none()


class JicengUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in: staff of a jurisdiction or department, or a resident."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, validators=[PHONE])
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.RESIDENT)
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction",
        verbose_name=_("所属辖区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    department = models.ForeignKey(
        "jurisdictions.Department",
        verbose_name=_("所属部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    objects = JicengUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]
        permissions = [("unmask_personal_data", _("可查看未脱敏的个人信息"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role=Role.DEPARTMENT_CLERK) | Q(department__isnull=False),
                name="clerk_has_department",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        level = ROLE_LEVEL.get(self.role)
        if level and self.role != Role.RESIDENT:
            if not self.jurisdiction_id:
                raise ValidationError({"jurisdiction": _("该角色必须指定所属辖区")})
            if self.jurisdiction.level != level:
                raise ValidationError({"jurisdiction": _("所属辖区的层级与角色不符")})
        if self.role == Role.DEPARTMENT_CLERK and not self.department_id:
            raise ValidationError({"department": _("部门办件员必须指定所属部门")})

    @property
    def scope(self):
        return scope_for(self)
