"""Schema helpers: the error responses every operation may give, and a request body per
case action built from that action's form (the same fields the pages post)."""

from __future__ import annotations

from django import forms
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from jiceng.cases.forms import FORMS, PhotosField

from .serializers import ErrorSerializer


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    words = {
        400: "请求数据有误（fields 指出哪一项）",
        401: "未提供或提供了无效的令牌/密钥",
        403: "无权执行此操作",
        404: "没有这个对象，或您无权查看",
        409: "当前状态不允许此操作，或事件已被他人修改（version 过期）",
        415: "不支持的请求体格式",
        422: "Idempotency-Key 已用于另一个不同的请求",
        429: "请求过于频繁",
    }
    return {c: OpenApiResponse(ErrorSerializer, description=words[c]) for c in codes}


READ_ERRORS = errors(400, 401, 403, 404, 429)
WRITE_ERRORS = errors(400, 401, 403, 404, 409, 415, 422, 429)


def _field(field: forms.Field) -> serializers.Field:
    common = {"required": field.required, "help_text": str(field.label or "")}
    if isinstance(field, PhotosField):
        return serializers.ListField(child=serializers.FileField(), **common)
    if isinstance(field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **common)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(**common)
    if isinstance(field, forms.ChoiceField):
        choices = [str(c) for c, _label in field.choices if c != ""]
        return serializers.ChoiceField(choices=choices, **common)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(
            min_value=field.min_value, max_value=field.max_value, **common
        )
    if isinstance(field, forms.FloatField):
        return serializers.FloatField(
            min_value=field.min_value, max_value=field.max_value, **common
        )
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(**common)
    return serializers.CharField(max_length=getattr(field, "max_length", None), **common)


def action_body(name: str) -> type[serializers.Serializer]:
    """A serializer class mirroring FORMS[name]'s fields (for the schema only)."""
    form = FORMS[name]
    attrs = {n: _field(f) for n, f in form.base_fields.items()}
    attrs["version"] = serializers.IntegerField(
        required=False, min_value=0, help_text="页面/列表读到的 version；已过期则 409"
    )
    title = "".join(part.title() for part in name.split("_"))
    return type(f"{title}Action", (serializers.Serializer,), attrs)
