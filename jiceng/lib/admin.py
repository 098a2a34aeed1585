"""The admin is the configuration tool; non-superusers see it through their scope."""

from __future__ import annotations

from django.contrib import admin


def _scoped(queryset, user):
    visible_to = getattr(queryset, "visible_to", None)
    return visible_to(user) if visible_to else queryset


class ScopedAdmin(admin.ModelAdmin):
    """Lists, change pages and choice fields all go through `visible_to(user)`.

    An object outside the user's scope is "not found" for them, exactly as in the pages.
    """

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = _scoped(field.queryset, request.user)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = _scoped(field.queryset, request.user)
        return field
