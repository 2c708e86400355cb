"""Guangdong administrative divisions shipped with the package."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lianzhang.regions.divisions import (
    DATA_FILE,
    Division,
    DivisionDirectory,
    code_prefix,
    default_directory,
    in_scope,
    load_divisions,
    read_divisions,
)

REPO = Path(__file__).resolve().parents[2]
SOURCE_DIR = REPO.parent / "shared" / "data" / "admin-divisions"
needs_source = pytest.mark.skipif(
    not SOURCE_DIR.is_dir(),
    reason=f"source division tables {SOURCE_DIR} are absent (shared folder not present)",
)


@pytest.fixture(scope="module")
def directory() -> DivisionDirectory:
    return default_directory()


def _levels(divisions: list[Division]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for d in divisions:
        counts[d.level] = counts.get(d.level, 0) + 1
    return counts


# ---------------------------------------------------------------- shipped data


def test_shipped_file_has_one_province_21_cities_124_counties_1757_towns():
    divisions = load_divisions()
    assert _levels(divisions) == {"province": 1, "city": 21, "county": 124, "town": 1757}
    assert len(divisions) == 1903
    assert all(d.code.startswith("44") for d in divisions)


def test_every_division_hangs_under_its_parent_by_code_prefix():
    divisions = load_divisions()
    by_code = {d.code: d for d in divisions}
    lengths = {"province": 2, "city": 4, "county": 6, "town": 9}
    for d in divisions:
        assert len(d.code) == lengths[d.level]
        if d.level == "province":
            assert d.parent_code is None
        else:
            assert d.parent_code in by_code
            assert d.code.startswith(d.parent_code)


def test_load_divisions_is_cached_but_returns_a_fresh_list():
    first, second = load_divisions(), load_divisions()
    assert first == second
    assert first is not second
    assert first[0] is second[0]


@needs_source
def test_shipped_file_matches_the_source_tables():
    def rows(name: str) -> list[dict[str, str]]:
        with (SOURCE_DIR / name).open(encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    cities = [r for r in rows("cities.csv") if r["provinceCode"] == "44"]
    areas = [r for r in rows("areas.csv") if r["provinceCode"] == "44"]
    streets = [r for r in rows("streets.csv") if r["provinceCode"] == "44"]
    assert len(cities) == 21
    assert len(streets) == 1757
    shipped = {d.code: d for d in load_divisions()}
    for row in cities:
        assert shipped[row["code"]].name == row["name"]
    for row in areas:
        assert (shipped[row["code"]].name, shipped[row["code"]].parent_code) == (row["name"], row["cityCode"])
    for row in streets:
        assert (shipped[row["code"]].name, shipped[row["code"]].parent_code) == (row["name"], row["areaCode"])
    assert len(shipped) == 1 + len(cities) + len(areas) + len(streets)


# ---------------------------------------------------------------- full names and 东莞/中山


def test_full_name_joins_the_ancestors(directory: DivisionDirectory):
    assert directory.get("440106").full_name == "广东省广州市天河区"
    assert directory.get("440106001").full_name == "广东省广州市天河区五山街道"


def test_dongguan_towns_hang_under_the_county_level_dongguan_row(directory: DivisionDirectory):
    town = directory.get("441900101")
    assert town.name == "石碣镇"
    assert town.parent_code == "441900"
    assert town.full_name == "广东省东莞市石碣镇"
    assert "东莞市东莞市" not in town.full_name
    county = directory.get("441900")
    assert (county.level, county.name, county.parent_code) == ("county", "东莞市", "4419")
    assert [d.code for d in directory.ancestors("441900101")] == ["44", "4419", "441900"]
    assert directory.city_of("441900101").code == "4419"
    assert [d.code for d in directory.children("4419")] == ["441900"]
    assert len(directory.children("441900")) > 30


def test_zhongshan_towns_also_hang_under_their_county_level_row(directory: DivisionDirectory):
    towns = directory.children("442000")
    assert towns and all(t.full_name.startswith("广东省中山市") for t in towns)
    assert not any("中山市中山市" in t.full_name for t in towns)


def test_hierarchy_helpers(directory: DivisionDirectory):
    assert directory.city_of("440106001").name == "广州市"
    assert directory.city_of("4401").code == "4401"
    assert directory.city_of("44") is None
    assert directory.city_of("999999") is None
    assert [d.name for d in directory.ancestors("440106001")] == ["广东省", "广州市", "天河区"]
    assert directory.ancestors("44") == []
    assert len(directory.children("44")) == 21
    assert directory.children("999999") == []
    assert all(d.code.startswith("4401") for d in directory.descendants("4401"))
    assert len(directory.by_level("city")) == 21
    assert directory.get("440106").code12 == "440106000000"


# ---------------------------------------------------------------- resolve


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("440106", "440106"),
        ("440106000000", "440106"),
        ("440106001", "440106001"),
        ("440106001000", "440106001"),
        (" 4401 06 ", "440106"),
        ("440100", "4401"),
        ("440100000000", "4401"),
        ("44", "44"),
        ("441900", "441900"),
    ],
)
def test_resolve_by_code(directory: DivisionDirectory, text: str, code: str):
    assert directory.resolve(text).code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("广东省广州市天河区", "440106"),
        ("广州市天河区", "440106"),
        ("东莞市石碣镇", "441900101"),
        ("广东省东莞市石碣镇", "441900101"),
        ("广东省广州市增城区新塘镇", "440118101"),
        ("增城区新塘镇", "440118101"),
        ("广州市新塘镇", "440118101"),
        ("天河区", "440106"),
        ("石碣镇", "441900101"),
        ("广州市", "4401"),
        ("东莞市", "4419"),
        ("广东省", "44"),
        ("广州天河", "440106"),
        ("中山", "4420"),
        ("廣州市天河區", "440106"),
    ],
)
def test_resolve_by_full_or_short_name(directory: DivisionDirectory, text: str, code: str):
    division, reason = directory.resolve_or_error(text)
    assert reason is None
    assert division.code == code


def test_ambiguous_short_name_is_not_guessed(directory: DivisionDirectory):
    division, reason = directory.resolve_or_error("新塘镇")
    assert division is None
    assert reason.startswith('"新塘镇" 有多个同名区划（')
    assert "广东省广州市增城区新塘镇" in reason
    assert "请填写完整名称或代码" in reason
    assert directory.resolve("新塘镇") is None


def test_same_name_twice_in_one_city_needs_the_county(directory: DivisionDirectory):
    division, reason = directory.resolve_or_error("茂名市新华农场")
    assert division is None and "有多个同名区划" in reason
    assert directory.resolve("电白区新华农场").code == "440904453"


def test_long_ambiguity_lists_are_summarised(directory: DivisionDirectory):
    _, reason = directory.resolve_or_error("太平镇")
    assert "等 7 处" in reason


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "区划为空"),
        ("   ", "区划为空"),
        ("12345", "位数不正确"),
        ("999999", '未找到区划代码 "999999"'),
        ("440106001001", "村（居）级代码"),
        ("火星市", '未找到区划 "火星市"'),
    ],
)
def test_unresolvable_input_is_explained(directory: DivisionDirectory, text: str, fragment: str):
    division, reason = directory.resolve_or_error(text)
    assert division is None
    assert fragment in reason


# ---------------------------------------------------------------- scope


def test_in_scope_uses_the_code_prefix():
    assert in_scope("440106001", "440106")
    assert in_scope("440106001", "4401")
    assert in_scope("440106001", "44")
    assert in_scope("440106", "440106")
    assert in_scope("441900101", "4419")
    assert in_scope("441900101", "441900")
    assert in_scope("440106001000", "440100000000")
    assert not in_scope("440106001", "440111")
    assert not in_scope("4401", "440106")
    assert not in_scope("440305", "4401")
    assert in_scope("440106001", None)
    assert not in_scope(None, "4401")
    assert not in_scope("abc", "4401")


def test_code_prefix_drops_zero_padding():
    assert code_prefix("440106000000") == "440106"
    assert code_prefix("440106001000") == "440106001"
    assert code_prefix("440100") == "4401"
    assert code_prefix("440000") == "44"
    assert code_prefix("441900") == "4419"


# ---------------------------------------------------------------- other data files and purity


def test_read_divisions_rejects_a_row_whose_parent_is_missing(tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "code,name,level,parent_code\n44,广东省,province,\n440106,天河区,county,4401\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="4401 不存在"):
        read_divisions(path)


def test_a_directory_can_be_built_from_another_file(tmp_path: Path):
    path = tmp_path / "mini.csv"
    path.write_text(
        "code,name,level,parent_code\n44,广东省,province,\n4401,广州市,city,44\n440106,天河区,county,4401\n",
        encoding="utf-8",
    )
    mini = DivisionDirectory(read_divisions(path))
    assert len(mini) == 3
    assert mini.resolve("天河区").full_name == "广东省广州市天河区"
    assert "440106" in mini


def test_shipped_data_file_lives_in_the_package():
    assert DATA_FILE.is_file()
    assert DATA_FILE.parent.parent == Path(__file__).resolve().parents[2] / "src" / "lianzhang" / "regions"


def test_divisions_import_without_django():
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    code = (
        "import sys, lianzhang.regions.divisions as d; d.default_directory().resolve('天河区'); "
        "assert 'django' not in sys.modules"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
