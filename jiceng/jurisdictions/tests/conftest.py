"""Fixtures for the grid tests: 和平区 alone (6 streets, 64 communities), kept small so
the suite stays fast; only the test marked `slow` builds the whole city."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import shapely
from django.conf import settings

from jiceng.jurisdictions.divisions import default_files, import_divisions
from jiceng.jurisdictions.gridgen import build_demo_grids
from jiceng.jurisdictions.models import Jurisdiction

HEPING = "120101"


def write_subset(source: Path, target: Path, district: str) -> None:
    """Copy the CSV rows of one district (by the 6-digit prefix of their code)."""
    with source.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        rows = [r for r in reader if r["code"].startswith(district)]
    with target.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=reader.fieldnames)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def heping_tree(db, tmp_path) -> Jurisdiction:
    """The tree of 天津市 with only 和平区 under it, imported from the shipped CSVs."""
    paths = []
    for source in default_files(settings.JICENG_DATA_DIR):
        paths.append(tmp_path / source.name)
        write_subset(source, paths[-1], HEPING)
    import_divisions(*paths)
    return Jurisdiction.objects.get(code=HEPING + "000000")


@pytest.fixture
def heping_city(heping_tree) -> dict:
    """和平区 with its drawn boundaries and demo grids; the build's counts."""
    return build_demo_grids()


@pytest.fixture
def write_grid_file(tmp_path):
    """Write grids {code: geometry} (or (geometry, kind)) as a GeoJSON FeatureCollection."""

    def write(grids: dict, name: str = "grids.geojson") -> Path:
        features = []
        for code, value in grids.items():
            geom, kind = value if isinstance(value, tuple) else (value, "general")
            features.append(
                {
                    "type": "Feature",
                    "properties": {"code": code, "name": f"测试网格{code[-3:]}", "kind": kind},
                    "geometry": json.loads(shapely.to_geojson(geom)),
                }
            )
        path = tmp_path / name
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        return path

    return write
