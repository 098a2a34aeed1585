"""`jiceng import-divisions`: load NBS division CSVs (the 2023 Tianjin files by default)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jiceng.jurisdictions.divisions import DivisionImportError, default_files, import_divisions


class Command(BaseCommand):
    help = "导入国家统计局统计用区划代码 CSV（区、乡级、村级三个文件），全部校验通过才写入。"

    def add_arguments(self, parser):
        defaults = default_files(settings.JICENG_DATA_DIR)
        parser.add_argument("--districts", type=Path, default=defaults[0])
        parser.add_argument("--towns", type=Path, default=defaults[1])
        parser.add_argument("--villages", type=Path, default=defaults[2])
        parser.add_argument("--city-code", default="120000000000")
        parser.add_argument("--city-name", default="天津市")

    def handle(self, *args, **opts):
        try:
            result = import_divisions(
                opts["districts"],
                opts["towns"],
                opts["villages"],
                city_code=opts["city_code"],
                city_name=opts["city_name"],
            )
        except DivisionImportError as exc:
            raise CommandError(f"导入失败，未写入任何数据：{exc}") from exc
        self.stdout.write(
            f"区划导入完成：新增 {result['created']}，更新 {result['updated']}，"
            f"共 {result['total']} 个单位"
        )
