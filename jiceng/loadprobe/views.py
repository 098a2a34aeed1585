"""POST /api/v1/bench/ping: authenticated exactly as the API (DRF's default classes)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from . import actions


@extend_schema(exclude=True)  # a benchmark instrument, not part of the published API
class PingView(APIView):
    """Insert one row for the caller and answer 201 with its id. Authentication,
    permission and throttling are the API's defaults, so the probe pays what every API
    request pays and nothing more."""

    def initial(self, request, *args, **kwargs) -> None:
        # Checked before authentication, so a server without the probe answers 404 to
        # everyone and does not even reveal that the route exists.
        if not getattr(settings, "JICENG_LOAD_PROBE", False):
            raise Http404
        super().initial(request, *args, **kwargs)

    def post(self, request) -> Response:
        ping = actions.record_ping(acting_user=request.user)
        return Response({"id": ping.pk}, status=201)
