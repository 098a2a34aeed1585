"""/api/v1/ (the REST API), /api/schema/ (OpenAPI 3), /api/docs/ and /api/redoc/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import views
from .errors import not_found

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("jurisdictions", views.JurisdictionViewSet, basename="jurisdiction")
router.register("grids", views.GridViewSet, basename="grid")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("cases", views.CaseViewSet, basename="case")
router.register("whistles", views.WhistleViewSet, basename="whistle")
router.register("kpis", views.KpiViewSet, basename="kpi")

urlpatterns = [
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    re_path(r"^api/", not_found),  # unknown addresses answer in the API's error format
]
