from django.urls import path

from . import views

urlpatterns = [
    path("patrols/new/", views.new_log, name="patrol-new"),
    path("patrols/mine/", views.history, name="patrol-history"),
    path("patrols/<int:log_id>/", views.detail, name="patrol"),
]
