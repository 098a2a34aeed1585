"""`jiceng load-categories [--file PATH]`: load the matter catalogue (事项清单)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.cases.catalogue import DEFAULT_PATH, CatalogueError, load_catalogue


class Command(BaseCommand):
    help = (
        "导入事项清单（大类/小类、关键词、默认紧急程度、处置层级和各环节时限）。先校验整个文件，"
        "没有问题才在一个事务中新增缺少的类别、更新有变化的类别，并为每个变化写修改记录。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", type=Path, default=None, help=f"CSV 文件，默认为内置清单 {DEFAULT_PATH.name}"
        )

    def handle(self, *args, **opts):
        try:
            counts = load_catalogue(opts["file"])
        except CatalogueError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(
            f"事项清单导入完成：大类 {counts['groups']} 个，小类 {counts['items']} 个；"
            f"新增 {counts['created']} 个，更新 {counts['updated']} 个，"
            f"未变 {counts['unchanged']} 个"
        )
