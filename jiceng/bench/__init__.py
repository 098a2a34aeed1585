"""Benchmarks: `python -m jiceng.bench --scale small|full` (what `make bench` runs).

Each benchmark is a function registered with `@benchmark` (registry.py) that takes the
run's Context and returns Figures; the runner times nothing itself, it only collects the
figures and writes docs/benchmarks.md. Add a benchmark by writing such a function in a
module listed in MODULES below.
"""

MODULES = (
    "jiceng.bench.cases",
    "jiceng.bench.gridlayer",
    "jiceng.bench.intake",
    "jiceng.bench.kpi",
    "jiceng.bench.pages",
    "jiceng.bench.http",  # at the full database, as a busy server would be
    "jiceng.bench.memory",  # after http: a server and a Celery worker at the full database
)
