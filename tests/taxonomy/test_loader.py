"""Chains as data: the shipped AI chain and the validating loader."""

from __future__ import annotations

import copy
import csv
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from lianzhang.taxonomy import (
    CANONICAL_AI_NODE_IDS,
    CHAINS_DIR,
    Chain,
    TaxonomyError,
    chain_files,
    get_chain,
    list_chains,
    load_chain,
)

REPO = Path(__file__).resolve().parents[2]
SPEC_CSV = REPO.parent / "shared" / "spec" / "ai-chain-nodes.csv"


# ---------------------------------------------------------------- the shipped AI chain


@pytest.fixture(scope="module")
def ai() -> Chain:
    return load_chain(CHAINS_DIR / "ai.yaml")


def test_shipped_ai_chain_loads_with_its_28_canonical_nodes(ai: Chain):
    assert ai.id == "ai"
    assert ai.name == "人工智能产业链"
    assert ai.version
    assert len(ai.nodes) == 28
    assert list(ai.nodes) == list(CANONICAL_AI_NODE_IDS)


def test_every_edge_of_the_shipped_chain_resolves(ai: Chain):
    edges = ai.edges()
    assert edges
    for source, target in edges:
        assert source in ai.nodes and target in ai.nodes


def test_shipped_chain_dimensions_are_named(ai: Chain):
    assert [c.id for c in ai.layers] == ["基础层", "技术层", "应用层"]
    assert {c.id for c in ai.segments} == {"芯", "器", "端"}
    assert {c.id: c.name for c in ai.tracks} == {
        "造": "智能制造/机器人",
        "车": "智能网联汽车",
        "健": "智慧健康",
        "城": "智慧城市",
    }
    assert all(c.description for c in (*ai.layers, *ai.segments, *ai.tracks))
    assert {code: cat.name for code, cat in ai.national_2018.items()} == {
        "1.5.1": "人工智能软件开发",
        "1.5.2": "智能消费相关设备制造",
        "1.5.3": "人工智能系统服务",
    }
    assert ai.national_name("1.5.2") == "智能消费相关设备制造"
    items_151 = {i.gb4754: i for i in ai.national_2018["1.5.1"].items}
    assert items_151["6513"].partial and "机器翻译软件" in items_151["6513"].content
    gb_152 = [i.gb4754 for i in ai.national_2018["1.5.2"].items]
    assert gb_152 == ["3961", "3962", "3963", "3964", "3969", "3990"]


def test_every_shipped_node_has_rich_keywords_and_look_alikes(ai: Chain):
    for node in ai.nodes.values():
        assert 10 <= len(node.keywords) <= 30, node.id
        assert node.exclude, node.id
        assert node.description, node.id
        assert not set(node.keywords) & set(node.exclude), node.id
    assert {"大模型", "大语言模型", "LLM", "预训练模型"} <= set(ai.node("models").keywords)
    assert {"计算机视觉", "机器视觉", "图像识别", "视频结构化", "目标检测"} <= set(ai.node("vision").keywords)
    assert {"伺服", "减速器", "运动控制器"} <= set(ai.node("motion").keywords)
    assert {"算力", "智算中心", "GPU服务器"} <= set(ai.node("compute").keywords)
    assert {"激光雷达", "MEMS", "毫米波雷达"} <= set(ai.node("sensor").keywords)
    assert "智能电网" in ai.node("city").exclude
    assert "智能电网" in ai.node("decision").exclude
    assert "机器人玩具零售" in ai.node("robot").exclude
    assert "保安服务" in ai.node("security").exclude
    assert {"手机零售", "手机维修"} <= set(ai.node("phone").exclude)


def test_chain_helpers_follow_the_edges(ai: Chain):
    assert [n.id for n in ai.upstream("robot")] == ["chip", "sensor", "motion", "vision", "decision"]
    assert [n.id for n in ai.downstream("motion")] == ["robot", "manufacturing"]
    assert [n.id for n in ai.nodes_in_layer("技术层")] == [
        "models",
        "vision",
        "speech",
        "nlp",
        "biometrics",
        "hci",
        "decision",
    ]
    assert ("security", "city") in ai.edges()
    assert ai.upstream("chip") == []
    with pytest.raises(KeyError):
        ai.node("nope")


