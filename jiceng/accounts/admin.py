from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from jiceng.lib.admin import ScopedAdmin
from jiceng.lib.masking import mask_phone

from .models import User

PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "role", "jurisdiction", "department", "masked_phone"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "full_name"]
    list_select_related = ["jurisdiction", "department"]
    raw_id_fields = ["jurisdiction", "department"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "phone", "email")}),
        (_("角色与范围"), {"fields": ("role", "jurisdiction", "department")}),
        (_("权限"), {"fields": ("is_active", *PRIVILEGE_FIELDS)}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "role", "jurisdiction", "department"),
            },
        ),
        (_("密码"), {"fields": ("password1", "password2")}),
    )

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: User) -> str:
        return mask_phone(obj.phone)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Nobody grants themselves or others more power than the superuser gave them.
            fields += [*PRIVILEGE_FIELDS, "last_login", "date_joined"]
        return fields
