"""The month picker of the rankings, 每月一题 and the export (`?month=YYYY-MM`)."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

FIRST_MONTH = date(2000, 1, 1)
PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class MonthForm(forms.Form):
    """A month up to the current one; the browser's <input type="month"> sends YYYY-MM."""

    month = forms.CharField(
        label=_("月份"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}),
    )

    def __init__(self, data=None, *, current: date):
        self.current = current.replace(day=1)
        super().__init__(data, initial={"month": f"{self.current:%Y-%m}"})

    def clean_month(self) -> date:
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return self.current
        found = PATTERN.match(text)
        if not found or not 1 <= int(found[2]) <= 12:
            raise forms.ValidationError(
                _("月份“%(text)s”格式不对，应为 年-月，例如 2026-11"), params={"text": text[:20]}
            )
        month = date(int(found[1]), int(found[2]), 1)
        if month > self.current:
            raise forms.ValidationError(
                _("月份不能晚于本月（%(now)s）"), params={"now": f"{self.current:%Y-%m}"}
            )
        if month < FIRST_MONTH:
            raise forms.ValidationError(_("月份不能早于 2000-01"))
        return month

    def chosen(self) -> date:
        """The valid month asked for, or the current month (the errors say why)."""
        return self.cleaned_data["month"] if self.is_valid() else self.current
