"""One body, two formats: the spec's XML (named roots and items) or the same data as JSON.

Values are Python: str, int, float, bool, None, aware datetimes, dicts and lists. XML
writes booleans as true/false and None as an empty element; JSON keeps the types.
"""

from __future__ import annotations

import json
from datetime import datetime
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

from .choices import FORMATS

# XML names the items of a nested list by the singular of the list's own name.
ITEM_OF = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with the offset of the local zone (+08:00), as the spec requires."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def respond(fmt: str, root: str, item: str | None, data, status: int = 200) -> HttpResponse:
    """`data` is a list of items (XML: <root><item>…) or one dict (XML: <root>…)."""
    body = _xml(root, item, data) if fmt == "xml" else _json(data)
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error body: errors → error with the HTTP code and a description."""
    rows = [{"code": status, "description": d} for d in descriptions]
    return respond(fmt, "errors", "error", rows, status)


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=_plain).encode()


def _plain(value):
    if isinstance(value, datetime):
        return iso(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _xml(root: str, item: str | None, data) -> bytes:
    top = ET.Element(root)
    if item is None:
        _fill(top, data)
    else:
        for row in data:
            _fill(ET.SubElement(top, item), row)
    return ET.tostring(top, encoding="UTF-8", xml_declaration=True)


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ET.SubElement(element, name), child)
    elif isinstance(value, list):
        for child in value:
            _fill(ET.SubElement(element, ITEM_OF.get(element.tag, "item")), child)
    else:
        element.text = _text(value)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso(value)
    return str(value)
