"""Fixtures for the grid tests: 和平区 alone (6 streets, 64 communities), kept small so
the suite stays fast; only the test marked `slow` builds the whole city."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from django.conf import settings

from jiceng.jurisdictions.divisions import default_files, district_subset, import_divisions
from jiceng.jurisdictions.gridgen import build_demo_grids
from jiceng.jurisdictions.models import Jurisdiction

HEPING = "120101"


@pytest.fixture
def heping_tree(db, tmp_path) -> Jurisdiction:
    """The tree of 天津市 with only 和平区 under it, imported from the shipped CSVs."""
    files = default_files(settings.JICENG_DATA_DIR)
    import_divisions(*district_subset(files, tmp_path, (HEPING,)))
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
