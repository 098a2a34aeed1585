"""The quick <select> writes what Django's templates write, character for character."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from jiceng.jurisdictions.models import Jurisdiction
from jiceng.lib.forms import QuickSelectRenderer

DJANGO = DjangoTemplates()
QUICK = QuickSelectRenderer()

CHOICES = [("", "全部"), ("a", "甲"), ("b&c", 'Tom & "Jerry" <b>'), (3, 1000)]
GROUPED = [
    ("蓟州区", [("1", "渔阳镇"), ("2", "<i>下营镇</i>")]),
    ("和平区", [("3", _("待人工派单"))]),
    ("4", "无分组"),
]

WIDGETS = [
    pytest.param(forms.Select(choices=CHOICES), "b&c", id="plain, escaped value and label"),
    pytest.param(forms.Select(choices=CHOICES), 3, id="an integer value and label"),
    pytest.param(forms.Select(choices=CHOICES), None, id="nothing chosen"),
    pytest.param(forms.Select(choices=GROUPED), "2", id="option groups"),
    pytest.param(forms.Select(choices=[]), "", id="no options"),
    pytest.param(
        forms.Select(choices=CHOICES, attrs={"required": True, "disabled": False, "data-x": "<&>"}),
        "a",
        id="attributes true, false and escaped",
    ),
    pytest.param(
        forms.Select(choices=[(mark_safe("<safe>"), mark_safe("<em>safe</em>"))]),
        "<safe>",
        id="safe strings left as they are",
    ),
    pytest.param(forms.SelectMultiple(choices=GROUPED), ["1", "3"], id="multiple"),
    pytest.param(forms.NullBooleanSelect(), True, id="null boolean"),
]


@pytest.mark.parametrize("widget, value", WIDGETS)
def test_a_quick_select_is_the_same_html_as_djangos(widget, value):
    expected = widget.render("choice", value, attrs={"id": "id_choice"}, renderer=DJANGO)
    assert widget.render("choice", value, attrs={"id": "id_choice"}, renderer=QUICK) == expected


@pytest.mark.django_db
def test_a_model_choice_select_is_the_same_html_as_djangos(cast):
    field = forms.ModelChoiceField(Jurisdiction.objects.order_by("code"), empty_label="全部")
    chosen = cast.community.pk
    expected = field.widget.render("place", chosen, renderer=DJANGO)
    assert field.widget.render("place", chosen, renderer=QUICK) == expected
    assert f'<option value="{chosen}" selected>{cast.community.name}</option>' in expected


def test_a_select_with_its_own_option_template_is_left_to_django():
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input.html"

    widget = Custom(choices=CHOICES)
    expected = widget.render("choice", "a", renderer=DJANGO)
    assert widget.render("choice", "a", renderer=QUICK) == expected
    assert "<option" not in expected


def test_every_form_of_the_project_uses_the_quick_renderer():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), QuickSelectRenderer)
