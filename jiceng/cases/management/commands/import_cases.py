"""`jiceng import-cases FILE.xlsx --as USERNAME`: historic cases from an Excel workbook."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from jiceng.cases.transfer import import_cases, may_import_cases


class Command(BaseCommand):
    help = (
        "从 Excel 导入历史事件（如 12345 的月度导出，或本系统事件列表的导出）。先校验每一行，"
        "有任何问题则列出行号、列和原因，不写入任何数据；已导入过的工单号跳过。"
        "导入以 --as 指定的用户进行，只能导入其辖区内的事件；导入后重算统计。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="username", required=True, help="以此用户的辖区导入")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument(
            "--no-rebuild", action="store_true", help="不重算统计（之后运行 rebuild-rollups）"
        )
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, **opts):
        user = get_user_model().objects.filter(username=opts["username"]).first()
        if user is None or not may_import_cases(user):
            raise CommandError(f"用户 {opts['username']} 不存在或无权导入事件")
        try:
            data = opts["file"].read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {opts['file']}：{exc.strerror}") from exc
        report = import_cases(
            data, acting_user=user, dry_run=opts["dry_run"], rebuild=not opts["no_rebuild"]
        )
        out = json.dumps(report.as_dict(), ensure_ascii=False) if opts["json"] else report.text()
        self.stdout.write(out)
        if not report.ok:
            raise CommandError("事件导入失败，未写入任何数据", returncode=1)
