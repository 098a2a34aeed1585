"""What each GET returns, as plain data in the spec's field order. Every list is one query
(two for requests: the rows, then nothing else), whatever its length."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT

from jiceng.cases.choices import DONE_STATUSES, Status
from jiceng.cases.models import Case, CaseEvent, Category
from jiceng.lib.clock import now as clock_now
from jiceng.residents.choices import PUBLIC_STEPS, UNIT_STEPS

from .attributes import attributes_of
from .choices import (
    CLOSED,
    CLOSED_STATUSES,
    MAX_REQUESTS,
    MAX_UPDATES,
    OPEN,
    UPDATES_WINDOW_HOURS,
    WINDOW_DAYS,
    public_status,
)
from .forms import RequestsQuery, services

# --- services --------------------------------------------------------------------------------


def service_list() -> list[dict]:
    rows = services().select_related("parent").order_by("code")
    return [_service(c) for c in rows]


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{category.parent.name} · {category.name}",
        "metadata": bool(attributes_of(category)),
        "type": "realtime",
        "keywords": ",".join(category.keyword_list()),
        "group": category.parent.name,
    }


def service_notice(accept_hours, handle_hours) -> str:
    """What the caller may expect, from the category's time limits."""
    accept, handle = f"{float(accept_hours):g}", f"{float(handle_hours):g}"
    return f"承办单位须在 {accept} 小时内签收、{handle} 小时内办结（工作时间，特急事项按自然时间）"


# --- requests --------------------------------------------------------------------------------


def cases_for(user) -> QuerySet[Case]:
    """A key holder's area, or for the public the closed cases only (as the public
    community pages show them)."""
    if user is None:
        return Case.objects.filter(status__in=DONE_STATUSES)
    return Case.objects.visible_to(user)


COLUMNS = (
    "id",
    "received_at",
    "status",
    "description",
    "address",
    "lat",
    "lng",
    "due_at",
    "result",
    "parked_reason",
    "merged_into_id",
    "merged_into__received_at",
    "category__code",
    "category__name",
    "category__accept_limit_hours",
    "category__handle_limit_hours",
    "assigned_department__name",
    "assigned_jurisdiction__name",
    "grid__code",
    "grid__name",
    "community__name",
    "subdistrict__name",
    "district__name",
)


def _annotated(qs: QuerySet[Case]) -> QuerySet:
    events = CaseEvent.objects.filter(case=OuterRef("pk"))
    latest = events.order_by("-at", "-id").values("at")[:1]
    media = events.filter(action="receive").values(url=KT("data__media_url"))[:1]
    return qs.annotate(updated=Subquery(latest), media=Subquery(media)).values(
        *COLUMNS, "updated", "media"
    )


def find_requests(user, query: RequestsQuery) -> list[dict]:
    qs = cases_for(user)
    if query.numbers:
        # The spec: with service_request_id, the other parameters are ignored.
        qs = qs.filter(pk__in=query.ids)
        rows = [r for r in _annotated(qs) if _number(r["id"], r["received_at"]) in query.numbers]
    else:
        qs = _windowed(qs, query)
        rows = list(_annotated(qs.order_by("-received_at", "-id"))[:MAX_REQUESTS])
    return [request_row(r, public=user is None) for r in rows]


def _windowed(qs: QuerySet[Case], query: RequestsQuery) -> QuerySet[Case]:
    end = query.end or clock_now()
    start = query.start or end - timedelta(days=WINDOW_DAYS)
    qs = qs.filter(received_at__gte=start, received_at__lt=end)
    if query.codes:
        qs = qs.filter(category__code__in=query.codes)
    if set(query.statuses) == {OPEN}:
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    elif set(query.statuses) == {CLOSED}:
        qs = qs.filter(status__in=CLOSED_STATUSES)
    return qs


def find_request(user, number: str) -> dict | None:
    case = cases_for(user).numbered(number)
    if case is None:
        return None
    return request_row(_annotated(Case.objects.filter(pk=case.pk)).get(), public=user is None)


