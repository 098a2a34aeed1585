"""WGS-84 ↔ GCJ-02 ↔ BD-09: the offsets Chinese map services put on coordinates.

GCJ-02 (高德, 腾讯, Google China) is WGS-84 plus a deliberately obfuscated, smooth offset of
a few hundred metres; BD-09 (百度) is GCJ-02 plus a further polar-coordinate offset.
pyproj knows neither, so these are the published formulas that every open implementation
(eviltransform, coordtransform, prcoords) shares. GCJ-02 has no closed-form inverse and
BD-09's published one is only good to ~15 cm, so both inverses iterate the forward
formula until it reproduces their input to 1e-10°.

Points outside China's bounding box (the usual `out_of_china` rule of those libraries)
are returned unchanged by every conversion, as the map services do not offset them.
Each function takes scalars (lng, lat) and returns a tuple; the `_np` forms take arrays
(any shape, broadcast together) and return a pair of float64 arrays.
"""

from __future__ import annotations

import math

import numpy as np

A = 6378245.0  # Krasovsky 1940 semi-major axis, as the GCJ-02 formula uses it
EE = 0.00669342162296594323  # its first eccentricity squared
X_PI = math.pi * 3000.0 / 180.0  # BD-09's angular constant
# out_of_china bounding box, as in eviltransform and coordtransform.
LNG_MIN, LNG_MAX = 72.004, 137.8347
LAT_MIN, LAT_MAX = 0.8293, 55.8271
# The inverse stops once the forward transform reproduces the input to 1e-10 degrees
# (about 10 µm); it converges in a handful of steps because the offset varies slowly.
INVERSE_TOLERANCE = 1e-10
INVERSE_MAX_STEPS = 30


def out_of_china(lng: float, lat: float) -> bool:
    return not (LNG_MIN <= lng <= LNG_MAX and LAT_MIN <= lat <= LAT_MAX)


