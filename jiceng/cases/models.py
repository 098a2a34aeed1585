"""Cases and the policy they follow: categories, responsibility rules, time limits."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.jurisdictions.models import SEGMENT, Department, Grid, Jurisdiction, subtree_q

from .choices import (
    CategoryKind,
    Handler,
    NotificationKind,
    PhotoStage,
    ResolvedLevel,
    Satisfaction,
    Source,
    Stage,
    Status,
    Urgency,
    WhistleReason,
)

USER = settings.AUTH_USER_MODEL
SUBDISTRICT_PATH_LENGTH = 3 * SEGMENT  # city, district, subdistrict codes


def place_field() -> models.ForeignKey:
    """A case's community, subdistrict or district: no index, scoping and lists use
    `Case.path`, and every intake would pay for three more."""
    return models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )


def hours_field(label: str, default: float) -> models.DecimalField:
    return models.DecimalField(label, max_digits=6, decimal_places=2, default=default)


class Category(models.Model):
    """One entry of the matter catalogue (事项清单): a 大类 (no parent) or a 小类.

    Time limits are in working hours (natural hours for emergencies) per stage, each with
    a warning (黄牌) and an overdue (红牌) limit.
    """

    code = models.CharField(_("编码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("大类"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    kind = models.CharField(_("性质"), max_length=16, choices=CategoryKind.choices)
    keywords = models.CharField(_("关键词"), max_length=500, blank=True)
    urgency = models.CharField(
        _("默认紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    handling_level = models.CharField(
        _("默认处置层级"), max_length=16, choices=Handler.choices, default=Handler.COMMUNITY
    )
    accept_warn_hours = hours_field(_("签收预警(小时)"), 1)
    accept_limit_hours = hours_field(_("签收时限(小时)"), 2)
    handle_warn_hours = hours_field(_("办理预警(小时)"), 32)
    handle_limit_hours = hours_field(_("办理时限(小时)"), 40)
    verify_warn_hours = hours_field(_("核查预警(小时)"), 4)
    verify_limit_hours = hours_field(_("核查时限(小时)"), 8)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("事项类别")
        verbose_name_plural = _("事项清单")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_name_per_parent")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("事项清单只有大类和小类两级")})
        for stage in Stage.values:
            warn, limit = self.limits(stage)
            if warn > limit:
                raise ValidationError(
                    _("%(stage)s预警时间不能晚于时限") % {"stage": Stage(stage).label}
                )

    def limits(self, stage: str) -> tuple[float, float]:
        """(warning, overdue) hours for a stage."""
        warn = getattr(self, f"{stage}_warn_hours")
        limit = getattr(self, f"{stage}_limit_hours")
        return float(warn), float(limit)

    def keyword_list(self) -> list[str]:
        return [k for k in self.keywords.replace("，", ",").replace(" ", ",").split(",") if k]


class CategoryChange(models.Model):
    """History of the catalogue: who changed which category, when, why, and to what."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True)
    changed_at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=300)
    snapshot = models.JSONField(_("修改后的值"), default=dict)

    class Meta:
        verbose_name = _("事项清单修改记录")
        verbose_name_plural = _("事项清单修改记录")
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.category.code} {self.changed_at:%Y-%m-%d %H:%M} {self.note}"


class Responsibility(models.Model):
    """A rule of the responsibility list (权责清单): category × jurisdiction → handler.

    A rule applies to its jurisdiction's whole subtree; dispatch takes the most specific
    rule (the deepest jurisdiction, then a 小类 before its 大类).
    """

    category = models.ForeignKey(
        Category, verbose_name=_("事项类别"), on_delete=models.PROTECT, related_name="rules"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("适用辖区"), on_delete=models.PROTECT, related_name="rules"
    )
    handler = models.CharField(_("处置主体"), max_length=16, choices=Handler.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("职能部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rules",
    )
    note = models.CharField(_("依据/说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("权责清单条目")
        verbose_name_plural = _("权责清单")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "jurisdiction"], name="one_rule_per_category_and_place"
            )
        ]

    def __str__(self) -> str:
        target = self.department or self.get_handler_display()
        return f"{self.category.name} @ {self.jurisdiction.name} → {target}"

    def clean(self) -> None:
        if (self.handler == Handler.DEPARTMENT) != bool(self.department_id):
            raise ValidationError({"department": _("由职能部门处置时必须且只能指定部门")})


