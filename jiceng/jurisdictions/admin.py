from django.contrib import admin

from jiceng.lib.admin import ScopedAdmin

from .models import Department, Grid, Jurisdiction, Post


@admin.register(Jurisdiction)
class JurisdictionAdmin(ScopedAdmin):
    list_display = ["code", "name", "level", "kind", "parent", "boundary_synthetic"]
    list_filter = ["level", "kind", "boundary_synthetic"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    exclude = ["geometry_wkb"]

    def has_add_permission(self, request):
        # The tree comes from the NBS files (`jiceng import-divisions`); adding a node by
        # hand would put a code in the tree that no statistical source knows.
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["code", "level", "parent"]  # moves go through move_jurisdiction
        return fields


@admin.register(Grid)
class GridAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "community", "area_m2", "synthetic"]
    list_filter = ["kind", "synthetic"]
    search_fields = ["code", "name", "community__name"]
    list_select_related = ["community"]
    raw_id_fields = ["community"]
    exclude = ["geometry_wkb"]
    readonly_fields = ["area_m2", "center_lng", "center_lat", "synthetic", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["code", "community"]  # geometry and codes change through import-grids
        return fields

    def has_add_permission(self, request):
        return False  # grids are created by the generator or `jiceng import-grids`


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ["name", "short_name", "kind", "jurisdiction", "phone"]
    list_filter = ["kind", "jurisdiction__level"]
    search_fields = ["name", "short_name"]
    list_select_related = ["jurisdiction"]


@admin.register(Post)
class PostAdmin(ScopedAdmin):
    list_display = ["user", "kind", "jurisdiction", "employment", "active"]
    list_filter = ["kind", "employment", "active"]
    search_fields = ["user__full_name", "user__username", "jurisdiction__name"]
    list_select_related = ["user", "jurisdiction"]
    raw_id_fields = ["user", "jurisdiction"]
    filter_horizontal = ["grids"]
