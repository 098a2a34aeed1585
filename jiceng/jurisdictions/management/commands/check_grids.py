"""`jiceng check-grids`: do the general grids cover the whole city, once?"""

import json

from django.core.management.base import BaseCommand, CommandError

from jiceng.jurisdictions.coverage import check_city_grids
from jiceng.jurisdictions.geometry import Coverage, Patch


class Command(BaseCommand):
    help = (
        "检查全市综合网格：市界内没有网格覆盖的土地（飞地）和相互重叠的网格。有问题时退出码为 1。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        parser.add_argument(
            "--min-area", type=float, default=1.0, help="小于此面积（平方米）的缝隙和重叠忽略"
        )

    def handle(self, *args, **opts):
        try:
            coverage, count = check_city_grids(opts["min_area"])
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(as_json(coverage, count), ensure_ascii=False))
        else:
            self.stdout.write("\n".join(report_lines(coverage, count)))
        if not coverage.ok:
            summary = f"飞地 {len(coverage.gaps)} 处，重叠 {len(coverage.overlaps)} 处"
            raise CommandError(f"网格检查未通过：{summary}", returncode=1)


def as_json(coverage: Coverage, count: int) -> dict:
    return {
        "gaps": [p.as_dict() for p in coverage.gaps],
        "overlaps": [p.as_dict() for p in coverage.overlaps],
        "grids": count,
        "ok": coverage.ok,
    }


def report_lines(coverage: Coverage, count: int) -> list[str]:
    lines = [f"已检查综合网格 {count} 个"]
    lines.append(f"飞地（市界内无网格覆盖）：{len(coverage.gaps)} 处")
    lines += [f"  {n}. {_where(p)}" for n, p in enumerate(coverage.gaps, 1)]
    lines.append(f"重叠：{len(coverage.overlaps)} 处")
    lines += [
        f"  {n}. 网格 {p.codes[0]} 与 {p.codes[1]}：{_where(p)}"
        for n, p in enumerate(coverage.overlaps, 1)
    ]
    if coverage.ok:
        lines.append("通过：综合网格覆盖全市，互不重叠。")
    return lines


def _where(patch: Patch) -> str:
    return f"面积 {patch.area_m2:.1f} 平方米，位置 ({patch.lng}, {patch.lat})"