def _number(pk: int, received_at) -> str:
    return Case(pk=pk, received_at=received_at).number


def request_row(r: dict, *, public: bool) -> dict:
    """One service request in the spec's fields and order. The public reads no text a
    resident wrote, no street address and a point rounded to about 100 m."""
    status = r["status"]
    lat, lng = r["lat"], r["lng"]
    if public and lat is not None:
        lat, lng = round(lat, 3), round(lng, 3)
    return {
        "service_request_id": _number(r["id"], r["received_at"]),
        "status": public_status(status),
        "status_notes": _status_notes(r, public),
        "service_name": r["category__name"],
        "service_code": r["category__code"],
        "description": None if public else r["description"],
        "agency_responsible": r["assigned_department__name"] or r["assigned_jurisdiction__name"],
        "service_notice": service_notice(
            r["category__accept_limit_hours"], r["category__handle_limit_hours"]
        ),
        "requested_datetime": r["received_at"],
        "updated_datetime": r["updated"] or r["received_at"],
        "expected_datetime": r["due_at"],
        "address": _address(r, public),
        "address_id": r["grid__code"],
        "zipcode": None,
        "lat": lat,
        "long": lng,
        "media_url": r["media"] or None,
        "extended_attributes": {
            "jiceng_status": status,
            "jiceng_status_label": str(Status(status).label),
        },
    }


def _status_notes(r: dict, public: bool) -> str | None:
    status = r["status"]
    if status == Status.MERGED and r["merged_into_id"]:
        original = _number(r["merged_into_id"], r["merged_into__received_at"])
        return f"与同一问题的诉求 {original} 合并办理"
    if public:
        return str(Status(status).label)
    if status in DONE_STATUSES and r["result"]:
        return r["result"]
    if status == Status.PARKED and r["parked_reason"]:
        return f"暂缓办理：{r['parked_reason']}"
    return str(Status(status).label)


def _address(r: dict, public: bool) -> str | None:
    places = [r["district__name"], r["subdistrict__name"], r["community__name"]]
    area = "".join(p for p in places if p)
    if public:
        return r["grid__name"] or area or None
    return r["address"] or r["grid__name"] or area or None


# --- servicerequestupdates -------------------------------------------------------------------


def find_updates(user, start, end) -> list[dict]:
    """The timeline rows the public may see (jiceng.residents' PUBLIC_STEPS), oldest first:
    a client asks again from the last updated_datetime it saw."""
    rows = updates_query(user, start, end)[:MAX_UPDATES]
    return [_update(r, public=user is None) for r in rows]


def updates_query(user, start, end) -> QuerySet:
    """The window of timeline rows, unevaluated. The window is served by the index on
    `CaseEvent.at` alone (BRIN on PostgreSQL; cases migration 0008, docs/open311.md)."""
    end = end or clock_now()
    start = start or end - timedelta(hours=UPDATES_WINDOW_HOURS)
    cases = cases_for(user).values("pk")
    return (
        CaseEvent.objects.filter(case__in=cases, action__in=list(PUBLIC_STEPS))
        .filter(at__gte=start, at__lt=end)
        .order_by("at", "id")
        .values("id", "case_id", "case__received_at", "action", "to_status", "at", "note", "data")
    )


def _update(r: dict, *, public: bool) -> dict:
    data = r["data"] if isinstance(r["data"], dict) else {}
    status = r["to_status"] or Status.RECEIVED
    return {
        "update_id": str(r["id"]),
        "service_request_id": _number(r["case_id"], r["case__received_at"]),
        "status": public_status(status),
        "updated_datetime": r["at"],
        "description": _update_text(r, data, public),
        "media_url": data.get("media_url") if r["action"] == "receive" else None,
        "external_status_code": status,
    }


def _update_text(r: dict, data: dict, public: bool) -> str:
    text = str(PUBLIC_STEPS[r["action"]])
    if r["action"] in UNIT_STEPS and data.get("unit"):
        text += f"：{data['unit']}"
    if r["action"] == "reply" and r["note"] and not public:
        text += f"。办理结果：{r['note']}"
    return text
