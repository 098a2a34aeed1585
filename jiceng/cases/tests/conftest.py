"""The case fixtures live in fixtures.py, loaded for the whole suite by the root conftest
(dashboards and API tests use them too); the helpers are re-exported for old imports."""

from .fixtures import IN_GRID, IN_OTHER_GRID, JPEG, run_to  # noqa: F401