class SkipLevelRule(models.Model):
    """越级: matters of this category and urgency go straight to a higher level, with
    copies to other departments (e.g. a gas leak to the district emergency bureau)."""

    category = models.ForeignKey(
        Category, verbose_name=_("事项类别"), on_delete=models.PROTECT, related_name="skip_rules"
    )
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices)
    target_level = models.CharField(
        _("直达层级"),
        max_length=16,
        choices=[(Handler.SUBDISTRICT, _("街道/乡镇")), (Handler.DEPARTMENT, _("区级职能部门"))],
    )
    department_kind = models.CharField(
        _("部门类别"),
        max_length=32,
        blank=True,
        help_text=_("直达区级职能部门时，按类别找本区部门"),
    )
    copy_kinds = models.CharField(
        _("抄送部门类别"), max_length=200, blank=True, help_text=_("逗号分隔的部门类别")
    )

    class Meta:
        verbose_name = _("越级规则")
        verbose_name_plural = _("越级规则")
        constraints = [
            models.UniqueConstraint(fields=["category", "urgency"], name="one_skip_rule")
        ]

    def __str__(self) -> str:
        return (
            f"{self.category.name} {self.get_urgency_display()} → {self.get_target_level_display()}"
        )

    def copy_kind_list(self) -> list[str]:
        return [k.strip() for k in self.copy_kinds.split(",") if k.strip()]


