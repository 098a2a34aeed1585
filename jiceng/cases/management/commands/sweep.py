"""`jiceng sweep`: mark warnings, overdue stages and late report-ins once, or every minute.

With Redis, celery beat runs the sweep (docs/jobs.md); `make run` runs `jiceng sweep
--loop` next to the development server instead.
"""

import json
import time

from django.core.management.base import BaseCommand

from jiceng.cases.actions import sweep
from jiceng.lib.jobs import sweep_logged


class Command(BaseCommand):
    help = "Run the deadline sweep once and print its counts as JSON (--loop: every minute)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="repeat until interrupted")
        parser.add_argument("--interval", type=float, default=60, help="seconds between runs")

    def handle(self, *args, loop: bool, interval: float, **options):
        if not loop:
            self.stdout.write(json.dumps(sweep()))
            return
        try:
            while True:
                counts = sweep_logged()  # a failed run is logged; the loop goes on
                if counts is not None:
                    self.stdout.write(json.dumps(counts))
                    self.stdout.flush()
                time.sleep(interval)
        except KeyboardInterrupt:
            pass
