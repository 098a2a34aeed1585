"""Keys for two external systems: one serving 劝业场街道, one the neighbour 小白楼街道, and a
client that speaks GeoReport v2 in either format and parses what it hears."""

from __future__ import annotations

import json
from types import SimpleNamespace
from xml.etree import ElementTree as ET

import pytest

from jiceng.api.actions import create_external_system
from jiceng.api.choices import Use


@pytest.fixture
def keys(cast):
    _, ours = create_external_system(name="劝业场12345分中心", area=cast.street, uses=[Use.OPEN311])
    _, theirs = create_external_system(
        name="小白楼12345分中心", area=cast.other_street, uses=[Use.OPEN311]
    )
    _, read_only = create_external_system(name="只读系统", area=cast.street, uses=[Use.READ])
    return SimpleNamespace(ours=ours, theirs=theirs, read_only=read_only)


def parse(response, fmt: str):
    """The body as Python (JSON) or as an element tree (XML), after checking the type."""
    expected = "text/xml" if fmt == "xml" else "application/json"
    assert response["Content-Type"].startswith(expected)
    if fmt == "json":
        return json.loads(response.content)
    assert response.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return ET.fromstring(response.content)


def items(body, fmt: str) -> list[dict]:
    """A list body as dicts of strings, whatever the format (XML: the children's text)."""
    if fmt == "json":
        return body
    return [{child.tag: child for child in element} for element in body]


def text(value) -> str | None:
    return value.text if isinstance(value, ET.Element) else value


@pytest.fixture
def o311(client):
    def call(method: str, resource: str, fmt: str = "json", **params):
        url = f"/open311/v2/{resource}.{fmt}"
        if method == "post":
            return client.post(url, params)
        return client.get(url, params)

    return call
