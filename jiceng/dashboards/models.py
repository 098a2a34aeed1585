"""Rollups: per unit and day counters that the case actions keep up to date, so KPIs and
rankings read a few hundred rows, never the cases themselves."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

COUNTERS = [
    "received",  # cases received (intake day)
    "self_resolved",  # closed on the spot by a grid worker (自处置)
    "dispatched",  # assignments that start an acceptance clock
    "accepted",
    "accepted_on_time",  # accepted before the acceptance deadline
    "due",  # handling rounds whose deadline falls on this day (应结案, cohort)
    "closed_on_time",  # of those, closed by the deadline (按期结案, same cohort)
    "closed",
    "handling_seconds",  # sum of received → closed over the cases closed this day
    "closed_grid",
    "closed_community",
    "closed_subdistrict",
    "closed_district",
    "closed_city",
    "followed_up",
    "resolved",
    "satisfied",
    "basic",
    "dissatisfied",
    "verifications",
    "reworks",
    "returns",
    "overdue",
    "summoned",
    "reported_on_time",
    "reported_late",
    "ratings",
    "rating_points",  # sum of speed + attitude + result over the ratings
]


class DailyStat(models.Model):
    """Counters of one unit (a jurisdiction, by where cases are, or a department, by what
    was assigned to it) for one day in Asia/Shanghai."""

    day = models.DateField(_("日期"))
    unit = models.CharField(max_length=24, help_text="j<jurisdiction id> or d<department id>")
    level = models.CharField(_("层级"), max_length=16)
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,  # read by unit and level; every upsert would pay for it
    )
    department = models.ForeignKey(
        "jurisdictions.Department",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,
    )
    # One column per name in COUNTERS (kept explicit so migrations and readers see them).
    received = models.BigIntegerField(default=0, db_default=0)
    self_resolved = models.BigIntegerField(default=0, db_default=0)
    dispatched = models.BigIntegerField(default=0, db_default=0)
    accepted = models.BigIntegerField(default=0, db_default=0)
    accepted_on_time = models.BigIntegerField(default=0, db_default=0)
    due = models.BigIntegerField(default=0, db_default=0)
    closed_on_time = models.BigIntegerField(default=0, db_default=0)
    closed = models.BigIntegerField(default=0, db_default=0)
    handling_seconds = models.BigIntegerField(default=0, db_default=0)
    closed_grid = models.BigIntegerField(default=0, db_default=0)
    closed_community = models.BigIntegerField(default=0, db_default=0)
    closed_subdistrict = models.BigIntegerField(default=0, db_default=0)
    closed_district = models.BigIntegerField(default=0, db_default=0)
    closed_city = models.BigIntegerField(default=0, db_default=0)
    followed_up = models.BigIntegerField(default=0, db_default=0)
    resolved = models.BigIntegerField(default=0, db_default=0)
    satisfied = models.BigIntegerField(default=0, db_default=0)
    basic = models.BigIntegerField(default=0, db_default=0)
    dissatisfied = models.BigIntegerField(default=0, db_default=0)
    verifications = models.BigIntegerField(default=0, db_default=0)
    reworks = models.BigIntegerField(default=0, db_default=0)
    returns = models.BigIntegerField(default=0, db_default=0)
    overdue = models.BigIntegerField(default=0, db_default=0)
    summoned = models.BigIntegerField(default=0, db_default=0)
    reported_on_time = models.BigIntegerField(default=0, db_default=0)
    reported_late = models.BigIntegerField(default=0, db_default=0)
    ratings = models.BigIntegerField(default=0, db_default=0)
    rating_points = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        verbose_name = _("日统计")
        verbose_name_plural = _("日统计")
        constraints = [
            models.UniqueConstraint(fields=["day", "unit"], name="one_stat_per_unit_day")
        ]
        indexes = [models.Index(fields=["level", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.unit}"


class CategoryMonthStat(models.Model):
    """Cases received per jurisdiction node (every level above the case's place), 小类 and
    month: what 每月一题 compares month against month without reading cases."""

    month = models.DateField(_("月份"))  # the first day of the month, Asia/Shanghai
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        "cases.Category", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    received = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        verbose_name = _("类别月统计")
        verbose_name_plural = _("类别月统计")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "month", "category"], name="one_category_stat_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} j{self.jurisdiction_id} c{self.category_id}"
