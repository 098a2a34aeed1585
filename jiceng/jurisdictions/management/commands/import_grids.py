"""`jiceng import-grids FILE.geojson`: replace the grids of the communities in a file."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.jurisdictions.gridfiles import CRS_CHOICES, GridImportError, format_report, import_grids


class Command(BaseCommand):
    help = (
        "从 GeoJSON 导入网格（每个要素有 code、name、可选 kind）。先校验整个文件并列出全部问题，"
        "没有问题才在一个事务中替换文件中各社区的网格。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--crs", choices=CRS_CHOICES, default="wgs84", help="坐标系：wgs84 或 gcj02（高德）"
        )
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, **opts):
        try:
            result = import_grids(opts["file"], opts["crs"])
        except GridImportError as exc:
            self._fail(exc, opts["json"])
        if opts["json"]:
            self.stdout.write(json.dumps({"ok": True, **result}, ensure_ascii=False))
            return
        self.stdout.write(
            f"网格导入完成：{result['communities']} 个社区/村，"
            f"综合网格 {result['general_grids']} 个，专属网格 {result['special_grids']} 个，"
            f"重绘社区边界 {result['boundaries_redrawn']} 个"
        )

    def _fail(self, exc: GridImportError, as_json: bool) -> None:
        if as_json:
            problems = [p.as_dict() for p in exc.problems]
            self.stdout.write(json.dumps({"ok": False, "problems": problems}, ensure_ascii=False))
        else:
            self.stdout.write(format_report(exc.problems))
        summary = f"网格导入失败：{len(exc.problems)} 个问题，未写入任何数据"
        raise CommandError(summary, returncode=1)
