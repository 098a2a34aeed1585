"""The public forms: track a case by number, find a community by name."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _


class UnechoedInput(forms.TextInput):
    """Never written back into the page: the digits are part of a phone number."""

    def format_value(self, value):
        return None


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("诉求编号"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    digits = forms.CharField(
        label=_("登记手机号后4位"),
        max_length=4,
        widget=UnechoedInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": r"\d{4}"}
        ),
    )

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        if not number.isdigit() or len(number) < 16:
            raise forms.ValidationError(_("诉求编号是16位数字，请按受理短信或回执上的编号填写"))
        return number

    def clean_digits(self) -> str:
        digits = self.cleaned_data["digits"].strip()
        if not re.fullmatch(r"\d{4}", digits):
            raise forms.ValidationError(_("请填写登记手机号的最后4位数字"))
        return digits


class CommunitySearchForm(forms.Form):
    q = forms.CharField(label=_("社区/村名称"), max_length=50, required=False)
