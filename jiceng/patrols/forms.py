"""The patrol log form: a phone form, one field per argument of `actions.log_patrol`."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.cases.models import Case
from jiceng.jurisdictions.models import Grid

from . import actions
from .actions import GRID_POSTS
from .choices import LINKABLE_DAYS
from .models import PatrolLog

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    """The phone's own date-and-time picker (datetime-local), in the local time zone."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=LOCAL_MINUTE, **kwargs)


def when_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, widget=LocalDateTimeInput(), input_formats=[LOCAL_MINUTE, "%Y-%m-%d %H:%M"]
    )


def count_field(label) -> forms.IntegerField:
    # No min_value here: the action names a negative count in its own words.
    widget = forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})
    return forms.IntegerField(label=label, initial=0, widget=widget)


def posted_grids(user):
    """The grids the user patrols: those of their active grid-worker posts."""
    posts = {"posts__user": user, "posts__active": True, "posts__kind__in": GRID_POSTS}
    return Grid.objects.filter(**posts).distinct().defer("geometry_wkb").order_by("code")


class CaseChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Case) -> str:
        return f"{obj.number} {obj.category.name} · {obj.get_status_display()}"


class PatrolLogForm(forms.Form):
    grid = forms.ModelChoiceField(label=_("网格"), queryset=Grid.objects.none(), empty_label=None)
    started_at = when_field(_("开始时间"))
    ended_at = when_field(_("结束时间"))
    households_visited = count_field(_("走访户数"))
    people_visited = count_field(_("走访人数"))
    issues_found = forms.CharField(
        label=_("发现问题"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=_("民情记录"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    cases = CaseChoice(
        label=_("关联事件"),
        queryset=Case.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("本人两天内上报或所负责网格内的事件"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        now = timezone.localtime()
        self.fields["grid"].queryset = posted_grids(user)
        self.fields["started_at"].initial = (now - timedelta(hours=1)).strftime(LOCAL_MINUTE)
        self.fields["ended_at"].initial = now.strftime(LOCAL_MINUTE)
        recent = Case.objects.visible_to(user).filter(
            received_at__gte=now - timedelta(days=LINKABLE_DAYS)
        )
        self.fields["cases"].queryset = recent.select_related("category").order_by("-received_at")

    def submit(self) -> PatrolLog:
        """Log the patrol; the action's complaints land next to their fields."""
        return actions.log_patrol(acting_user=self.user, **self.cleaned_data)
