"""The grid layer for the browser: Google polylines per zoom bucket, scoped like every
other page, cached until grids change, and under 1 MB for the whole city."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict

import numpy as np
import pytest
import shapely
from django.conf import settings
from django.urls import reverse

from conftest import make_grid
from jiceng.accounts.actions import create_user
from jiceng.accounts.choices import Role
from jiceng.bench.gridlayer import densest_box
from jiceng.jurisdictions import layers
from jiceng.jurisdictions.choices import GridKind, Level
from jiceng.jurisdictions.gridfiles import import_grids

pytestmark = pytest.mark.django_db

GOOGLE_EXAMPLE = [(38.5, -120.2), (40.7, -120.95), (43.252, -126.453)]
COARSEST, DETAILED = "10", "15"


def decode_polyline(text: str, precision: int = 5) -> list[tuple[float, float]]:
    """A plain decoder written from Google's description, to check the encoder against."""
    values, result, shift = [], 0, 0
    for char in text:
        chunk = ord(char) - 63
        result |= (chunk & 31) << shift
        shift += 5
        if chunk < 32:
            values.append(~(result >> 1) if result & 1 else result >> 1)
            result, shift = 0, 0
    lat = np.cumsum(values[0::2]) / 10**precision
    lng = np.cumsum(values[1::2]) / 10**precision
    return list(zip(lat.tolist(), lng.tolist(), strict=True))


def decode_grid(text: str, precision: int) -> shapely.Geometry:
    """A grid's rings as one shape under the even-odd rule (what the canvas draws)."""
    shape = shapely.Polygon()
    for ring in text.split(" "):
        points = [(lng, lat) for lat, lng in decode_polyline(ring, precision)]
        shape = shape.symmetric_difference(shapely.Polygon(points))
    return shape


def fetch(client, code: str, **params):
    return client.get(reverse("grid-layer", args=[code]), params)


@pytest.fixture
def city_leader(cast):
    return create_user(username="cityleader", role=Role.CITY_LEADER, jurisdiction=cast.city)


# --- the encoding -----------------------------------------------------------------------


def test_the_encoder_gives_googles_published_example():
    assert layers.encode_polyline(GOOGLE_EXAMPLE) == "_p~iF~ps|U_ulLnnqC_mqNvxq`@"


@pytest.mark.parametrize("precision", [3, 4, 5, 6])
def test_a_polyline_decodes_back_to_its_points_at_every_precision(precision):
    rng = np.random.default_rng(7)
    points = np.column_stack([rng.uniform(-89, 89, 200), rng.uniform(-179, 179, 200)])
    text = layers.encode_polyline(points, precision)
    decoded = np.array(decode_polyline(text, precision))
    assert np.abs(decoded - points).max() <= 0.5 / 10**precision + 1e-12


def test_a_grid_keeps_its_holes_and_parts_and_loses_its_redundant_vertices():
    square = shapely.box(117.0, 39.0, 117.01, 39.01)
    courtyard = shapely.box(117.004, 39.004, 117.006, 39.006)
    # A vertex 1 cm from a corner rounds onto it at precision 5.
    nearly = shapely.Polygon([(117.02, 39), (117.03, 39), (117.03, 39.01), (117.0200001, 39)])
    beside = shapely.box(117.02, 39.0, 117.03, 39.01)
    grid = shapely.MultiPolygon([square.difference(courtyard), beside])
    texts = layers.encode_rings(np.array([grid, nearly], dtype=object), precision=5)
    rings = texts[0].split(" ")
    assert len(rings) == 3 and all(len(decode_polyline(r)) == 4 for r in rings)
    assert decode_grid(texts[0], 5).symmetric_difference(grid).area < 1e-12
    assert len(decode_polyline(texts[1])) == 3  # closing vertex and its twin both gone


def test_a_polygon_that_rounds_to_a_point_still_has_its_place_in_the_layer():
    speck = shapely.box(117.0, 39.0, 117.0001, 39.0001)
    layer = layers.encode_layer(np.array([speck]), ["general"], ["x"], layers.BUCKETS[0])
    assert len(layer) == 1 and len(decode_polyline(layer.rings[0], 3)) == 1


# --- the page: who gets what -------------------------------------------------------------


def test_the_city_layer_holds_every_visible_grid_exactly_once(client, cast, city_leader):
    special = make_grid(cast.community, 901, (117.05, 39.05, 117.06, 39.06), GridKind.SPECIAL)
    client.force_login(city_leader)
    coarse = fetch(client, cast.city.code, z=COARSEST).json()
    assert coarse["count"] == len(coarse["rings"]) == len(coarse["kinds"]) == 4
    assert coarse["kinds"] == "gggs" and "codes" not in coarse  # special grids drawn last
    body = fetch(client, cast.city.code, z=DETAILED).json()
    grids = [cast.grid, cast.second_grid, cast.other_grid, special]
    assert body["codes"] == [g.code for g in grids]
    for grid, text in zip(grids, body["rings"], strict=True):
        assert decode_grid(text, body["precision"]).symmetric_difference(grid.geometry).area < 1e-9


