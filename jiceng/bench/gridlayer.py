"""The city's grid layer for the browser (jiceng/jurisdictions/layers.py): its size per
zoom bucket, the time to build it from the database, and the time to serve it through
Django's test client with a cold cache and a warm one, as a city leader opens it.

Coarse buckets are served whole for the city; detailed ones only for a bbox, so their
size is that of the densest bbox the bucket accepts.
"""

from __future__ import annotations

import json

import numpy as np
from django.test import Client
from django.urls import reverse

from jiceng.accounts.actions import create_user
from jiceng.accounts.choices import Role
from jiceng.accounts.models import User
from jiceng.jurisdictions import layers
from jiceng.jurisdictions.models import Grid, Jurisdiction

from .registry import Context, Figure, benchmark, timed


def city_leader(city: Jurisdiction) -> User:
    """The bench's own account, made once through the real action."""
    name = f"bench-gridlayer-{city.code}"
    return User.objects.filter(username=name).first() or create_user(
        username=name, role=Role.CITY_LEADER, jurisdiction=city, full_name=name
    )


def densest_box(layer: layers.Layer, bucket: layers.Bucket) -> tuple[float, ...]:
    """The widest bbox the bucket accepts placed where it holds the most grids, searched
    on a 0.05° lattice over the layer's extent (the worst answer a map can ask for)."""
    b, width = layer.bounds, bucket.max_span - 2 * bucket.cell  # room for the widening
    best, most = "", -1
    for west in np.arange(b[:, 0].min(), b[:, 2].max(), 0.05):
        for south in np.arange(b[:, 1].min(), b[:, 3].max(), 0.05):
            east, north = west + width, south + width
            hit = (b[:, 0] <= east) & (b[:, 2] >= west) & (b[:, 1] <= north) & (b[:, 3] >= south)
            if hit.sum() > most:
                best, most = f"{west:.5f},{south:.5f},{east:.5f},{north:.5f}", hit.sum()
    return layers.parse_bbox(best, bucket)


def json_size(body: dict) -> int:
    return len(json.dumps(body, separators=(",", ":")).encode())


@benchmark("gridlayer")
def gridlayer(ctx: Context) -> list[Figure]:
    city = Jurisdiction.objects.filter(depth=0).order_by("path").first()
    if city is None or not Grid.objects.exists():
        return []
    client = Client(raise_request_exception=True)
    client.force_login(city_leader(city))
    figures = []
    for bucket in layers.BUCKETS:
        figures += bucket_figures(ctx, client, city, bucket)
    return figures


def bucket_figures(ctx: Context, client: Client, city, bucket: layers.Bucket) -> list[Figure]:
    label = f"z{bucket.zooms[0]}–{bucket.zooms[1]}"
    grids = Grid.objects.all()
    layer = layers.build_layer(grids, bucket)
    box = densest_box(layer, bucket) if bucket.detailed else None
    body = layers.answer(layer, box)
    what = f"densest bbox {box}" if box else "whole city"
    note = f"{body['count']:,} of {len(layer):,} grids, {what}; precision {bucket.precision}"
    url = reverse("grid-layer", args=[city.code]) + f"?z={bucket.zooms[0]}"
    if box:
        url += "&bbox=" + ",".join(map(str, box))

    def cold() -> None:
        layers.forget_layers()
        assert client.get(url).status_code == 200

    build_ms = [s * 1e3 for s in timed(lambda: layers.build_layer(grids, bucket), ctx.scale.runs)]
    cold_ms = [s * 1e3 for s in timed(cold, ctx.scale.runs)]
    warm_ms = [s * 1e3 for s in timed(lambda: client.get(url), ctx.scale.runs)]
    zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    return [
        Figure(f"Grid layer size, city, {label}", "kB", [json_size(body) / 1e3], note),
        Figure(f"Grid layer size gzipped, city, {label}", "kB", [len(zipped.content) / 1e3], what),
        Figure(
            f"Grid layer build, city, {label}",
            "ms",
            build_ms,
            f"{len(layer):,} grids: DB read, simplify, encode",
        ),
        Figure(f"Grid layer served, city, {label}, cold cache", "ms", cold_ms, f"GET {url}"),
        Figure(f"Grid layer served, city, {label}, cached", "ms", warm_ms, f"GET {url}"),
    ]
