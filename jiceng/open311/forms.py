"""The parameters of each call, checked; every problem is named in Chinese with the
parameter's own name, as the spec's error descriptions are read by integrators."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from jiceng.cases.models import Category, id_of_number

from .actions import Submission
from .attributes import clean_attributes
from .choices import CLOSED, MAX_DESCRIPTION, OPEN

ATTRIBUTE = re.compile(r"^attribute\[(?P<code>[^\]]+)\]$")


class SubmissionForm(forms.Form):
    """POST requests: the spec's fields (api_key and jurisdiction_id are read before)."""

    service_code = forms.CharField(max_length=12, error_messages={"required": "缺少 service_code"})
    lat = forms.FloatField(
        required=False, min_value=-90, max_value=90, error_messages={"invalid": "lat 必须是数字"}
    )
    long = forms.FloatField(
        required=False,
        min_value=-180,
        max_value=180,
        error_messages={"invalid": "long 必须是数字"},
    )
    address_string = forms.CharField(required=False, max_length=200)
    address_id = forms.CharField(required=False, max_length=40)
    email = forms.EmailField(required=False, error_messages={"invalid": "email 格式不正确"})
    device_id = forms.CharField(required=False, max_length=100)
    account_id = forms.CharField(required=False, max_length=100)
    first_name = forms.CharField(required=False, max_length=25)
    last_name = forms.CharField(required=False, max_length=25)
    phone = forms.RegexField(
        r"^\+?[\d\- ]{5,20}$", required=False, error_messages={"invalid": "phone 格式不正确"}
    )
    description = forms.CharField(required=False, max_length=MAX_DESCRIPTION, strip=True)
    media_url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "media_url 不是有效的网址"},
    )

    def __init__(self, data, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.attribute_values = {
            m["code"]: data.get(key, "") for key in data if (m := ATTRIBUTE.match(key))
        }
        self.category: Category | None = None

    def clean_service_code(self) -> str:
        code = self.cleaned_data["service_code"].strip()
        self.category = services().filter(code=code).first()
        if self.category is None:
            raise forms.ValidationError(f"service_code“{code}”不是可受理的服务")
        return code

    def clean(self) -> dict:
        data = super().clean()
        has_lat, has_long = data.get("lat") is not None, data.get("long") is not None
        if has_lat != has_long:
            raise forms.ValidationError("lat 和 long 必须同时提供")
        where = has_lat or data.get("address_string") or data.get("address_id")
        if not where and not self.errors.keys() & {"lat", "long"}:
            raise forms.ValidationError("请提供位置：lat 和 long，或 address_string，或 address_id")
        return data

    def problems(self) -> list[str]:
        """Every problem, each once, naming the parameter (the spec's error descriptions)."""
        found = []
        for name, messages in self.errors.items():
            for message in messages:
                found.append(message if name in ("__all__",) else _named(name, message))
        if self.category is not None:
            found += clean_attributes(self.category, self.attribute_values)[1]
        return found

    def submission(self) -> Submission:
        d = self.cleaned_data
        attributes = clean_attributes(self.category, self.attribute_values)[0]
        return Submission(
            category=self.category,
            description=d["description"],
            lat=d.get("lat"),
            lng=d.get("long"),
            address_string=d["address_string"].strip(),
            address_id=d["address_id"].strip(),
            caller_name=f"{d['last_name'].strip()}{d['first_name'].strip()}",
            caller_phone=d["phone"].replace(" ", ""),
            media_url=d["media_url"],
            account_id=d["account_id"],
            attributes=attributes,
        )


def _named(name: str, message: str) -> str:
    """Django's own messages do not say which field they are about; ours already do."""
    return message if name in message else f"{name}：{message}"


def services():
    """The active 小类: the services."""
    return Category.objects.filter(active=True, parent__isnull=False)


# --- GET requests and servicerequestupdates ----------------------------------------------------


@dataclass(frozen=True)
class RequestsQuery:
    """The filters of GET requests, checked."""

    numbers: list[str]
    ids: list[int]
    codes: list[str]
    start: datetime | None
    end: datetime | None
    statuses: list[str]


def parse_requests_query(params) -> tuple[RequestsQuery | None, list[str]]:
    problems: list[str] = []
    numbers = _list(params.get("service_request_id"))
    ids = [i for i in (id_of_number(n) for n in numbers) if i is not None]
    start = _when(params, "start_date", problems)
    end = _when(params, "end_date", problems)
    statuses = _list(params.get("status"))
    wrong = [s for s in statuses if s not in (OPEN, CLOSED)]
    if wrong:
        problems.append(f"status 只能是 open 或 closed，收到“{'、'.join(wrong)}”")
    _order(start, end, problems)
    if problems:
        return None, problems
    codes = _list(params.get("service_code"))
    return RequestsQuery(numbers, ids, codes, start, end, statuses), []


def parse_window(params) -> tuple[tuple[datetime | None, datetime | None], list[str]]:
    """start_date and end_date of servicerequestupdates."""
    problems: list[str] = []
    start = _when(params, "start_date", problems)
    end = _when(params, "end_date", problems)
    _order(start, end, problems)
    return (start, end), problems


def _list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _when(params, name: str, problems: list[str]) -> datetime | None:
    """An ISO 8601 datetime (a time without an offset is Beijing time) or a date (its
    midnight; an end date means the end of that day)."""
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))  # a '+' arrives as a space if unescaped
        day = None if value else parse_date(raw)
    except ValueError:
        value = day = None
    if day is not None:
        value = datetime.combine(day, time.min)
        if name == "end_date":
            value += timedelta(days=1)
    if value is None:
        problems.append(f"{name}“{raw}”不是 ISO 8601 日期时间，例如 2026-11-21T08:00:00+08:00")
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _order(start, end, problems: list[str]) -> None:
    if start and end and start > end:
        problems.append("start_date 不能晚于 end_date")
