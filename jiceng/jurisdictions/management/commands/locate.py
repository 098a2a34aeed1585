"""`jiceng locate LNG LAT [--crs wgs84|gcj02|bd09]`: the grid holding a point, as JSON."""

import json
import math

from django.core.management.base import BaseCommand, CommandError

from jiceng.jurisdictions.locate import CRS_CHOICES, locate


def coordinate(text: str, label: str, limit: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CommandError(f"{label} '{text}' 不是有效的数字") from None
    if not math.isfinite(value) or abs(value) > limit:
        raise CommandError(f"{label} '{text}' 超出范围（-{limit:g} 至 {limit:g}）")
    return value


class Command(BaseCommand):
    help = (
        "查询一个坐标所在的综合网格及其社区、街道、区，输出 JSON；"
        '不在任何网格内时输出 {"outside": true}。'
    )

    def add_arguments(self, parser):
        # Strings, not floats: the check below gives a clearer message than argparse's.
        parser.add_argument("lng", help="经度")
        parser.add_argument("lat", help="纬度")
        parser.add_argument("--crs", choices=CRS_CHOICES, default="wgs84", help="输入坐标系")

    def handle(self, *args, **opts):
        lng = coordinate(opts["lng"], "经度", 180.0)
        lat = coordinate(opts["lat"], "纬度", 90.0)
        found = locate(lng, lat, crs=opts["crs"])
        self.stdout.write(json.dumps(found.as_dict(), ensure_ascii=False))