class HolidayOverride(models.Model):
    """A day whose working status the holiday library does not know (or gets wrong):
    a public holiday, or an adjusted working weekend (调休上班)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("说明"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'} {self.name}"


def id_of_number(number: str) -> int | None:
    """The id inside a case number, or None when it is not one."""
    number = number.strip()
    if len(number) < 16 or not number.isdigit():
        return None
    return int(number[8:])


class CaseQuerySet(models.QuerySet):
    def numbered(self, number: str) -> Case | None:
        """The case with this number, or None (a wrong date prefix is no match)."""
        pk = id_of_number(number)
        case = self.filter(pk=pk).first() if pk is not None else None
        return case if case is not None and case.number == number.strip() else None

    def visible_to(self, user) -> CaseQuerySet:
        """The one place that decides which cases a user may see."""
        from jiceng.accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if scope.department_id is not None:
            # Assigned to the department, or whistled for it: a UNION of two indexed
            # lookups. (An OR across the summons join needs DISTINCT and scans the table.)
            assigned = Case.objects.filter(assigned_department_id=scope.department_id)
            summoned = Summons.objects.filter(department_id=scope.department_id)
            ids = assigned.order_by().values("id").union(summoned.order_by().values("case_id"))
            return self.filter(pk__in=ids)
        if scope.grid_ids is not None:
            return self.filter(models.Q(grid_id__in=scope.grid_ids) | models.Q(reporter_id=user.pk))
        if scope.path and scope.node_id and len(scope.path) == SUBDISTRICT_PATH_LENGTH:
            # The same cases as the path range, but an equality the queue's index can
            # walk in deadline order (the busiest street's queue reads 50 rows, not all).
            return self.filter(subdistrict_id=scope.node_id)
        if scope.path:
            return self.filter(subtree_q(scope.path, "path"))
        if user is not None and user.is_authenticated:
            # A resident: what they reported, and what was recorded as their request.
            return self.filter(models.Q(reporter_id=user.pk) | models.Q(requester_id=user.pk))
        return self.none()


class Case(models.Model):
    """One matter, whatever its source, from intake to a closed, verified, rated result.

    Its status changes only through jiceng.cases.actions, each writing a CaseEvent in the
    same transaction. Deadlines are stored here, so a restart or a missed sweep loses
    nothing.
    """

    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    category = models.ForeignKey(
        Category,
        verbose_name=_("事项类别"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # (category, received_at) below serves it
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    urgency = models.CharField(
        _("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    description = models.TextField(_("描述"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lng = models.FloatField(_("经度(WGS84)"), null=True, blank=True)
    lat = models.FloatField(_("纬度(WGS84)"), null=True, blank=True)
    # Where it is: the located grid and its ancestors, stored so lists and rollups never
    # need the geometry again. `path` is the community's path (or the subdistrict's when no
    # grid was found) and scopes the case.
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, null=True, blank=True)
    community = place_field()
    subdistrict = place_field()
    district = place_field()
    path = models.CharField(max_length=48, blank=True)  # indexed in Meta: ranges, not LIKE
    # Who reported it.
    reporter = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="reported_cases"
    )
    # 诉求人: the resident whose request this is (a resident's own report, or one a grid
    # worker recorded for them); they follow it and rate it.
    requester = models.ForeignKey(
        USER,
        verbose_name=_("诉求人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requested_cases",
        db_index=False,  # a partial index in Meta: most cases have no requester
    )
    caller_name = models.CharField(_("来电人"), max_length=50, blank=True)
    caller_phone = models.CharField(_("来电号码"), max_length=20, blank=True)
    hotline_order_no = models.CharField(_("热线工单号"), max_length=40, null=True, blank=True)
    # Who handles it now.
    assigned_jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,  # (assigned_department, status) below serves it
    )
    in_manual_queue = models.BooleanField(_("待人工派单"), default=False)
    # The clock of the current stage.
    stage = models.CharField(_("当前计时环节"), max_length=16, choices=Stage.choices, blank=True)
    stage_started_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True, db_index=True)
    due_at = models.DateTimeField(_("超期时间"), null=True, blank=True, db_index=True)
    handle_due_at = models.DateTimeField(_("办理时限"), null=True, blank=True)
    warned = models.BooleanField(_("黄牌"), default=False)
    overdue = models.BooleanField(_("红牌"), default=False)
    # Outcome.
    self_resolved = models.BooleanField(_("自处置"), default=False)
    rework_count = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    return_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    escalation_level = models.CharField(
        _("当前处置层级"), max_length=16, choices=ResolvedLevel.choices, blank=True
    )
    resolved_level = models.CharField(
        _("解决层级"), max_length=16, choices=ResolvedLevel.choices, blank=True
    )
    result = models.TextField(_("办理结果"), blank=True)
    resolved = models.BooleanField(_("回访：是否解决"), null=True, blank=True)
    satisfaction = models.CharField(
        _("回访：满意度"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        db_index=False,  # rare lookups; every intake would pay for the index
    )
    parked_reason = models.CharField(_("挂账原因"), max_length=300, blank=True)
    extension_hours = models.DecimalField(
        _("已批准延期(小时)"), max_digits=7, decimal_places=2, default=0
    )
    # Milestones, for KPIs.
    received_at = models.DateTimeField(_("受理时间"))  # indexed in Meta, with its riders
    dispatched_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_on_time = models.BooleanField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_on_time = models.BooleanField(null=True, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    # Chosen by the reporter's device for a report written offline: the same report sent
    # twice (the connection dropped after the server wrote it) must make one case.
    client_key = models.UUIDField(_("客户端编号"), null=True, blank=True, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering = ["-received_at"]
        # Each index is paid for by every intake: only those that lists, scoping, the
        # sweep and the duplicate search use (docs/benchmarks.md records the effect).
        indexes = [
            models.Index(fields=["path"], name="case_path"),
            models.Index(
                fields=["requester"],
                condition=models.Q(requester__isnull=False),
                name="case_requester",
            ),
            # Time windows (the dashboard's 30-day heat per grid): grid and place ride along
            # on PostgreSQL, so the window is read from the index alone.
            models.Index(fields=["received_at"], include=["grid", "path"], name="case_received"),
            # 红牌 now, per subtree (the dashboards): only overdue cases are in it, and a
            # stage change clears the flag, so intake never pays for it.
            models.Index(
                fields=["path", "status"],
                condition=models.Q(overdue=True),
                name="case_overdue_path",
            ),
            # The subdistrict queue in its order; `status` rides along (PostgreSQL) so the
            # per-status counts and the total are index-only scans.
            models.Index(
                fields=["subdistrict", "due_at", "received_at", "id"],
                include=["status"],
                name="case_subdistrict_queue",
            ),
            models.Index(fields=["status", "path"]),
            models.Index(fields=["assigned_department", "status"]),
            models.Index(fields=["category", "received_at"]),
        ]
        # Partial where most cases have no value: a grid report pays for no entry in them.
        constraints = [
            models.UniqueConstraint(
                fields=["hotline_order_no"],
                condition=models.Q(hotline_order_no__isnull=False),
                name="one_case_per_hotline_order",
            ),
            models.UniqueConstraint(
                fields=["reporter", "client_key"],
                condition=models.Q(client_key__isnull=False),
                name="one_case_per_client_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.category.name}"

    @property
    def number(self) -> str:
        """The case number people quote: the local date received and the id,
        2026112100000123. It encodes the id, so it needs no column, no second write and
        no lookup table (`CaseQuerySet.numbered`)."""
        if self.pk is None or self.received_at is None:
            return ""
        return f"{timezone.localtime(self.received_at):%Y%m%d}{self.pk:08d}"


class CaseEvent(models.Model):
    """One row of a case's timeline; written by the action that made the change."""

    # (case, at) below serves lookups by case; no index on actor: nothing asks by it.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    action = models.CharField(_("动作"), max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, db_index=False
    )
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


