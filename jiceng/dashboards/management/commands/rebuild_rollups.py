"""`jiceng rebuild-rollups`: recompute the daily rollups from the case rows."""

from django.core.management.base import BaseCommand

from jiceng.dashboards.rebuild import rebuild_rollups


class Command(BaseCommand):
    help = "按事件数据重算日统计和类别月统计（用于批量导入历史事件后，或修复统计）。"

    def handle(self, *args, **opts):
        result = rebuild_rollups()
        self.stdout.write(
            f"日统计已重算：{result['rows']} 行；类别月统计：{result['category_rows']} 行；"
            f"来自 {result['cases']} 件事件"
        )
