"""Import of NBS statistical division codes (统计用区划代码) from CSV files.

Three files, as shipped in jiceng/data (see DATA.md): districts (6-digit codes), towns
(9-digit) and villages (12-digit). Every row of every file is checked before anything
is written; the first problem found stops the import with the file, row and reason.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .choices import Kind, Level
from .models import Jurisdiction


class DivisionImportError(Exception):
    """A malformed file or row; the message names the file, the row and the problem."""


@dataclass(frozen=True)
class Division:
    code: str  # 12 digits
    name: str
    level: str
    kind: str
    parent_code: str | None
    ur_code: str = ""


def town_kind(code9: str) -> str:
    """GB/T 10114: digits 7–9 of a town-level code give its type."""
    n = int(code9[6:9])
    if 1 <= n <= 99:
        return Kind.STREET
    if 100 <= n <= 199:
        return Kind.TOWN
    if 200 <= n <= 399:
        return Kind.TOWNSHIP
    if 400 <= n <= 599:
        return Kind.DEV_ZONE
    raise ValueError(f"乡级代码段 {code9[6:9]} 不在 001–599 之内")


def village_kind(code12: str) -> str:
    """Digits 10–12: 001–199 居委会/社区, 200–399 村委会, 400+ 类似居委会/村委会."""
    n = int(code12[9:12])
    if 1 <= n <= 199:
        return Kind.COMMUNITY
    if 200 <= n <= 399:
        return Kind.VILLAGE
    if n >= 400:
        return Kind.SPECIAL
    raise ValueError(f"村级代码段 {code12[9:12]} 不能为 000")


# (digits, parent column, level, kind function) for each file.
LAYOUT = {
    "districts": (6, None, Level.DISTRICT, lambda code: Kind.DISTRICT),
    "towns": (9, "district_code", Level.SUBDISTRICT, town_kind),
    "villages": (12, "town_code", Level.COMMUNITY, village_kind),
}


def read_divisions(districts: Path, towns: Path, villages: Path, city_code: str) -> list[Division]:
    """Parse and check all three files; raise DivisionImportError on the first bad row."""
    out: list[Division] = []
    # Short code → 12-digit code of accepted rows. A municipality's districts hang
    # directly under the city (1201xx is 市辖区, not a node of its own).
    known = {city_code[:2]: city_code}
    for key, path in (("districts", districts), ("towns", towns), ("villages", villages)):
        out.extend(_read_file(Path(path), key, known))
    return out


def _read_file(path: Path, key: str, known: dict[str, str]) -> list[Division]:
    digits, parent_col, level, kind_of = LAYOUT[key]
    required = {"code", "name"} | ({parent_col} if parent_col else set())
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise DivisionImportError(f"{path}: 无法打开文件 ({exc.strerror})") from exc
    rows: list[Division] = []
    with handle:
        reader = csv.DictReader(handle)
        missing = required - set(reader.fieldnames or [])
        if missing:
            raise DivisionImportError(f"{path.name}: 缺少列 {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            try:
                rows.append(_parse_row(row, digits, parent_col, level, kind_of, known))
            except ValueError as exc:
                raise DivisionImportError(f"{path.name} 第{line}行: {exc}") from None
    return rows


def _parse_row(row, digits, parent_col, level, kind_of, known) -> Division:
    code = (row.get("code") or "").strip()
    name = (row.get("name") or "").strip()
    if len(code) != digits or not code.isdigit():
        raise ValueError(f"代码 '{code}' 不是{digits}位数字")
    if not name:
        raise ValueError(f"代码 {code} 没有名称")
    parent_short = (row.get(parent_col) or "").strip() if parent_col else code[:2]
    if not code.startswith(parent_short):
        raise ValueError(f"代码 {code} 与上级代码 {parent_short} 不一致")
    if parent_short not in known:
        raise ValueError(f"上级代码 '{parent_short}' 不存在")
    if code in known:
        raise ValueError(f"代码 {code} 重复")
    kind = kind_of(code)
    full = code.ljust(12, "0")
    known[code] = full
    ur_code = (row.get("ur_code_2016") or "").strip()
    return Division(full, name, level, kind, known[parent_short], ur_code)


def default_files(data_dir: Path, edition: str = "2023", prefix: str = "tianjin") -> list[Path]:
    return [data_dir / f"{prefix}_nbs{edition}_{key}.csv" for key in LAYOUT]


@transaction.atomic
def import_divisions(
    districts: Path,
    towns: Path,
    villages: Path,
    *,
    city_code: str = "120000000000",
    city_name: str = "天津市",
) -> dict[str, int]:
    """Create or update the tree from the three files; all or nothing."""
    divisions = read_divisions(districts, towns, villages, city_code)
    city, _created = Jurisdiction.objects.get_or_create(
        code=city_code,
        defaults={"name": city_name, "level": Level.CITY, "kind": Kind.CITY, "path": city_code},
    )
    existing = {j.code: j for j in Jurisdiction.objects.all()}
    created = updated = 0
    for level in (Level.DISTRICT, Level.SUBDISTRICT, Level.COMMUNITY):
        batch = [d for d in divisions if d.level == level]
        c, u = _upsert_level(batch, existing)
        created += c
        updated += u
    return {"created": created, "updated": updated, "total": len(divisions) + 1}


def _upsert_level(batch: list[Division], existing: dict[str, Jurisdiction]) -> tuple[int, int]:
    new, changed = [], []
    for d in batch:
        parent = existing[d.parent_code]
        node = existing.get(d.code)
        fields = {
            "name": d.name,
            "level": d.level,
            "kind": d.kind,
            "parent": parent,
            "path": parent.path + d.code,
            "depth": parent.depth + 1,
            "ur_code": d.ur_code,
        }
        if node is None:
            node = Jurisdiction(code=d.code, **fields)
            new.append(node)
        elif any(getattr(node, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(node, k, v)
            changed.append(node)
    Jurisdiction.objects.bulk_create(new, batch_size=500)
    fields = ["name", "level", "kind", "parent", "path", "depth", "ur_code"]
    Jurisdiction.objects.bulk_update(changed, fields, batch_size=500)
    if new and new[0].pk is None:  # backends that do not return ids from bulk inserts
        ids = dict(
            Jurisdiction.objects.filter(code__in=[n.code for n in new]).values_list("code", "pk")
        )
        for n in new:
            n.pk = n.id = ids[n.code]
    for node in new:
        existing[node.code] = node
    return len(new), len(changed)


def district_subset(files: list[Path], target_dir: Path, districts: tuple[str, ...]) -> list[Path]:
    """Copies of the three files keeping only the rows under these 6-digit district codes:
    a small real tree for tests and quick benchmarks."""
    out = []
    for source in files:
        target = Path(target_dir) / source.name
        with source.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            rows = [r for r in reader if r["code"].startswith(districts)]
        with target.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=reader.fieldnames)
            writer.writeheader()
            writer.writerows(rows)
        out.append(target)
    return out
