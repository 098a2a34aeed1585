"""The Celery tasks: one generic runner for `jobs.enqueue` and the periodic sweep."""

from __future__ import annotations

import logging

from jiceng.celery import app
from jiceng.lib import jobs

log = logging.getLogger(__name__)


@app.task(name="jiceng.run")
def run(task_path: str, *args) -> None:
    """Call a function named by its dotted path; the path is checked again here because
    anyone who can write to Redis can put a message on the queue."""
    jobs.call(task_path, *args)


@app.task(name="jiceng.sweep")
def sweep() -> dict[str, int]:
    """Mark warnings, overdue stages and late report-ins (celery beat, every minute)."""
    from jiceng.cases.actions import sweep as sweep_cases

    counts = sweep_cases()
    log.info("sweep: %s", counts)
    return counts
