"""`jiceng export-grids [--under CODE] FILE.geojson`: grids as GeoJSON (WGS84)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.jurisdictions.gridfiles import export_grids
from jiceng.jurisdictions.models import Grid, Jurisdiction


class Command(BaseCommand):
    help = (
        "把网格导出为 GeoJSON（FeatureCollection，WGS84；属性 code、name、kind、community_code），"
        "格式与 import-grids 相同。--under 只导出某个区划之下的网格。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--under", default="", help="区划代码（12 位）")

    def handle(self, *args, **opts):
        grids = Grid.objects.all()
        if opts["under"]:
            node = Jurisdiction.objects.filter(code=opts["under"]).first()
            if node is None:
                raise CommandError(f"区划代码 {opts['under']} 不存在")
            grids = grids.within(node)
        collection = export_grids(grids)
        opts["file"].write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
        self.stdout.write(f"已导出 {len(collection['features'])} 个网格到 {opts['file']}")