@pytest.mark.skipif(
    not SPEC_CSV.exists(), reason=f"canonical spec {SPEC_CSV} is absent (shared folder not present)"
)
def test_shipped_chain_matches_the_canonical_csv(ai: Chain):
    with SPEC_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))

    def split(cell: str) -> list[str]:
        return [part for part in cell.split(";") if part]

    assert [r["id"] for r in rows] == list(ai.nodes)
    for row in rows:
        node = ai.node(row["id"])
        assert node.layer == row["layer"], node.id
        assert node.segment == (row["segment"] or None), node.id
        assert node.track == (row["track"] or None), node.id
        assert node.national_2018 == (row["national_2018"] or None), node.id
        assert list(node.gb4754) == split(row["gb4754_hint"]), node.id
        assert list(node.downstream) == split(row["downstream"]), node.id
    expected_edges = {(r["id"], d) for r in rows for d in split(r["downstream"])}
    assert set(ai.edges()) == expected_edges


def test_get_chain_returns_the_shipped_ai_chain_and_caches_it():
    first = get_chain()
    assert first.id == "ai"
    assert get_chain("ai") is first
    # Chains are usable as keys of downstream caches (e.g. compiled keyword matchers).
    assert {first: 1}[load_chain(CHAINS_DIR / "ai.yaml")] == 1
    assert "ai" in chain_files()
    assert [c.id for c in list_chains()] == sorted(chain_files())


def test_unknown_chain_is_reported():
    with pytest.raises(TaxonomyError, match='未找到产业链 "nosuch"'):
        get_chain("nosuch")


def test_taxonomy_imports_without_django():
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    code = "import lianzhang.taxonomy, sys; assert 'django' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- validation


def _valid() -> dict[str, Any]:
    """A small, valid chain: a → b → c, plus d → c."""

    def node(node_id: str, layer: str, downstream: list[str], **extra: Any) -> dict[str, Any]:
        return {
            "id": node_id,
            "name": f"节点{node_id}",
            "layer": layer,
            "segment": None,
            "track": None,
            "national_2018": None,
            "gb4754": ["6513"],
            "downstream": downstream,
            "description": "测试节点。",
            "keywords": [f"关键词{node_id}"],
            "exclude": [],
            **extra,
        }

    return {
        "id": "demo",
        "name": "示例产业链",
        "version": "1",
        "layers": [{"id": "上游", "name": "上游"}, {"id": "下游", "name": "下游"}],
        "segments": [{"id": "芯", "name": "芯片"}],
        "tracks": [{"id": "造", "name": "智能制造"}],
        "national_2018": [{"code": "1.5.1", "name": "人工智能软件开发"}],
        "nodes": [
            node("a", "上游", ["b"], segment="芯", national_2018="1.5.1"),
            node("b", "上游", ["c"]),
            node("c", "下游", [], track="造"),
            node("d", "下游", ["c"]),
        ],
    }


def _write(directory: Path, data: dict[str, Any] | str, name: str = "demo.yaml") -> Path:
    path = directory / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _problems(directory: Path, data: dict[str, Any] | str, name: str = "demo.yaml") -> list[str]:
    with pytest.raises(TaxonomyError) as info:
        load_chain(_write(directory, data, name))
    return info.value.problems


def _node(data: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in data["nodes"] if n["id"] == node_id)


def test_valid_chain_loads(tmp_path: Path):
    chain = load_chain(_write(tmp_path, _valid()))
    assert list(chain.nodes) == ["a", "b", "c", "d"]
    assert chain.node("a").segment == "芯"
    assert chain.node("a").national_2018 == "1.5.1"
    assert chain.node("b").segment is None
    assert chain.source == tmp_path / "demo.yaml"
    assert [n.id for n in chain.upstream("c")] == ["b", "d"]


def test_yaml_syntax_error_names_the_line(tmp_path: Path):
    text = "id: demo\nname: 示例\nnodes:\n  - id: a\n    name: [未闭合\n"
    problems = _problems(tmp_path, text)
    assert len(problems) == 1
    assert problems[0].startswith("demo.yaml: YAML 语法错误")
    assert "第 " in problems[0] and " 行" in problems[0]


def test_yaml_that_is_not_a_mapping_is_rejected(tmp_path: Path):
    problems = _problems(tmp_path, "- just\n- a list\n")
    assert "顶层应为映射" in problems[0]


