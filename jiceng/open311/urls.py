"""GeoReport v2 under /open311/v2/: the format is the suffix of every resource."""

from django.urls import path, register_converter

from . import views


class FormatConverter:
    regex = "xml|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")

urlpatterns = [
    path("discovery.<fmt:format>", views.discovery, name="open311-discovery"),
    path("services.<fmt:format>", views.service_list, name="open311-services"),
    path("services/<str:service_code>.<fmt:format>", views.service, name="open311-service"),
    path("requests.<fmt:format>", views.requests, name="open311-requests"),
    path(
        "requests/<str:service_request_id>.<fmt:format>",
        views.request_detail,
        name="open311-request",
    ),
    path(
        "servicerequestupdates.<fmt:format>",
        views.request_updates,
        name="open311-updates",
    ),
]
