"""`jiceng generate-grids`: draw the demo boundaries and grids (see docs/grids.md)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand

from jiceng.jurisdictions.gridgen import build_demo_grids


class Command(BaseCommand):
    help = (
        "按区界递归切分，生成演示用的街道、社区边界和网格（程序生成，非真实边界），"
        "替换这些社区现有的网格。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--districts", type=Path, help="区界 GeoJSON（默认用内置天津区界）")

    def handle(self, *args, **opts):
        start = time.perf_counter()
        result = build_demo_grids(opts["districts"])
        seconds = time.perf_counter() - start
        self.stdout.write(
            f"演示网格生成完成：{result['districts']} 个区，{result['units']} 个街道和社区边界，"
            f"综合网格 {result['general_grids']} 个，专属网格 {result['special_grids']} 个，"
            f"用时 {seconds:.1f} 秒"
        )
        if result["skipped_districts"]:
            skipped = "、".join(result["skipped_districts"])
            self.stdout.write(f"以下区在区界文件中没有边界，已跳过：{skipped}")