def test_the_neighbour_is_refused_our_street_and_community_as_if_they_did_not_exist(client, cast):
    client.force_login(cast.neighbour)
    for code in (cast.street.code, cast.community.code, "120101009000"):
        response = fetch(client, code, z=COARSEST)
        assert response.status_code == 404, code


def test_a_street_dispatcher_gets_only_their_grids_in_the_city_layer(client, cast):
    client.force_login(cast.dispatcher)
    body = fetch(client, cast.city.code, z=DETAILED).json()
    assert body["codes"] == [cast.grid.code, cast.second_grid.code]
    client.force_login(cast.neighbour)
    assert fetch(client, cast.city.code, z=DETAILED).json()["codes"] == [cast.other_grid.code]


def test_a_grid_worker_gets_only_their_own_grid_in_the_city_layer(client, cast):
    client.force_login(cast.grid_worker)
    assert fetch(client, cast.city.code, z=DETAILED).json()["codes"] == [cast.grid.code]


# --- zoom, bbox and bad input --------------------------------------------------------------


def test_every_zoom_falls_in_one_bucket_whose_detail_grows_with_the_zoom(client, cast):
    client.force_login(cast.district_leader)
    seen = {}
    for z in range(0, 25):
        body = fetch(client, cast.district.code, z=z).json()
        assert body["zooms"][0] <= z <= body["zooms"][1]
        seen[body["z"]] = body["precision"]
    assert list(seen.values()) == sorted(seen.values()) and len(seen) == len(layers.BUCKETS)
    assert fetch(client, cast.district.code).json()["z"] == layers.BUCKETS[0].z  # no z: overview


def test_a_detailed_zoom_over_a_large_node_needs_a_bbox(client, cast, monkeypatch):
    monkeypatch.setattr(layers, "MAX_GRIDS_WITHOUT_BBOX", 2)
    client.force_login(cast.district_leader)
    refused = fetch(client, cast.district.code, z=DETAILED)
    assert refused.status_code == 400
    assert "这里有 3 个网格" in refused.json()["error"] and "bbox" in refused.json()["error"]
    assert fetch(client, cast.district.code, z=COARSEST).status_code == 200  # coarse: whole
    inside = fetch(client, cast.district.code, z=DETAILED, bbox="117.01,39.05,117.05,39.1")
    assert inside.json()["codes"] == [cast.grid.code]
    assert inside.json()["bbox"] == [117.0, 39.04, 117.06, 39.1]  # widened to 0.02° cells


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"z": "abc"}, "缩放级别 z 必须是 0 到 24 之间的数"),
        ({"z": "99"}, "缩放级别 z 必须是 0 到 24 之间的数"),
        ({"z": "15", "bbox": "117,39,117.1"}, "bbox 必须是 西,南,东,北 四个经纬度数值"),
        ({"z": "15", "bbox": "117.1,39,117,39.1"}, "西边界必须小于东边界"),
        ({"z": "15", "bbox": "116,38,118,40"}, "bbox 范围过大：缩放级别 15–24 时每边最多 0.3 度"),
    ],
)
def test_bad_input_is_refused_naming_what_is_wrong(client, cast, params, message):
    client.force_login(cast.district_leader)
    response = fetch(client, cast.district.code, **params)
    assert response.status_code == 400 and message in response.json()["error"]


# --- queries, cache, HTTP ------------------------------------------------------------------


def test_the_query_count_is_the_same_with_2_and_20_grids(client, cast, django_assert_num_queries):
    client.force_login(cast.dispatcher)
    layers.forget_layers()
    with django_assert_num_queries(6):  # session, user, scope, node, reach, grids
        assert fetch(client, cast.city.code, z=COARSEST).json()["count"] == 2
    for seq in range(3, 21):
        x = 117.0 + seq * 0.005
        make_grid(cast.community, seq, (x, 39.0, x + 0.005, 39.01))
    layers.forget_layers()
    with django_assert_num_queries(6):
        assert fetch(client, cast.city.code, z=COARSEST).json()["count"] == 20
    with django_assert_num_queries(5):  # cached: no grid query
        assert fetch(client, cast.city.code, z=COARSEST).json()["count"] == 20


