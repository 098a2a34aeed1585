"""`jiceng stats [--json]`: counts of units, grids, departments and users."""

import json

from django.core.management.base import BaseCommand

from jiceng.jurisdictions.selectors import stats


class Command(BaseCommand):
    help = "统计区划单位、网格、部门和用户数量。"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, **opts):
        counts = stats()
        if opts["json"]:
            self.stdout.write(json.dumps(counts, ensure_ascii=False))
            return
        for key, value in counts.items():
            self.stdout.write(f"{key:>15}  {value}")
