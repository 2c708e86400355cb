"""Framework files: the shipped ones load, and every kind of mistake is reported with its place."""

from __future__ import annotations

import pytest

from lianzhang.evaluation.engine import FrameworkError, framework_to_data, load_framework, loads_framework

GOOD = """
id: t
entity: district
pillars:
  - id: p
    indicators:
      - {id: a, direction: benefit, source: imported}
      - {id: b, direction: cost, source: computed, compute: parks}
"""


def test_shipped_district_framework_has_the_five_pillars_of_the_plan():
    fw = load_framework("district")
    assert [p.name for p in fw.pillars] == ["基础支撑", "创新能力", "融合应用", "产业运行", "环境保障"]
    assert {i.source for i in fw.indicators} == {"computed", "imported"}
    assert [lv.level for lv in fw.levels] == ["L5", "L4", "L3", "L2", "L1"]


def test_shipped_enterprise_framework_loads():
    fw = load_framework("enterprise")
    assert fw.entity == "enterprise" and fw.method.ranking == "topsis"


@pytest.mark.parametrize("name", ["district", "enterprise"])
def test_framework_survives_a_round_trip_through_plain_data(name):
    import yaml

    fw = load_framework(name)
    again = loads_framework(yaml.safe_dump(framework_to_data(fw), allow_unicode=True))
    assert again == fw


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("direction: benefit", "direction: up"), "指标 a 的 direction"),
        (("source: imported", "source: web"), "指标 a 的 source"),
        (("compute: parks", "unit: 个"), "指标 b 来源为 computed，须给出 compute"),
        (("id: b,", "id: a,"), "指标 id a"),
        (("entity: district", "entity: city"), "entity 应为"),
        (("{id: a,", "{id: A1,"), "小写字母开头"),
        (("direction: benefit,", "direction: benefit, missing: guess,"), "指标 a 的 missing"),
    ],
)
def test_mistakes_name_the_indicator_and_the_field(change, message):
    with pytest.raises(FrameworkError) as err:
        loads_framework(GOOD.replace(*change))
    assert message in str(err.value)


def test_non_reciprocal_ahp_matrix_is_rejected():
    text = GOOD.replace("    indicators:", "    ahp: [[1, 3], [2, 1]]\n    indicators:")
    with pytest.raises(FrameworkError, match="支柱 p 的 ahp 矩阵 第 1 行第 2 列与第 2 行第 1 列应互为倒数"):
        loads_framework(text)


def test_ahp_weighting_without_a_matrix_is_rejected():
    with pytest.raises(FrameworkError, match="顶层 ahp 矩阵"):
        loads_framework(GOOD + "method: {weighting: ahp}\n")


def test_maturity_rules_must_name_known_pillars_and_end_with_a_fallback():
    text = GOOD + (
        "maturity:\n  levels:\n    - {level: L2, when: ['pillar.nope >= 3']}\n"
        "    - {level: L1, when: ['score > 1']}\n"
    )
    with pytest.raises(FrameworkError) as err:
        loads_framework(text)
    assert "不存在的支柱 nope" in str(err.value) and "兜底" in str(err.value)


def test_yaml_syntax_error_gives_the_line():
    with pytest.raises(FrameworkError, match="第 3 行"):
        loads_framework("id: t\nentity: district\nname: a: b\n")


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FrameworkError, match="找不到框架文件"):
        load_framework(tmp_path / "none.yaml")


def test_shipped_keys_match_the_shipped_files():
    from lianzhang.evaluation.services import SHIPPED

    assert {name: load_framework(name).id for name in SHIPPED} == SHIPPED
