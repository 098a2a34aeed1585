"""The project's form renderer: Django's, except that a plain <select> is written in Python.

Django draws a <select> with one template include per <option>, about 0.08 ms each. The
queue's filters alone hold some 600 options (every 小类 and every grid of a street): at
10,000,000 cases that was half the busiest street's queue with the overdue filter, and a
third of it unfiltered, with the bulk-dispatch form (docs/scaling.md).
`QuickSelectRenderer` writes exactly what Django's templates write, character for
character (jiceng/lib/tests/test_forms.py compares them over every kind of option); a
select whose widget or options use other templates goes to Django unchanged.

settings.FORM_RENDERER names it, so every form uses it, the admin's included.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


class QuickSelectRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT and _plain(context["widget"]):
            return select_html(context["widget"])
        return super().render(template_name, context, request=request)


def _plain(widget: dict) -> bool:
    """Every option uses Django's own option template (nothing custom to honour)."""
    return all(
        option["template_name"] == OPTION
        for _name, options, _index in widget["optgroups"]
        for option in options
    )


def select_html(widget: dict) -> str:
    """What django/forms/widgets/select.html renders for `widget`, after its strip()."""
    parts = [f'<select name="{_text(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            value, attrs = _formatted(option["value"]), attrs_html(option["attrs"])
            # The option's template file ends in a newline, and the include keeps it.
            parts.append(f'\n  <option value="{value}"{attrs}>{_text(option["label"])}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))


def attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: False leaves an attribute out, True writes its
    name alone."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {_text(name)}")
        else:
            out.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(out)


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: the filter keeps a safe string safe."""
    return conditional_escape(value)


def _text(value) -> str:
    """`{{ value }}` in a template: local time, localized, escaped unless already safe."""
    return conditional_escape(localize(template_localtime(value)))
