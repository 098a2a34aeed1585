import csv
import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from jiceng.jurisdictions.choices import Kind
from jiceng.jurisdictions.divisions import DivisionImportError, default_files, import_divisions
from jiceng.jurisdictions.models import Jurisdiction

pytestmark = pytest.mark.django_db

EXPECTED_2023 = {
    "districts": 16,
    "streets": 124,
    "towns": 125,
    "townships": 3,
    "dev_zones": 47,
    "communities": 1934,
    "villages": 3542,
    "special": 141,
}


@pytest.fixture
def files(tmp_path) -> list[Path]:
    """Copies of the shipped 2023 files that a test may break."""
    out = []
    for path in default_files(settings.JICENG_DATA_DIR):
        shutil.copy(path, tmp_path / path.name)
        out.append(tmp_path / path.name)
    return out


def rewrite_row(path: Path, index: int, **changes) -> None:
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[index].update(changes)
    write_rows(path, rows)


def write_rows(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def stats_json(capsys) -> dict:
    call_command("stats", "--json")
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_the_2023_tianjin_files_give_the_official_counts(capsys):
    call_command("import_divisions")
    counts = stats_json(capsys)
    assert {k: counts[k] for k in EXPECTED_2023} == EXPECTED_2023
    assert Jurisdiction.objects.count() == 1 + sum(EXPECTED_2023.values())


def test_stats_json_has_every_documented_key(capsys):
    counts = stats_json(capsys)
    for key in [*EXPECTED_2023, "grids", "departments", "users"]:
        assert isinstance(counts[key], int)


def test_dev_zones_and_special_units_are_flagged_by_kind(files):
    import_divisions(*files)
    assert Jurisdiction.objects.get(code="120116400000").kind == Kind.DEV_ZONE
    special = Jurisdiction.objects.filter(kind=Kind.SPECIAL).first()
    assert int(special.code[9:]) >= 400
    assert special.parent.level == "subdistrict"


def test_importing_twice_changes_nothing(files):
    import_divisions(*files)
    again = import_divisions(*files)
    assert again["created"] == 0 and again["updated"] == 0


def test_a_renamed_unit_is_updated_in_place(files):
    import_divisions(*files)
    rewrite_row(files[1], 0, name="劝业场新街道")
    result = import_divisions(*files)
    assert result["updated"] == 1
    assert Jurisdiction.objects.get(code="120101001000").name == "劝业场新街道"


@pytest.mark.parametrize(
    ("which", "row", "change", "message"),
    [
        (1, 4, {"code": "12010100X"}, "第6行: 代码 '12010100X' 不是9位数字"),
        (
            2,
            9,
            {"town_code": "120101999", "code": "120101999001"},
            "第11行: 上级代码 '120101999' 不存在",
        ),
        (2, 1, {"code": "120101001001"}, "第3行: 代码 120101001001 重复"),
        (1, 0, {"name": ""}, "第2行: 代码 120101001 没有名称"),
        (2, 0, {"code": "120102001001"}, "第2行: 代码 120102001001 与上级代码 120101001 不一致"),
    ],
)
def test_a_malformed_row_names_file_and_row_and_writes_nothing(files, which, row, change, message):
    rewrite_row(files[which], row, **change)
    with pytest.raises(DivisionImportError) as err:
        import_divisions(*files)
    assert files[which].name in str(err.value)
    assert message in str(err.value)
    assert Jurisdiction.objects.count() == 0


def test_the_command_reports_the_problem_and_writes_nothing(files):
    rewrite_row(files[0], 2, code="1201")
    with pytest.raises(CommandError, match="未写入任何数据.*tianjin_nbs2023_districts.csv 第4行"):
        call_command(
            "import_divisions",
            districts=files[0],
            towns=files[1],
            villages=files[2],
        )
    assert Jurisdiction.objects.count() == 0


def test_a_file_missing_a_column_is_rejected(files):
    with files[1].open(encoding="utf-8") as f:
        rows = [{k: v for k, v in r.items() if k != "district_code"} for r in csv.DictReader(f)]
    write_rows(files[1], rows)
    with pytest.raises(DivisionImportError, match="缺少列 district_code"):
        import_divisions(*files)
