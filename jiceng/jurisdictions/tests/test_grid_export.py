"""Grids to GeoJSON and back: the export is what the import reads, unchanged."""

from __future__ import annotations

import json

import shapely
from django.core.management import call_command
from django.urls import reverse

from jiceng.jurisdictions.gridfiles import check_grid_file, import_grids, row_errors
from jiceng.jurisdictions.models import Grid


def _grids():
    return sorted(
        (g.code, g.name, g.kind, g.community_id, g.geometry.wkt) for g in Grid.objects.all()
    )


def test_exported_grids_import_unchanged_into_the_same_grids(cast, tmp_path):
    path = tmp_path / "grids.geojson"
    call_command("export_grids", str(path), "--under", cast.street.code)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in data["features"]] == [
        cast.grid.code,
        cast.second_grid.code,
    ]
    assert data["features"][0]["properties"]["community_code"] == cast.community.code
    before = _grids()
    result = import_grids(path)
    assert result["general_grids"] == 2
    assert _grids() == before


def test_a_bad_feature_is_reported_with_its_position_and_column(cast, tmp_path):
    path = tmp_path / "grids.geojson"
    call_command("export_grids", str(path), "--under", cast.street.code)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][1]["properties"]["code"] = "12010100100"  # 11 digits
    data["features"][0]["geometry"] = shapely.geometry.mapping(
        shapely.Polygon([(117.0, 39.0), (117.1, 39.2), (117.1, 39.0), (117.0, 39.2)])
    )
    path.write_text(json.dumps(data), encoding="utf-8")
    features, problems = check_grid_file(path)
    errors = row_errors(problems, features)
    assert (2, "properties") in [(e.row, e.column) for e in errors]
    assert any(e.row == 1 and "自相交" in e.message for e in errors)
    assert Grid.objects.get(code=cast.grid.code).geometry.equals(
        shapely.box(117.0, 39.0, 117.1, 39.2)
    )


def test_the_download_gives_our_grids_and_refuses_the_neighbours(cast, login):
    client = login(cast.dispatcher)
    response = client.get(reverse("transfer-grids", args=[cast.street.code]))
    codes = [f["properties"]["code"] for f in json.loads(response.content)["features"]]
    assert codes == [cast.grid.code, cast.second_grid.code]
    foreign = client.get(reverse("transfer-grids", args=[cast.other_street.code]))
    assert foreign.status_code == 404
    neighbour = login(cast.neighbour)
    assert neighbour.get(reverse("transfer-grids", args=[cast.street.code])).status_code == 404


def test_the_jurisdiction_page_links_to_the_download(cast, login):
    page = login(cast.dispatcher).get(reverse("jurisdiction", args=[cast.street.code]))
    assert reverse("transfer-grids", args=[cast.street.code]) in page.content.decode()
