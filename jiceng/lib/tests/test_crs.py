"""WGS-84 / GCJ-02 / BD-09 conversions against published reference values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from jiceng.lib import crs

# (wgs lat, wgs lng, gcj lat, gcj lng), from the test suite of googollee/eviltransform
# (go/transform_test.go and python/test.py, the same three pairs in every language port).
EVILTRANSFORM_PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]
# wandergis/coordtransform test/app.js: every conversion of (116.404, 39.915).
COORDTRANSFORM_INPUT = (116.404, 39.915)
COORDTRANSFORM_GCJ_TO_BD = (116.41036949371029, 39.92133699351021)
COORDTRANSFORM_WGS_TO_GCJ = (116.41024449916938, 39.91640428150164)
COORDTRANSFORM_BD_TO_GCJ = (116.39762729119315, 39.90865673957631)


def metres(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Equirectangular distance: plenty for points a metre apart."""
    dx = math.radians(lng2 - lng1) * math.cos(math.radians(lat1)) * 6_371_000
    return math.hypot(dx, math.radians(lat2 - lat1) * 6_371_000)


@pytest.mark.parametrize("wlat,wlng,glat,glng", EVILTRANSFORM_PAIRS)
def test_gcj02_reference_points_convert_back_to_wgs84_within_a_metre(wlat, wlng, glat, glng):
    assert metres(*crs.gcj02_to_wgs84(glng, glat), wlng, wlat) < 1.0
    lng, lat = crs.gcj02_to_wgs84_np([glng], [glat])
    assert metres(lng[0], lat[0], wlng, wlat) < 1.0


@pytest.mark.parametrize("wlat,wlng,glat,glng", EVILTRANSFORM_PAIRS)
def test_wgs84_reference_points_convert_to_the_published_gcj02(wlat, wlng, glat, glng):
    assert crs.wgs84_to_gcj02(wlng, wlat) == pytest.approx((glng, glat), abs=1e-9)


def test_the_coordtransform_reference_values_are_reproduced():
    assert crs.wgs84_to_gcj02(*COORDTRANSFORM_INPUT) == pytest.approx(
        COORDTRANSFORM_WGS_TO_GCJ, abs=1e-9
    )
    assert crs.gcj02_to_bd09(*COORDTRANSFORM_INPUT) == pytest.approx(
        COORDTRANSFORM_GCJ_TO_BD, abs=1e-9
    )
    # Our BD-09 inverse is exact where the published one is off by ~4e-7° (4 cm).
    assert crs.bd09_to_gcj02(*COORDTRANSFORM_INPUT) == pytest.approx(
        COORDTRANSFORM_BD_TO_GCJ, abs=1e-6
    )


def tianjin_points(n: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.uniform(116.7, 118.1, n), rng.uniform(38.5, 40.3, n)


@pytest.mark.parametrize(
    "forward,back",
    [
        (crs.wgs84_to_gcj02_np, crs.gcj02_to_wgs84_np),
        (crs.gcj02_to_bd09_np, crs.bd09_to_gcj02_np),
        (crs.wgs84_to_bd09_np, crs.bd09_to_wgs84_np),
    ],
)
def test_array_round_trips_return_within_a_millionth_of_a_degree(forward, back):
    lng, lat = tianjin_points()
    rlng, rlat = back(*forward(lng, lat))
    assert np.abs(rlng - lng).max() < 1e-6
    assert np.abs(rlat - lat).max() < 1e-6


@pytest.mark.parametrize(
    "forward,back",
    [
        (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84),
        (crs.gcj02_to_bd09, crs.bd09_to_gcj02),
        (crs.wgs84_to_bd09, crs.bd09_to_wgs84),
    ],
)
def test_scalar_round_trips_return_within_a_millionth_of_a_degree(forward, back):
    for lng, lat in zip(*tianjin_points(200), strict=True):
        rlng, rlat = back(*forward(lng, lat))
        assert abs(rlng - lng) < 1e-6 and abs(rlat - lat) < 1e-6


def test_scalar_and_array_forms_agree():
    lng, lat = tianjin_points(50)
    alng, alat = crs.bd09_to_wgs84_np(lng, lat)
    for i in range(len(lng)):
        assert crs.bd09_to_wgs84(lng[i], lat[i]) == pytest.approx((alng[i], alat[i]), abs=1e-12)


@pytest.mark.parametrize("lng,lat", [(2.35, 48.85), (-74.0, 40.7), (151.2, -33.9), (140.0, 39.0)])
def test_points_outside_china_are_unchanged(lng, lat):
    for convert in (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84, crs.gcj02_to_bd09, crs.bd09_to_wgs84):
        assert convert(lng, lat) == (lng, lat)
    alng, alat = crs.gcj02_to_wgs84_np([lng], [lat])
    assert (alng[0], alat[0]) == (lng, lat)
