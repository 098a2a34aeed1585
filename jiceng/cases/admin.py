"""Admin for the policy of cases: the catalogue, the responsibility list, holidays.

Policy is data (STYLE §5): every save of a category needs a change note and writes a
CategoryChange row with the values it left behind.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from jiceng.jurisdictions.models import Jurisdiction
from jiceng.lib.admin import ScopedAdmin
from jiceng.lib.masking import mask_name, mask_phone

from .catalogue import LIMIT_FIELDS, record_change
from .choices import Stage
from .models import (
    Case,
    CaseEvent,
    Category,
    CategoryChange,
    HolidayOverride,
    PendingNotification,
    Responsibility,
    id_of_number,
)
from .templatetags.case_tags import actor_name

HISTORY_ON_PAGE = 20


class CategoryForm(forms.ModelForm):
    """The category's fields plus the reason for the change, which goes to the history."""

    change_note = forms.CharField(
        label=_("修改说明"),
        max_length=CategoryChange._meta.get_field("note").max_length,
        help_text=_("为什么修改，例如“按区城管委意见将办理时限调整为 3 个工作日”"),
    )

    class Meta:
        model = Category
        fields = ["code", "name", "parent", "kind", "keywords", "active", "urgency"]
        fields += ["handling_level", *LIMIT_FIELDS]


