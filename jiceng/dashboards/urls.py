from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.my_dashboard, name="my-dashboard"),
    path("dashboard/<str:code>/", views.dashboard, name="dashboard"),
    path("dashboard/<str:code>/cases.json", views.cases_json, name="dashboard-cases"),
    path("dashboard/<str:code>/outline.geojson", views.outline, name="dashboard-outline"),
    path("dashboard/<str:code>/rankings.xlsx", views.rankings_export, name="dashboard-rankings"),
]