def test_the_cached_layer_is_dropped_after_a_grid_import(
    client, cast, write_grid_file, django_capture_on_commit_callbacks
):
    client.force_login(cast.dispatcher)
    before = fetch(client, cast.street.code, z=DETAILED).json()["codes"]
    assert before == [cast.grid.code, cast.second_grid.code]
    quarters = {
        f"{cast.community.code}{10 + n:03d}": shapely.box(x, y, x + 0.1, y + 0.1)
        for n, (x, y) in enumerate([(117.0, 39.0), (117.1, 39.0), (117.0, 39.1), (117.1, 39.1)])
    }
    with django_capture_on_commit_callbacks(execute=True):
        import_grids(write_grid_file(quarters))
    after = fetch(client, cast.street.code, z=DETAILED).json()["codes"]
    assert after == sorted(quarters)


def test_the_browser_may_keep_the_layer_and_revalidate_it_with_its_etag(client, cast):
    client.force_login(cast.dispatcher)
    first = fetch(client, cast.street.code, z=COARSEST)
    assert first["Cache-Control"] == f"private, max-age={layers.BROWSER_SECONDS}"
    again = client.get(
        reverse("grid-layer", args=[cast.street.code]),
        {"z": COARSEST},
        HTTP_IF_NONE_MATCH=first["ETag"],
    )
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    layers.forget_layers()  # grids changed: the old copy is no longer good
    changed = client.get(
        reverse("grid-layer", args=[cast.street.code]),
        {"z": COARSEST},
        HTTP_IF_NONE_MATCH=first["ETag"],
    )
    assert changed.status_code == 200


def test_the_layer_is_sent_gzipped_to_browsers_that_accept_it(client, cast):
    for seq in range(3, 40):
        x = 117.0 + seq * 0.002
        make_grid(cast.community, seq, (x, 39.0, x + 0.002, 39.01))
    client.force_login(cast.dispatcher)
    plain = fetch(client, cast.street.code, z=DETAILED)
    packed = client.get(
        reverse("grid-layer", args=[cast.street.code]),
        {"z": DETAILED},
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert packed["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.content)) == plain.json()


def test_the_pages_above_a_community_draw_their_grids_with_the_compact_layer(client, cast):
    client.force_login(cast.district_leader)
    for node in (cast.district, cast.street):
        page = client.get(reverse("jurisdiction", args=[node.code])).content.decode()
        assert f'data-grid-layer="{reverse("grid-layer", args=[node.code])}"' in page
        assert "jiceng/gridlayer.js" in page
    page = client.get(reverse("jurisdiction", args=[cast.community.code])).content.decode()
    assert "data-grid-layer" not in page  # a community's few grids come as GeoJSON


# --- the size budget, on the whole demo city ---------------------------------------------


def demo_city_grids() -> tuple[np.ndarray, list[str], list[str]]:
    """Every demo grid of Tianjin (24,512), drawn by the generator without a database."""
    from jiceng.jurisdictions.divisions import default_files, read_divisions
    from jiceng.jurisdictions.gridgen import (
        DISTRICTS_FILE,
        Unit,
        plan_city,
        read_district_boundaries,
    )

    divisions = read_divisions(*default_files(settings.JICENG_DATA_DIR), "120000000000")
    rows = sorted(divisions, key=lambda d: d.code)
    children, districts = defaultdict(list), []
    for level in (Level.COMMUNITY, Level.SUBDISTRICT, Level.DISTRICT):
        for d in (r for r in rows if r.level == level):
            unit = Unit(d.code, d.name, d.kind, tuple(children.pop(d.code, ())))
            (districts if level == Level.DISTRICT else children[d.parent_code]).append(unit)
    boundaries = read_district_boundaries(settings.JICENG_DATA_DIR / DISTRICTS_FILE)
    plans = sorted(
        (g for p in plan_city(boundaries, districts) for g in p.grids),
        key=lambda g: (g.kind, g.code),
    )
    geoms = np.array([g.geom for g in plans], dtype=object)
    return geoms, [g.kind for g in plans], [g.code for g in plans]


def size(body: dict) -> int:
    return len(json.dumps(body, separators=(",", ":")).encode())


@pytest.mark.slow
@pytest.mark.django_db(False)
def test_the_whole_demo_city_fits_in_a_megabyte_at_every_zoom():
    geoms, kinds, codes = demo_city_grids()
    assert len(geoms) >= 24_500
    whole, densest = {}, {}
    for bucket in layers.BUCKETS:
        layer = layers.encode_layer(geoms, kinds, codes, bucket)
        if not bucket.detailed:  # the city is served whole at these zooms
            whole[bucket.z] = size(layers.answer(layer, None))
            continue
        with pytest.raises(layers.LayerError):  # too many grids: only with a bbox
            layers.answer(layer, None)
        densest[bucket.z] = size(layers.answer(layer, densest_box(layer, bucket)))
    assert whole[layers.BUCKETS[0].z] <= 1_000_000
    assert all(n <= 1_000_000 for n in whole.values()), whole
    assert all(n <= 1_000_000 for n in densest.values()), densest