def photo_path(instance: CasePhoto, filename: str) -> str:
    return f"cases/{instance.case_id}/{instance.stage}/{filename}"


class CasePhoto(models.Model):
    """A photo of a case at one stage, stored through Django's storage API."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(max_length=16, choices=PhotoStage.choices)
    file = models.FileField(upload_to=photo_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.file.name}"


class Whistle(models.Model):
    """A subdistrict blows the whistle (吹哨) on a case to summon departments."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="whistles")
    subdistrict = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("吹哨事由"), max_length=32, choices=WhistleReason.choices)
    note = models.TextField(_("说明"), blank=True)
    blown_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    blown_at = models.DateTimeField()

    class Meta:
        verbose_name = _("吹哨")
        verbose_name_plural = _("吹哨")
        ordering = ["-blown_at"]

    def __str__(self) -> str:
        return f"{self.subdistrict.name} {self.blown_at:%Y-%m-%d %H:%M} {self.get_reason_display()}"


class Summons(models.Model):
    """One department summoned by a whistle, which must report in (报到) in time and is
    rated afterwards by the subdistrict (下考上)."""

    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="summons")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="summons")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="summons")
    due_at = models.DateTimeField(_("报到时限"))
    reported_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    reported_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    late = models.BooleanField(_("迟到"), null=True, blank=True)
    notes = models.TextField(_("联合处置记录"), blank=True)
    speed = models.PositiveSmallIntegerField(_("响应速度"), null=True, blank=True)
    attitude = models.PositiveSmallIntegerField(_("工作态度"), null=True, blank=True)
    result = models.PositiveSmallIntegerField(_("处置效果"), null=True, blank=True)
    rated_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("报到")
        verbose_name_plural = _("报到")
        constraints = [
            models.UniqueConstraint(fields=["whistle", "department"], name="summon_once")
        ]

    def __str__(self) -> str:
        return f"{self.department.name} {'已报到' if self.reported_at else '待报到'}"

    @property
    def score(self) -> float | None:
        if self.speed is None:
            return None
        return round((self.speed + self.attitude + self.result) / 3, 2)


class Notification(models.Model):
    """An item in a user's inbox; other channels (email, SMS) are sent from the same row."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text


class PendingNotification(models.Model):
    """A notification written in the same transaction as the change it tells of (a
    transactional outbox): it exists exactly when the change committed, and survives a
    broker that is down. `notify.deliver_pending` turns it into inbox rows and channel
    sends, then deletes it; the people are looked up then, not when it is written."""

    audience = models.JSONField(
        help_text="谁收到：handlers、dispatchers、verifiers 或 clerks:<部门id>"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("待发送通知")
        verbose_name_plural = _("待发送通知")

    def __str__(self) -> str:
        return self.text


class SavedFilter(models.Model):
    """A queue filter a user named to come back to (常用筛选): the query string of the
    queue page, so it keeps working when filters are added."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(_("名称"), max_length=40)
    query = models.CharField(_("筛选条件"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("常用筛选")
        verbose_name_plural = _("常用筛选")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="one_saved_filter_name_per_user")
        ]

    def __str__(self) -> str:
        return self.name
