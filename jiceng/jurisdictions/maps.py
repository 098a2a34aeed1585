"""GeoJSON layers for the map: boundaries of a node's children and of its grids."""

from __future__ import annotations

import json

import shapely

from .choices import Level

# Simplification per level of the node being shown: a city view needs far fewer
# vertices per district than a community view per grid (Douglas–Peucker, degrees).
TOLERANCE = {Level.CITY: 0.0008, Level.DISTRICT: 0.0002, Level.SUBDISTRICT: 0.00005}


def feature(geom: shapely.Geometry, tolerance: float, **properties) -> dict:
    if tolerance:
        geom = shapely.simplify(geom, tolerance, preserve_topology=True)
    geometry = json.loads(shapely.to_geojson(shapely.set_precision(geom, 1e-6)))
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def node_layer(node, children, grids) -> dict:
    """The children of a node as polygons, or, for a community, its grids."""
    tolerance = TOLERANCE.get(node.level, 0)
    out = [
        feature(c.geometry, tolerance, code=c.code, name=c.name, layer="child", url=c.url)
        for c in children
        if c.geometry is not None
    ]
    out += [
        feature(g.geometry, 0, code=g.code, name=g.name, layer=g.kind, url=g.url) for g in grids
    ]
    return collection(out)
