"""The database a benchmark run measures: a throwaway SQLite file, or DATABASE_URL."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .registry import Scale

BENCH_DIR = Path(os.environ.get("JICENG_VAR_DIR", Path(__file__).resolve().parents[2] / "var"))
BENCH_DIR = BENCH_DIR / "bench"


def configure(scale: Scale) -> str:
    """Point Django at the bench database; call before django.setup(). Describes it.

    Without DATABASE_URL, a fresh SQLite file per scale under var/bench/ (removed first,
    so every run measures the same data). With DATABASE_URL, that database is used and
    filled only if it has no grids yet: an existing city is never overwritten.
    """
    if os.environ.get("DATABASE_URL"):
        return "from DATABASE_URL (filled only if it had no grids)"
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"jiceng-{scale.name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    return f"throwaway file {path.relative_to(BENCH_DIR.parent.parent)}"


def describe(origin: str) -> str:
    """'SQLite 3.40.1, throwaway file …': the engine and version Django connected to."""
    from django.db import connection

    if connection.vendor == "postgresql":
        major, minor = divmod(connection.pg_version, 10000)
        return f"PostgreSQL {major}.{minor}, {origin}"
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}, {origin}"
    return f"{connection.vendor}, {origin}"


def populate(scale: Scale) -> dict:
    """Migrate, then import the divisions and draw the demo grids unless grids exist."""
    from django.conf import settings
    from django.core.management import call_command

    from jiceng.jurisdictions.divisions import default_files, district_subset, import_divisions
    from jiceng.jurisdictions.models import Grid

    call_command("migrate", interactive=False, verbosity=0)
    if Grid.objects.general().exists():
        return {"reused": True}
    files = default_files(settings.JICENG_DATA_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        if scale.districts:
            files = district_subset(files, Path(tmp), scale.districts)
        import_divisions(*files)
    try:
        from jiceng.jurisdictions.gridgen import build_demo_grids
    except ImportError as exc:  # the generator is optional for the harness itself
        raise SystemExit(f"the demo grid generator is not available: {exc}") from exc
    return build_demo_grids()
