"""`jiceng rebuild-rollups [--since DAY] [--until DAY]`: recompute the daily rollups (of
those local days, and the category-month counts of the months they touch) from the case
rows."""

from datetime import date

from django.core.management.base import BaseCommand

from jiceng.dashboards.rebuild import rebuild_rollups


class Command(BaseCommand):
    help = "按事件数据重算日统计和类别月统计（用于批量导入历史事件后，或修复统计）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--since", type=date.fromisoformat, help="从这一天起（含，YYYY-MM-DD，本地日期）"
        )
        parser.add_argument(
            "--until", type=date.fromisoformat, help="到这一天前（不含，YYYY-MM-DD，本地日期）"
        )

    def handle(self, *args, **opts):
        since, until = opts["since"], opts["until"]
        result = rebuild_rollups(start=since, end=until)
        span = f"（{since or '最早'} 至 {until or '最新'}）" if since or until else ""
        self.stdout.write(
            f"日统计已重算{span}：{result['rows']} 行；类别月统计：{result['category_rows']} 行；"
            f"来自 {result['cases']} 件事件"
        )
