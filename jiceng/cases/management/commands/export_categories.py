"""`jiceng export-categories FILE.xlsx`: the matter catalogue as an Excel workbook."""

from pathlib import Path

from django.core.management.base import BaseCommand

from jiceng.cases.catalogue_transfer import export_categories


class Command(BaseCommand):
    help = "把事项清单导出为 Excel（可修改后用 import-categories 导入）。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **opts):
        opts["file"].write_bytes(export_categories())
        self.stdout.write(f"事项清单已导出到 {opts['file']}")
