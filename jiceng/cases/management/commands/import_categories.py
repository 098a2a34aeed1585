"""`jiceng import-categories FILE.xlsx`: the matter catalogue from an Excel workbook."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.cases.catalogue_transfer import import_categories


class Command(BaseCommand):
    help = (
        "从 Excel 导入事项清单（与 export-categories 的格式相同）。先校验每一行，"
        "有任何问题则列出行号、列和原因，不写入任何数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, **opts):
        try:
            data = opts["file"].read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {opts['file']}：{exc.strerror}") from exc
        report = import_categories(data, dry_run=opts["dry_run"])
        out = json.dumps(report.as_dict(), ensure_ascii=False) if opts["json"] else report.text()
        self.stdout.write(out)
        if not report.ok:
            raise CommandError("事项清单导入失败，未写入任何数据", returncode=1)
