"""LocateIndex against a naive shapely scan, and its rule for points on shared edges."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from jiceng.lib.locate import OUTSIDE, LocateIndex

from .tilings import bisected, naive_locate, wavy_mesh

# The tie rule is "step east by δ, then north by ε ≪ δ"; these are small enough for the
# synthetic tilings (no edge closer than ~1e-6 rad to due east at a vertex).
EAST, NORTH = 1e-7, 1e-13


@pytest.fixture(scope="module")
def mesh() -> np.ndarray:
    return np.array(wavy_mesh(40, 30, seed=7), object)


@pytest.fixture(scope="module")
def mesh_index(mesh) -> LocateIndex:
    return LocateIndex.build(mesh)


@pytest.fixture(scope="module", params=[True, False], ids=["dyadic-cuts", "arbitrary-cuts"])
def cut_shape(request) -> np.ndarray:
    return np.array(bisected(1500, seed=3, dyadic=request.param), object)


def random_points(geoms, n: int, seed: int = 0, margin: float = 0.01):
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    return rng.uniform(minx - margin, maxx + margin, n), rng.uniform(
        miny - margin, maxy + margin, n
    )


def shared_vertices(geoms) -> np.ndarray:
    return np.unique(shapely.get_coordinates(geoms), axis=0)


def test_it_agrees_with_a_naive_scan_on_random_points_over_zigzag_edges(mesh, mesh_index):
    x, y = random_points(mesh, 20_000)
    expected = naive_locate(mesh, x, y)
    assert (expected >= 0).sum() > 10_000
    np.testing.assert_array_equal(mesh_index.locate_many(x, y), expected)


def test_it_agrees_with_a_naive_scan_where_cuts_leave_t_junctions(cut_shape):
    index = LocateIndex.build(cut_shape)
    x, y = random_points(cut_shape, 20_000, seed=1)
    np.testing.assert_array_equal(index.locate_many(x, y), naive_locate(cut_shape, x, y))


def test_one_point_and_batch_answers_agree(mesh, mesh_index):
    x, y = random_points(mesh, 3_000, seed=2)
    vx, vy = shared_vertices(mesh).T
    x, y = np.r_[x, vx], np.r_[y, vy]
    one_by_one = [mesh_index.locate(a, b) for a, b in zip(x, y, strict=True)]
    np.testing.assert_array_equal(mesh_index.locate_many(x, y), one_by_one)


def test_points_outside_every_polygon_are_minus_one(mesh_index):
    x = np.array([0.0, 116.0, 117.05, 200.0, np.nan, 117.05])
    y = np.array([0.0, 39.05, 38.0, 39.05, 39.05, np.nan])
    assert (mesh_index.locate_many(x, y) == OUTSIDE).all()
    assert all(mesh_index.locate(a, b) == OUTSIDE for a, b in zip(x, y, strict=True))


def test_a_point_in_a_gap_between_polygons_is_outside():
    left, right = shapely.box(117.0, 39.0, 117.1, 39.1), shapely.box(117.2, 39.0, 117.3, 39.1)
    index = LocateIndex.build([left, right])
    assert index.locate_many([117.05, 117.15, 117.25], [39.05, 39.05, 39.05]).tolist() == [
        0,
        OUTSIDE,
        1,
    ]


def test_every_shared_vertex_belongs_to_exactly_one_polygon_it_touches(mesh, mesh_index):
    vx, vy = shared_vertices(mesh).T
    got = mesh_index.locate_many(vx, vy)
    touching = shapely.STRtree(mesh).query(shapely.points(vx, vy), "dwithin", distance=1e-12)
    assert set(zip(*touching, strict=True)) >= {(k, g) for k, g in enumerate(got) if g >= 0}
    on_outer_ring = shapely.dwithin(shapely.union_all(mesh).boundary, shapely.points(vx, vy), 1e-12)
    assert (got[~on_outer_ring] >= 0).all()


def test_a_point_on_an_edge_always_gets_the_same_answer(mesh, mesh_index):
    a = shapely.get_coordinates(mesh[:200])
    mid = (a[:-1] + a[1:]) / 2  # a few are not edges (ring seams); harmless here
    first = mesh_index.locate_many(mid[:, 0], mid[:, 1])
    again = mesh_index.locate_many(mid[::-1, 0], mid[::-1, 1])[::-1]
    np.testing.assert_array_equal(first, again)


def test_vertices_go_to_the_polygon_a_step_east_then_north_lands_in(mesh, mesh_index):
    vx, vy = shared_vertices(mesh).T
    expected = naive_locate(mesh, vx + EAST, vy + NORTH)
    np.testing.assert_array_equal(mesh_index.locate_many(vx, vy), expected)


def test_points_on_axis_parallel_cuts_follow_the_same_rule(cut_shape):
    index = LocateIndex.build(cut_shape)
    coords, ring = shapely.get_coordinates(
        shapely.get_rings(shapely.get_parts(cut_shape)), return_index=True
    )
    same = ring[:-1] == ring[1:]
    a, b = coords[:-1][same], coords[1:][same]
    axis = (a[:, 0] == b[:, 0]) | (a[:, 1] == b[:, 1])
    pts = np.r_[(a[axis] + b[axis]) / 2, a]
    expected = naive_locate(cut_shape, pts[:, 0] + EAST, pts[:, 1] + NORTH)
    np.testing.assert_array_equal(index.locate_many(pts[:, 0], pts[:, 1]), expected)


def test_a_point_on_a_north_south_edge_goes_to_the_polygon_east_of_it():
    west, east = shapely.box(117.0, 39.0, 117.1, 39.1), shapely.box(117.1, 39.0, 117.2, 39.1)
    for geoms, east_index in (([west, east], 1), ([east, west], 0)):
        index = LocateIndex.build(geoms)
        assert index.locate(117.1, 39.05) == east_index
        assert index.locate_many([117.1], [39.05])[0] == east_index


def test_a_point_on_an_east_west_edge_goes_to_the_polygon_north_of_it():
    south, north = shapely.box(117.0, 39.0, 117.1, 39.1), shapely.box(117.0, 39.1, 117.1, 39.2)
    index = LocateIndex.build([north, south])
    assert index.locate(117.05, 39.1) == 0
    assert index.locate(117.0, 39.1) == 0  # the shared corner on the west side
    assert index.locate(117.1, 39.1) == OUTSIDE  # east of both: the step east leaves them


def test_holes_and_multipolygon_parts_are_respected():
    ring = shapely.box(117.0, 39.0, 117.3, 39.3).difference(shapely.box(117.1, 39.1, 117.2, 39.2))
    island = shapely.box(117.1, 39.1, 117.2, 39.2)
    parts = shapely.MultiPolygon(
        [shapely.box(117.4, 39.0, 117.5, 39.1), shapely.box(117.6, 39.0, 117.7, 39.1)]
    )
    index = LocateIndex.build([ring, island, parts])
    x = [117.05, 117.15, 117.45, 117.55, 117.65]
    y = [39.05, 39.15, 39.05, 39.05, 39.05]
    assert index.locate_many(x, y).tolist() == [0, 1, 2, OUTSIDE, 2]


def test_a_point_where_polygons_overlap_still_gets_one_of_them():
    big, small = shapely.box(117.0, 39.0, 117.2, 39.2), shapely.box(117.05, 39.05, 117.1, 39.1)
    for geoms in ([small, big], [big, small]):
        index = LocateIndex.build(geoms)
        assert index.locate(117.07, 39.07) in (0, 1)
        assert index.locate_many([117.07], [39.07])[0] == index.locate(117.07, 39.07)


def test_missing_and_empty_geometries_are_never_found():
    index = LocateIndex.build([None, shapely.Polygon(), shapely.box(117.0, 39.0, 117.1, 39.1)])
    assert len(index) == 3
    assert index.locate(117.05, 39.05) == 2
    assert LocateIndex.build([]).locate(117.05, 39.05) == OUTSIDE


def test_arrays_keep_their_shape(mesh_index):
    x, y = np.full((2, 3), 117.001), np.full((2, 3), 39.001)
    got = mesh_index.locate_many(x, y)
    assert got.shape == (2, 3) and got.dtype == np.int32


def test_nbytes_counts_the_tables(mesh_index):
    assert 0 < mesh_index.nbytes < 50_000_000