def _out_of_china_np(lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return ~((lng >= LNG_MIN) & (lng <= LNG_MAX) & (lat >= LAT_MIN) & (lat <= LAT_MAX))


def _offset(lng, lat, xp):
    """(Δlng, Δlat) in degrees that GCJ-02 adds at a WGS-84 point; xp is math-like numpy.

    Written once for both scalars and arrays (numpy's ufuncs accept Python floats), so
    the scalar and vectorised conversions cannot drift apart.
    """
    x, y = lng - 105.0, lat - 35.0
    base = 20.0 * xp.sin(6.0 * x * math.pi) + 20.0 * xp.sin(2.0 * x * math.pi)
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * xp.sqrt(abs(x))
    dlat += base * 2.0 / 3.0
    dlat += (20.0 * xp.sin(y * math.pi) + 40.0 * xp.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * xp.sin(y / 12.0 * math.pi) + 320.0 * xp.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * xp.sqrt(abs(x))
    dlng += base * 2.0 / 3.0
    dlng += (20.0 * xp.sin(x * math.pi) + 40.0 * xp.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlng += (150.0 * xp.sin(x / 12.0 * math.pi) + 300.0 * xp.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * math.pi
    sin_lat = xp.sin(radlat)
    magic = 1 - EE * sin_lat * sin_lat
    sqrtmagic = xp.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (A / sqrtmagic * xp.cos(radlat) * math.pi)
    return dlng, dlat


# --- scalars -------------------------------------------------------------------------


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if out_of_china(lng, lat):
        return lng, lat
    dlng, dlat = _offset(lng, lat, math)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    if out_of_china(lng, lat):
        return lng, lat
    return _invert(wgs84_to_gcj02, lng, lat, (lng, lat))


def _invert(forward, lng: float, lat: float, guess: tuple[float, float]) -> tuple[float, float]:
    """Fixed-point iteration p ← p − (forward(p) − input) until forward(p) ≈ input.

    Converges in a few steps because both offsets are small and vary slowly.
    """
    plng, plat = guess
    for _ in range(INVERSE_MAX_STEPS):
        flng, flat = forward(plng, plat)
        elng, elat = flng - lng, flat - lat
        plng, plat = plng - elng, plat - elat
        if abs(elng) < INVERSE_TOLERANCE and abs(elat) < INVERSE_TOLERANCE:
            break
    return plng, plat


def gcj02_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    if out_of_china(lng, lat):
        return lng, lat
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """Baidu's published inverse is only good to ~1.5e-6° (15 cm), so it is the starting
    guess and the forward formula refines it like the GCJ-02 inverse."""
    if out_of_china(lng, lat):
        return lng, lat
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * X_PI)
    return _invert(gcj02_to_bd09, lng, lat, (z * math.cos(theta), z * math.sin(theta)))


def bd09_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


def wgs84_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


# --- arrays --------------------------------------------------------------------------


def _arrays(lng, lat) -> tuple[np.ndarray, np.ndarray]:
    lng, lat = np.broadcast_arrays(np.asarray(lng, np.float64), np.asarray(lat, np.float64))
    return lng.copy(), lat.copy()


def wgs84_to_gcj02_np(lng, lat) -> tuple[np.ndarray, np.ndarray]:
    lng, lat = _arrays(lng, lat)
    dlng, dlat = _offset(lng, lat, np)
    keep = _out_of_china_np(lng, lat)
    return np.where(keep, lng, lng + dlng), np.where(keep, lat, lat + dlat)


def gcj02_to_wgs84_np(lng, lat) -> tuple[np.ndarray, np.ndarray]:
    lng, lat = _arrays(lng, lat)
    wlng, wlat = _invert_np(wgs84_to_gcj02_np, lng, lat, (lng, lat))
    keep = _out_of_china_np(lng, lat)
    return np.where(keep, lng, wlng), np.where(keep, lat, wlat)


def _invert_np(forward, lng: np.ndarray, lat: np.ndarray, guess) -> tuple[np.ndarray, np.ndarray]:
    plng, plat = guess
    for _ in range(INVERSE_MAX_STEPS):
        flng, flat = forward(plng, plat)
        elng, elat = flng - lng, flat - lat
        plng, plat = plng - elng, plat - elat
        if max(_max_abs(elng), _max_abs(elat)) < INVERSE_TOLERANCE:
            break
    return plng, plat


def _max_abs(a: np.ndarray) -> float:
    return float(np.nanmax(np.abs(a), initial=0.0))


def gcj02_to_bd09_np(lng, lat) -> tuple[np.ndarray, np.ndarray]:
    lng, lat = _arrays(lng, lat)
    z = np.sqrt(lng * lng + lat * lat) + 0.00002 * np.sin(lat * X_PI)
    theta = np.arctan2(lat, lng) + 0.000003 * np.cos(lng * X_PI)
    keep = _out_of_china_np(lng, lat)
    bd_lng, bd_lat = z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006
    return np.where(keep, lng, bd_lng), np.where(keep, lat, bd_lat)


def bd09_to_gcj02_np(lng, lat) -> tuple[np.ndarray, np.ndarray]:
    lng, lat = _arrays(lng, lat)
    x, y = lng - 0.0065, lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * X_PI)
    guess = (z * np.cos(theta), z * np.sin(theta))
    glng, glat = _invert_np(gcj02_to_bd09_np, lng, lat, guess)
    keep = _out_of_china_np(lng, lat)
    return np.where(keep, lng, glng), np.where(keep, lat, glat)


def bd09_to_wgs84_np(lng, lat) -> tuple[np.ndarray, np.ndarray]:
    return gcj02_to_wgs84_np(*bd09_to_gcj02_np(lng, lat))


def wgs84_to_bd09_np(lng, lat) -> tuple[np.ndarray, np.ndarray]:
    return gcj02_to_bd09_np(*wgs84_to_gcj02_np(lng, lat))


TO_WGS84 = {
    "wgs84": lambda lng, lat: (lng, lat),
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}
TO_WGS84_NP = {
    "wgs84": _arrays,
    "gcj02": gcj02_to_wgs84_np,
    "bd09": bd09_to_wgs84_np,
}
