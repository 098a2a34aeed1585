from django.urls import path

from . import views

urlpatterns = [
    path("track/", views.track, name="track"),
    path("public/", views.public_index, name="public"),
    path("public/<str:code>/", views.public_community, name="public-community"),
]
