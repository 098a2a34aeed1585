"""Credentials of the open API (personal tokens, external systems' keys) and the
answers kept for Idempotency-Key replays. Keys are stored only as SHA-256 digests."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Use

USER = settings.AUTH_USER_MODEL


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user) -> ApiTokenQuerySet:
        """A person sees their own tokens; an admin sees those of the people they see."""
        from jiceng.accounts.models import User

        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(user__in=User.objects.visible_to(user))


class ApiToken(models.Model):
    """A person's token for the API (`Authorization: Token <key>`). The key is shown
    once, on creation; only its digest and a short prefix (to recognise it) are kept."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途说明"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ExternalSystemQuerySet(models.QuerySet):
    def visible_to(self, user) -> ExternalSystemQuerySet:
        """The systems serving an area inside the user's scope."""
        from jiceng.jurisdictions.models import Jurisdiction

        return self.filter(area__in=Jurisdiction.objects.visible_to(user))


class ExternalSystem(models.Model):
    """An outside system (a 12345 centre, a sensor platform) calling the API with
    `X-Api-Key`. It acts through its own service user (role 外部系统) whose scope is the
    area it serves, so every `visible_to` applies to it unchanged."""

    name = models.CharField(_("系统名称"), max_length=100, unique=True)
    area = models.ForeignKey(
        "jurisdictions.Jurisdiction",
        verbose_name=_("服务辖区"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uses = models.CharField(_("允许用途"), max_length=200, default=Use.SUBMIT_HOTLINE)
    user = models.OneToOneField(
        USER, on_delete=models.PROTECT, related_name="external_system", editable=False
    )
    prefix = models.CharField(_("密钥前缀"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    objects = ExternalSystemQuerySet.as_manager()

    class Meta:
        verbose_name = _("外部系统")
        verbose_name_plural = _("外部系统")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.use_list()) - set(Use.values)
        if unknown:
            raise ValidationError({"uses": _("未知的用途：%s") % "、".join(sorted(unknown))})

    def use_list(self) -> list[str]:
        return [u.strip() for u in self.uses.split(",") if u.strip()]

    def allows(self, use: str) -> bool:
        return self.active and use in self.use_list()


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key`, replayed for 24 hours
    to the same user with the same body. Written in the transaction of the write it
    answers; the unique (user, key) decides between two concurrent requests."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # method, path and body, hashed
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
