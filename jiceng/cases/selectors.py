"""Read-only questions about cases that pages and the API share."""

from __future__ import annotations

import difflib
import math
from datetime import timedelta

from django.db.models import QuerySet

from .choices import DONE_STATUSES, Status
from .models import Case

DUPLICATE_RADIUS_M = 250
DUPLICATE_WINDOW = timedelta(days=7)
DUPLICATE_TEXT_RATIO = 0.9
# Text comparison runs in Python: bound the candidates so a busy category stays cheap.
TEXT_CANDIDATES = 200
EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180


def haversine_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres between two WGS84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def suggest_duplicates(case: Case, *, among: QuerySet | None = None) -> list[Case]:
    """Open cases that are probably the same matter: the same category within 250 m, or
    near-identical text in the same subdistrict, received within 7 days of this one.

    `among` narrows the candidates (pages pass `Case.objects.visible_to(user)`, so a
    neighbouring street's case just across the boundary is never suggested).
    """
    candidates = _candidates(case, among if among is not None else Case.objects.all())
    found = {c.pk: c for c in _nearby(case, candidates)}
    for c in _similar_text(case, candidates):
        found.setdefault(c.pk, c)
    return sorted(found.values(), key=lambda c: c.received_at)


def _candidates(case: Case, qs: QuerySet) -> QuerySet:
    return (
        qs.filter(
            category_id=case.category_id,
            received_at__gte=case.received_at - DUPLICATE_WINDOW,
            received_at__lte=case.received_at + DUPLICATE_WINDOW,
        )
        .exclude(pk=case.pk)
        .exclude(status__in=[Status.MERGED, *DONE_STATUSES])
        .select_related("category")
    )


def _nearby(case: Case, candidates: QuerySet) -> list[Case]:
    if case.lng is None or case.lat is None:
        return []
    # A bounding box the indexes can narrow in SQL; the exact distance is checked after.
    dlat = DUPLICATE_RADIUS_M / METRES_PER_DEGREE
    dlng = dlat / max(math.cos(math.radians(case.lat)), 0.01)
    boxed = candidates.filter(
        lng__range=(case.lng - dlng, case.lng + dlng),
        lat__range=(case.lat - dlat, case.lat + dlat),
    )
    return [c for c in boxed if haversine_m(case.lng, case.lat, c.lng, c.lat) <= DUPLICATE_RADIUS_M]


def _similar_text(case: Case, candidates: QuerySet) -> list[Case]:
    if case.subdistrict_id is None:
        return []
    same_street = candidates.filter(subdistrict_id=case.subdistrict_id).order_by("-received_at")
    text = case.description.strip()
    return [
        c
        for c in same_street[:TEXT_CANDIDATES]
        if difflib.SequenceMatcher(None, text, c.description.strip()).ratio()
        >= DUPLICATE_TEXT_RATIO
    ]