def test_dangling_downstream_edge_names_node_field_and_target(tmp_path: Path):
    data = _valid()
    _node(data, "a")["downstream"] = ["visoin"]
    problems = _problems(tmp_path, data)
    assert 'demo.yaml: 节点 "a" 的 downstream 指向不存在的节点 "visoin"' in problems


def test_missing_required_fields_are_reported(tmp_path: Path):
    data = _valid()
    del data["version"]
    del _node(data, "b")["name"]
    del _node(data, "c")["layer"]
    data["nodes"].append({"name": "无编号"})
    problems = _problems(tmp_path, data)
    text = "\n".join(problems)
    assert "demo.yaml: 缺少必填字段 version" in problems
    assert '节点 "b" 的 name 缺失或为空' in text
    assert '节点 "c" 的 layer 缺失或为空' in text
    assert "第 5 个节点缺少必填字段 id" in text


def test_duplicate_node_ids_are_reported(tmp_path: Path):
    data = _valid()
    data["nodes"].append(copy.deepcopy(_node(data, "b")))
    problems = _problems(tmp_path, data)
    assert any('节点 id "b" 重复' in p for p in problems)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("layer", "中游", '节点 "a" 的 layer "中游" 不是已定义的层级'),
        ("segment", "端", '节点 "a" 的 segment "端" 不是已定义的环节'),
        ("track", "车", '节点 "a" 的 track "车" 不是已定义的赛道'),
        ("national_2018", "1.5.9", '节点 "a" 的 national_2018 "1.5.9" 不是已定义的国家分类代码'),
    ],
)
def test_unknown_dimension_values_are_reported(tmp_path: Path, field: str, value: str, expected: str):
    data = _valid()
    _node(data, "a")[field] = value
    problems = _problems(tmp_path, data)
    assert any(expected in p for p in problems), problems


def test_self_loop_is_reported(tmp_path: Path):
    data = _valid()
    _node(data, "c")["downstream"] = ["c"]
    problems = _problems(tmp_path, data)
    assert problems == ['demo.yaml: 节点 "c" 的 downstream 指向自身（自环）']


def test_cycle_is_reported_with_its_path(tmp_path: Path):
    data = _valid()
    _node(data, "c")["downstream"] = ["a"]
    problems = _problems(tmp_path, data)
    assert len(problems) == 1
    assert '节点 "a" 的 downstream 形成环路：a → b → c → a' in problems[0]


@pytest.mark.parametrize("bad", ["651", "65130", "abcd", 12.5, None])
def test_malformed_gb4754_codes_are_reported(tmp_path: Path, bad: Any):
    data = _valid()
    _node(data, "b")["gb4754"] = ["6513", bad]
    problems = _problems(tmp_path, data)
    assert any(
        p.startswith('demo.yaml: 节点 "b" 的 gb4754') and "不是4位国民经济行业代码" in p for p in problems
    )


def test_gb4754_that_is_not_a_list_is_reported(tmp_path: Path):
    data = _valid()
    _node(data, "b")["gb4754"] = "6513"
    problems = _problems(tmp_path, data)
    assert any('节点 "b" 的 gb4754 应为4位行业代码的列表' in p for p in problems)


def test_keywords_that_are_not_strings_are_reported(tmp_path: Path):
    data = _valid()
    _node(data, "a")["keywords"] = ["机器视觉", 42, {"x": 1}]
    _node(data, "b")["exclude"] = "单个字符串"
    problems = _problems(tmp_path, data)
    text = "\n".join(problems)
    assert '节点 "a" 的 keywords 第 2 项不是字符串' in text
    assert '节点 "a" 的 keywords 第 3 项不是字符串' in text
    assert '节点 "b" 的 exclude 应为列表' in text


def test_keyword_listed_as_its_own_exclusion_is_reported(tmp_path: Path):
    data = _valid()
    _node(data, "a")["exclude"] = ["关键词a"]
    problems = _problems(tmp_path, data)
    assert any('节点 "a" 的 exclude 与 keywords 含有相同的词 "关键词a"' in p for p in problems)


def test_unknown_node_field_is_reported(tmp_path: Path):
    data = _valid()
    _node(data, "a")["keyword"] = ["拼错的字段"]
    problems = _problems(tmp_path, data)
    assert any('节点 "a" 的 keyword 是未知字段' in p for p in problems)


