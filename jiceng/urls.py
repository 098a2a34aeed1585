"""URL map: pages, the admin and the language switch."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "jiceng 基层治理 · 配置管理"
admin.site.site_title = "jiceng"
admin.site.index_title = "配置管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("jiceng.web.urls")),
]
