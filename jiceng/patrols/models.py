"""民情日志: what a grid worker saw and did on one patrol of one grid."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.jurisdictions.models import Grid, subtree_q


class PatrolLogQuerySet(models.QuerySet):
    def visible_to(self, user) -> PatrolLogQuerySet:
        """The one place that decides whose patrol logs a user may read: a grid worker
        their own, community and street staff and leaders those of their subtree."""
        from jiceng.accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if scope.department_id is not None:
            return self.none()  # a department has no part in the grids' patrols
        if scope.grid_ids is not None:
            return self.filter(worker_id=user.pk)
        if scope.path:
            # Through the grid's community, not a copied path: a moved community takes
            # its logs along.
            return self.filter(subtree_q(scope.path, "grid__community__path"))
        return self.none()


class PatrolLog(models.Model):
    """One patrol (巡查) of one grid by its grid worker: when, whom they visited, what
    they found, and the cases they reported or checked on the way. Written only by
    `actions.log_patrol`, which checks the grid is theirs and the figures make sense."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("网格员"),
        on_delete=models.PROTECT,
        related_name="patrol_logs",
        db_index=False,  # (worker, ended_at) below serves it
    )
    grid = models.ForeignKey(
        Grid, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="patrol_logs"
    )
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"))
    households_visited = models.PositiveIntegerField(_("走访户数"), default=0)
    people_visited = models.PositiveIntegerField(_("走访人数"), default=0)
    issues_found = models.TextField(_("发现问题"), blank=True)
    notes = models.TextField(_("民情记录"), blank=True)
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("关联事件"), blank=True, related_name="patrol_logs"
    )
    created_at = models.DateTimeField(_("填写时间"))

    objects = PatrolLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("民情日志")
        verbose_name_plural = _("民情日志")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["worker", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.grid.name} {self.started_at:%Y-%m-%d %H:%M}"