class GroupFilter(admin.SimpleListFilter):
    """Filter by 大类: the group itself and its 小类 (a plain parent filter would list all
    two hundred categories)."""

    title = _("大类")
    parameter_name = "group"

    def lookups(self, request, model_admin):
        return [(c.pk, str(c)) for c in Category.objects.filter(parent=None)]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters(value)
        return queryset.filter(Q(pk=value) | Q(parent_id=value))


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = [
        "code",
        "name",
        "parent",
        "kind",
        "urgency",
        "handling_level",
        "limits",
        "active",
    ]
    list_filter = [GroupFilter, "kind", "urgency", "handling_level", "active"]
    search_fields = ["code", "name", "keywords"]
    list_select_related = ["parent"]
    fieldsets = [
        (None, {"fields": ["code", "name", "parent", "kind", "keywords", "active"]}),
        (_("默认处置"), {"fields": ["urgency", "handling_level"]}),
        (
            _("时限（工作小时；特急为自然小时）"),
            {
                "fields": [
                    ("accept_warn_hours", "accept_limit_hours"),
                    ("handle_warn_hours", "handle_limit_hours"),
                    ("verify_warn_hours", "verify_limit_hours"),
                ]
            },
        ),
        (_("修改说明"), {"fields": ["change_note"]}),
        (_("修改记录"), {"fields": ["change_history"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = ["change_history"]
        if obj is not None:
            # The code is how the default catalogue and the 12345 interface find it.
            fields.append("code")
        return fields

    def has_delete_permission(self, request, obj=None):
        # Cases point at their category and deleting would drop its history: switch it
        # off (启用) instead.
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Category.objects.filter(parent=None)  # two levels only
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_change(obj, request.user, form.cleaned_data["change_note"])

    @admin.display(description=_("时限 预警/超期(小时)"))
    def limits(self, obj: Category) -> str:
        parts = []
        for stage in Stage:
            warn, limit = obj.limits(stage)
            parts.append(f"{stage.label} {warn:g}/{limit:g}")
        return " · ".join(parts)

    @admin.display(description=_("最近的修改"))
    def change_history(self, obj: Category | None) -> str:
        if obj is None or obj.pk is None:
            return "—"
        changes = obj.changes.select_related("changed_by")[:HISTORY_ON_PAGE]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((f"{c.changed_at:%Y-%m-%d %H:%M}", c.changed_by or "系统", c.note) for c in changes),
        )
        url = reverse("admin:cases_categorychange_changelist") + f"?category={obj.pk}"
        return format_html('<table>{}</table><a href="{}">{}</a>', rows, url, _("全部修改记录"))


@admin.register(CategoryChange)
class CategoryChangeAdmin(admin.ModelAdmin):
    """The history is written by saves and the loader only; nobody edits the past."""

    list_display = ["changed_at", "category", "changed_by", "note"]
    list_filter = ["changed_at", "category__kind"]
    search_fields = ["category__code", "category__name", "note"]
    list_select_related = ["category", "changed_by"]
    date_hierarchy = "changed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PendingNotification)
class PendingNotificationAdmin(admin.ModelAdmin):
    """The outbox (docs/jobs.md): normally empty within a second of any commit. Rows that
    stay mean no worker is draining it; "deliver now" drains it from here."""

    list_display = ["id", "created_at", "kind", "audience", "case", "text"]
    list_filter = ["kind"]
    list_select_related = ["case"]
    actions = ["deliver_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("立即发送全部待发送通知"))
    def deliver_now(self, request, queryset):
        from .notify import deliver_pending

        self.message_user(request, _("已发送 %(n)d 条通知") % {"n": deliver_pending()})


@admin.register(Responsibility)
class ResponsibilityAdmin(ScopedAdmin):
    list_display = ["category", "jurisdiction", "handler", "department", "note"]
    list_filter = ["handler", "jurisdiction__level", "category__kind"]
    search_fields = ["category__code", "category__name", "jurisdiction__name", "department__name"]
    list_select_related = ["category", "jurisdiction", "department"]
    # Thousands of communities and hundreds of categories: search, don't scroll.
    autocomplete_fields = ["category", "jurisdiction", "department"]

    def get_queryset(self, request):
        # Responsibility has no visible_to: a rule is visible where its jurisdiction is.
        # The jurisdiction and department choices are scoped by ScopedAdmin already.
        visible = Jurisdiction.objects.visible_to(request.user)
        return super().get_queryset(request).filter(jurisdiction__in=visible)


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name"]
    list_editable = ["is_workday", "name"]
    list_filter = ["is_workday"]
    search_fields = ["name"]
    date_hierarchy = "date"


# --- cases: read-only; every change of a case goes through jiceng.cases.actions -----------


class CaseGroupFilter(admin.SimpleListFilter):
    """Cases by 大类 (the category's parent), a short list instead of every 小类."""

    title = _("大类")
    parameter_name = "group"

    def lookups(self, request, model_admin):
        return [(c.pk, str(c)) for c in Category.objects.filter(parent=None)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(category__parent_id=self.value())


class CaseEventInline(admin.TabularInline):
    """The timeline, as written by the actions."""

    model = CaseEvent
    fields = ["at", "action", "from_status", "to_status", "who", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("操作人"))
    def who(self, obj: CaseEvent) -> str:
        return actor_name(obj.actor)  # a resident reporter is masked like a caller

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_view_permission(self, request, obj=None):
        return True  # shown only on the page of a case the user may already see

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


CASE_RELATED = ["category", "community", "assigned_jurisdiction", "assigned_department"]
CASE_NO_GEOMETRY = ["community__geometry_wkb", "assigned_jurisdiction__geometry_wkb"]


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    """Cases as the user's scope shows them, for looking up, never for editing: the
    status and everything else change only through the actions (timeline, deadlines,
    notifications). Callers are masked here as in every list."""

    list_display = ["number", "category", "status", "source", "community", "assigned_unit"]
    list_display += ["received_at", "masked_caller_phone", "masked_caller_name"]
    list_filter = ["status", "source", "urgency", "warned", "overdue", "in_manual_queue"]
    list_filter += [CaseGroupFilter]
    search_fields = ["=hotline_order_no"]
    list_select_related = CASE_RELATED
    show_full_result_count = False  # one COUNT over a whole city is enough per page
    inlines = [CaseEventInline]
    fieldsets = [
        (None, {"fields": ["number", "source", "category", "status", "urgency"]}),
        (None, {"fields": ["description", "address", "lng", "lat"]}),
        (_("地点"), {"fields": ["grid", "community", "subdistrict", "district"]}),
        (
            _("来电人"),
            {"fields": ["masked_caller_name", "masked_caller_phone", "hotline_order_no"]},
        ),
        (
            _("办理"),
            {
                "fields": [
                    "assigned_jurisdiction",
                    "assigned_department",
                    "in_manual_queue",
                    "stage",
                    "warn_at",
                    "due_at",
                    "warned",
                    "overdue",
                    "result",
                    "resolved",
                    "satisfaction",
                    "merged_into",
                ]
            },
        ),
        (
            _("时间"),
            {"fields": ["received_at", "dispatched_at", "accepted_at", "replied_at"]},
        ),
        (None, {"fields": ["closed_at", "followed_up_at", "version"]}),
    ]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related(*CASE_RELATED)
        return qs.defer(*CASE_NO_GEOMETRY)

    def get_readonly_fields(self, request, obj=None):
        return [f for _name, options in self.fieldsets for f in options["fields"]]

    def get_search_results(self, request, queryset, search_term):
        """A case number is a date and the id: search it as the id."""
        pk = id_of_number(search_term)
        if pk is not None:
            return queryset.filter(pk=pk), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False  # cases come in through intake (grid reports, 12345, residents)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("处置单位"))
    def assigned_unit(self, obj: Case) -> str:
        unit = obj.assigned_department or obj.assigned_jurisdiction
        return unit.name if unit else "—"

    @admin.display(description=_("来电号码"))
    def masked_caller_phone(self, obj: Case) -> str:
        return mask_phone(obj.caller_phone)

    @admin.display(description=_("来电人"))
    def masked_caller_name(self, obj: Case) -> str:
        return mask_name(obj.caller_name)