def test_chain_id_must_match_the_file_name(tmp_path: Path):
    problems = _problems(tmp_path, _valid(), name="other.yaml")
    assert any('id "demo" 与文件名 "other" 不一致' in p for p in problems)


def test_all_problems_are_listed_in_one_error(tmp_path: Path):
    data = _valid()
    _node(data, "a")["downstream"] = ["nowhere"]
    _node(data, "b")["layer"] = "中游"
    _node(data, "c")["gb4754"] = ["12"]
    _node(data, "d")["keywords"] = [None]
    with pytest.raises(TaxonomyError) as info:
        load_chain(_write(tmp_path, data))
    assert len(info.value.problems) == 4
    message = str(info.value)
    assert message.startswith("产业链定义有 4 处问题")
    for node_id in "abcd":
        assert f'节点 "{node_id}"' in message


def test_ai_chain_must_keep_every_canonical_node(tmp_path: Path):
    data = _valid()
    data["id"] = "ai"
    problems = _problems(tmp_path, data, name="ai.yaml")
    missing = [p for p in problems if "缺少规范节点" in p]
    assert len(missing) == len(CANONICAL_AI_NODE_IDS)
    assert 'ai.yaml: nodes 缺少规范节点 "vision"' in " ".join(missing)


def test_shipped_ai_chain_with_a_node_removed_is_rejected(tmp_path: Path):
    data = yaml.safe_load((CHAINS_DIR / "ai.yaml").read_text(encoding="utf-8"))
    data["nodes"] = [n for n in data["nodes"] if n["id"] != "speech"]
    problems = _problems(tmp_path, data, name="ai.yaml")
    assert any('缺少规范节点 "speech"' in p for p in problems)
    # The nodes that pointed at speech now dangle; those are named too.
    assert any('节点 "compute" 的 downstream 指向不存在的节点 "speech"' in p for p in problems)


# ---------------------------------------------------------------- extra chain directories


def test_a_second_chain_in_an_extra_directory_loads(tmp_path: Path):
    data = _valid()
    data["id"] = "ic"
    data["name"] = "集成电路产业链"
    _write(tmp_path, data, name="ic.yaml")
    files = chain_files([tmp_path])
    assert files["ic"] == tmp_path / "ic.yaml"
    assert files["ai"] == CHAINS_DIR / "ai.yaml"
    chain = get_chain("ic", extra_dirs=[tmp_path])
    assert chain.name == "集成电路产业链"
    assert [c.id for c in list_chains([tmp_path])] == ["ai", "ic"]


def test_an_extra_directory_can_override_a_shipped_chain(tmp_path: Path):
    data = yaml.safe_load((CHAINS_DIR / "ai.yaml").read_text(encoding="utf-8"))
    data["nodes"].append(
        {"id": "agri", "name": "智慧农业", "layer": "应用层", "keywords": ["智慧农业"], "downstream": []}
    )
    data["nodes"][0]["downstream"].append("agri")
    _write(tmp_path, data, name="ai.yaml")
    chain = get_chain("ai", extra_dirs=[tmp_path])
    assert len(chain.nodes) == 29
    assert [n.id for n in chain.upstream("agri")] == ["chip"]


def test_edited_chain_file_is_read_again(tmp_path: Path):
    data = _valid()
    path = _write(tmp_path, data)
    assert get_chain("demo", [tmp_path]).name == "示例产业链"
    data["name"] = "改过的名称"
    _write(tmp_path, data)
    # Make sure the modification time moves even on coarse file systems.
    later = time.time() + 5
    os.utime(path, (later, later))
    assert get_chain("demo", [tmp_path]).name == "改过的名称"


def test_missing_extra_directory_is_reported(tmp_path: Path):
    with pytest.raises(TaxonomyError, match="产业链定义目录不存在"):
        chain_files([tmp_path / "absent"])


def test_broken_chain_in_extra_directory_surfaces_its_problems(tmp_path: Path):
    data = _valid()
    _node(data, "a")["downstream"] = ["ghost"]
    _write(tmp_path, data)
    with pytest.raises(TaxonomyError, match='节点 "a" 的 downstream 指向不存在的节点 "ghost"'):
        get_chain("demo", [tmp_path])
