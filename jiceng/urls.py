"""URL map: pages, the admin and the language switch."""

from django.contrib import admin
from django.urls import include, path

from jiceng.api import pages as api_pages

admin.site.site_header = "jiceng 基层治理 · 配置管理"
admin.site.site_title = "jiceng"
admin.site.index_title = "配置管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("open311/v2/", include("jiceng.open311.urls")),
    # Before the API's own routes; off unless JICENG_LOAD_PROBE=true (docs/load.md).
    path("api/v1/bench/", include("jiceng.loadprobe.urls")),
    path("", include("jiceng.api.urls")),  # /api/v1/, /api/schema/, /api/docs/ (docs/api.md)
    # A person's own API tokens (docs/api.md).
    path("account/tokens/", api_pages.tokens, name="account-tokens"),
    path("account/tokens/<int:token_id>/revoke/", api_pages.revoke, name="account-token-revoke"),
    path("", include("jiceng.web.urls")),
]
