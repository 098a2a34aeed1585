"""`python -m jiceng.bench --scale small|full|10m [--only a,b] [--output docs/benchmarks.md]`."""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
import time
from pathlib import Path

from . import MODULES
from .registry import BENCHMARKS, SCALES, Context, Figure, Scale

DEFAULT_OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"


def run(scale: Scale, only: list[str] | None = None, echo=print) -> list[Figure]:
    """Run the registered benchmarks (all, or those named) against the configured DB."""
    for module in MODULES:
        importlib.import_module(module)
    unknown = set(only or ()) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    ctx, figures = Context(scale), []
    # In the order of MODULES, whichever module some test happened to import first: the
    # grid rebuild must run before anything files cases on those grids.
    place = {module: n for n, module in enumerate(MODULES)}
    ordered = sorted(BENCHMARKS.items(), key=lambda item: place.get(item[1].run.__module__, 99))
    for name, bench in ordered:
        if only and name not in only:
            continue
        start = time.perf_counter()
        found = bench.run(ctx)
        echo(f"  {name}: {len(found)} figure(s) in {time.perf_counter() - start:.1f} s")
        figures.extend(found)
        gc.collect()  # large point arrays from one benchmark should not tax the next
    return figures


def describe_data() -> str:
    from jiceng.jurisdictions.choices import Level
    from jiceng.jurisdictions.models import Grid, Jurisdiction

    districts = Jurisdiction.objects.filter(level=Level.DISTRICT).count()
    general = Grid.objects.general().count()
    return f"{districts} districts, {general:,} general grids (demo grids, jiceng generate-grids)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m jiceng.bench", description=__doc__)
    parser.add_argument("--scale", choices=[s for s in SCALES if s != "tiny"], default="full")
    parser.add_argument("--only", help="comma-separated benchmark names")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    scale = SCALES[args.scale]

    from . import dataset

    origin = dataset.configure(scale)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    database = dataset.describe(origin)
    start = time.perf_counter()
    print(f"Preparing the {scale.name} database ({database})…")
    dataset.populate(scale)
    print(f"  ready in {time.perf_counter() - start:.1f} s: {describe_data()}")
    figures = run(scale, args.only.split(",") if args.only else None)

    from .report import render

    command = f"python -m jiceng.bench --scale {scale.name}"
    text = render(figures, scale, command, database, describe_data())
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    print(f"Written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
