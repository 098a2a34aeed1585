"""The benchmark registry, the figures benchmarks report and the helpers they time with."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Scale:
    """How big a run is: the database it needs and how much work each benchmark does."""

    name: str
    districts: tuple[str, ...] | None  # 6-digit district codes; None = all; () = as is
    points: int  # points per batch run
    runs: int  # timed runs per figure (after one untimed warm-up)
    single_calls: int  # one-point calls timed per run
    naive_points: int  # points for the shapely scan over every polygon
    fresh_process_rss: bool = True  # measure resident memory in a new process


SCALES = {
    "full": Scale("full", None, 1_000_000, 5, 200_000, 2_000),
    # The whole city again, with cases grown to ten million (kpi.STEPS): issue 6.
    "10m": Scale("10m", None, 1_000_000, 5, 200_000, 2_000),
    # Two city-centre districts and a suburban one: every kind of grid, a fifth of them.
    "small": Scale("small", ("120101", "120103", "120111"), 1_000_000, 5, 100_000, 2_000),
    # For the test that keeps this code from rotting: whatever the database holds.
    "tiny": Scale("tiny", (), 2_000, 2, 200, 50, fresh_process_rss=False),
}


@dataclass
class Figure:
    """One measured quantity: its samples (one per run) and how to read them."""

    name: str
    unit: str
    samples: list[float]
    note: str = ""
    series: str = ""  # the same page or table at each step of the case count …
    step: int = 0  # … and that step (cases): report.py tabulates how it grows

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)


@dataclass
class Context:
    """What a benchmark may use: the scale, and a cache shared by all benchmarks."""

    scale: Scale
    seed: int = 20261121
    cache: dict[str, Any] = field(default_factory=dict)

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]


@dataclass(frozen=True)
class Benchmark:
    name: str
    run: Callable[[Context], list[Figure]]


BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str) -> Callable:
    """Register `fn(ctx) -> list[Figure]` under `name`; benchmarks run in this order."""

    def register(fn: Callable[[Context], list[Figure]]) -> Callable:
        BENCHMARKS[name] = Benchmark(name, fn)
        return fn

    return register


def timed(fn: Callable[[], Any], runs: int, warmup: int = 1) -> list[float]:
    """Seconds per call of fn, `runs` times, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def rate(count: int, seconds: list[float]) -> list[float]:
    return [count / s for s in seconds]
