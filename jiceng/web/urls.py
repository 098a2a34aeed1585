from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import pwa, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="sw"),
    path("", include("jiceng.jurisdictions.urls")),
    path("", include("jiceng.cases.urls")),
    path("", include("jiceng.patrols.urls")),
    path("", include("jiceng.dashboards.urls")),
    path("", include("jiceng.residents.urls")),
]
