"""The matching engine: problems find capabilities, word-sharing traders rank low, reasons explain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lianzhang.scenarios.engine import (
    Index,
    KnowledgeError,
    Record,
    load_knowledge,
    rank_demands,
    rank_suppliers,
)
from lianzhang.scenarios.engine.evaluate import grade, mean_ndcg, ndcg
from lianzhang.scenarios.engine.knowledge import parse_knowledge

DATA = Path(__file__).parent / "data"

SUPPLIERS = [
    Record("vision", "自研深度学习外观缺陷检测系统，工业相机在线全检，识别划痕与脏污。", title="慧眼智检"),
    Record("phones", "手机销售、以旧换新，手机屏幕划痕修复与贴膜维修。", title="手机专卖店"),
    Record("phm", "设备健康管理平台，振动监测与故障预测，提前预警轴承损坏。", title="知机预维"),
    Record("shells", "手机外壳注塑加工与喷涂。", title="宏达注塑"),
]


def _read(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines()]


def test_engine_imports_without_django():
    code = (
        "import sys; from lianzhang.scenarios.engine import Record, rank_suppliers; "
        "rank_suppliers([Record('d', '设备经常停机')], [Record('s', '预测性维护平台')]); "
        "assert 'django' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_demand_written_as_a_problem_finds_the_capability_not_the_shared_words():
    demand = Record("d", "我们的手机外壳靠人工目检，划痕经常漏检，客户投诉多。", title="外壳检测")
    ranked = rank_suppliers([demand], SUPPLIERS, top=4)["d"]
    assert ranked[0].id == "vision"
    order = [m.id for m in ranked]
    assert order.index("phones") > order.index("vision")
    assert "机器视觉质检" in ranked[0].reason


def test_a_supplier_that_only_sells_and_repairs_is_marked_down():
    demand = Record("d", "手机划痕检测", title="")
    ranked = {m.id: m for m in rank_suppliers([demand], SUPPLIERS, top=4)["d"]}
    assert ranked["phones"].score < ranked["vision"].score
    assert "未见研发交付能力" in ranked["phones"].reason


def test_downtime_complaints_rank_predictive_maintenance_first():
    ranked = rank_suppliers([Record("d", "注塑机经常突然停机，坏了才修，备件压了很多钱。")], SUPPLIERS)["d"]
    assert ranked[0].id == "phm"


def test_demands_are_ranked_for_a_supplier_too():
    demands = [
        Record("a", "仓库盘点慢，账实不符", title="盘点"),
        Record("b", "产线设备突然停机", title="停机"),
    ]
    ranked = rank_demands([SUPPLIERS[2]], demands, top=2)["phm"]
    assert [m.id for m in ranked] == ["b", "a"]


def test_locality_and_track_record_break_ties_between_equal_offers():
    twins = [
        Record("far", "预测性维护平台。", title="甲"),
        Record("near", "预测性维护平台。", title="乙", place="东莞"),
    ]
    ranked = Index.build(twins).rank(Record("d", "东莞工厂设备停机多"), top=2)
    assert ranked[0].id == "near"
    assert "同在东莞" in ranked[0].reason


def test_given_nodes_count_as_chain_evidence():
    index = Index.build([Record("s", "一家公司", nodes=("vision",))])
    assert index.rank(Record("d", "机器视觉项目"))[0].nodes == ("vision",)


def test_an_empty_index_ranks_nothing():
    assert Index.build([]).rank(Record("d", "停机")) == []


def test_the_knowledge_file_names_only_chain_nodes_and_covers_many_domains():
    knowledge = load_knowledge()
    assert len(knowledge.capabilities) >= 40
    nodes = {n for cap in knowledge.capabilities for n in cap.nodes}
    assert {"manufacturing", "health", "city", "transport", "finance", "education", "vehicle"} <= nodes


def test_a_capability_with_an_unknown_node_is_refused_with_its_id():
    data = {"capabilities": [{"id": "x", "offers": ["视觉"], "nodes": ["nowhere"]}]}
    with pytest.raises(KnowledgeError, match="能力 x 的 nodes"):
        parse_knowledge(data, node_ids=["vision"])


def test_a_capability_without_offers_is_refused():
    with pytest.raises(KnowledgeError, match="offers 不能为空"):
        parse_knowledge({"capabilities": [{"id": "x", "problems": ["漏检"]}]})


def test_ndcg_is_one_for_the_ideal_order_and_lower_otherwise():
    grades = {"a": 3, "b": 1, "c": 0}
    assert ndcg(["a", "b", "c"], grades) == pytest.approx(1.0)
    assert ndcg(["c", "b", "a"], grades) < 0.6
    assert grade(["x", "y"], ["z"], ["y"]) == 2
    assert grade(["x"], ["z"], ["z"]) == 1


def test_engine_beats_the_bigram_baseline_on_every_part_of_the_development_set():
    pytest.importorskip("sklearn")
    from lianzhang.scenarios.engine.evaluate import bigram_tfidf_rankings

    demands_raw, suppliers_raw = _read("dev_scenarios.jsonl"), _read("dev_suppliers.jsonl")
    demands = [Record(d["id"], d["text"], title=d["title"]) for d in demands_raw]
    suppliers = [Record(s["id"], s["text"], title=s["name"]) for s in suppliers_raw]
    qrels = {
        d["id"]: {s["id"]: grade(d["needs"], d["related"], s["delivers"]) for s in suppliers_raw}
        for d in demands_raw
    }
    engine = {q: [m.id for m in ms] for q, ms in rank_suppliers(demands, suppliers).items()}
    baseline = bigram_tfidf_rankings(demands, suppliers)
    number = {q: int(q[1:]) for q in qrels}
    parts = {
        "tuning": ({q: g for q, g in qrels.items() if number[q] < 49 and number[q] % 2}, 0.85),
        "held-back": ({q: g for q, g in qrels.items() if number[q] < 49 and not number[q] % 2}, 0.85),
        "last round": ({q: g for q, g in qrels.items() if number[q] >= 81}, 0.75),
    }
    for name, (part, floor) in parts.items():
        ours, theirs = mean_ndcg(engine, part), mean_ndcg(baseline, part)
        assert ours >= floor, f"{name}: {ours:.3f}"
        assert ours > theirs + 0.2, f"{name}: {ours:.3f} vs baseline {theirs:.3f}"


def test_engine_beats_the_bigram_baseline_on_the_blind_set_in_the_pooled_supplier_list():
    # The blind set was written before the knowledge file was read and scored 0.861 (baseline 0.616) on
    # first contact; the floor leaves room for general knowledge edits, not for a regression.
    pytest.importorskip("sklearn")
    from lianzhang.scenarios.engine.evaluate import bigram_tfidf_rankings

    demands_raw = _read("blind_scenarios.jsonl")
    suppliers_raw = _read("dev_suppliers.jsonl") + _read("blind_suppliers.jsonl")
    demands = [Record(d["id"], d["text"], title=d["title"]) for d in demands_raw]
    suppliers = [Record(s["id"], s["text"], title=s["name"]) for s in suppliers_raw]
    qrels = {
        d["id"]: {s["id"]: grade(d["needs"], d["related"], s["delivers"]) for s in suppliers_raw}
        for d in demands_raw
    }
    engine = {q: [m.id for m in ms] for q, ms in rank_suppliers(demands, suppliers).items()}
    ours, theirs = mean_ndcg(engine, qrels), mean_ndcg(bigram_tfidf_rankings(demands, suppliers), qrels)
    assert ours >= 0.82, f"blind: {ours:.3f}"
    assert ours > theirs + 0.15, f"blind: {ours:.3f} vs baseline {theirs:.3f}"


def test_traditional_chinese_demands_are_read_like_simplified_ones():
    ranked = rank_suppliers([Record("d", "產線靠人工目檢，劃痕漏檢率高")], SUPPLIERS)["d"]
    assert ranked[0].id == "vision"


def test_a_demand_that_matches_nothing_says_so():
    ranked = rank_suppliers([Record("d", "今天天气不错")], SUPPLIERS[2:3])["d"]
    assert ranked[0].score == 0 and ranked[0].reason == "未见关联"


PROBLEMS = {
    "注塑件缩水飞边靠人工挑": "visual_inspection",
    "喷涂车间漆面流挂橘皮": "visual_inspection",
    "机加工刀具磨损": "predictive_maintenance",
    "产线节拍不平衡瓶颈工位": "production_scheduling",
    "快递网点分拣靠人工": "warehouse_robot",
    "财务报销审核慢": "document_ai",
    "病理切片阅片": "medical_imaging",
    "孤寡老人走失": "elderly_care",
    "沿街商铺出店经营": "city_governance",
    "港口集装箱堆场翻箱": "rail_port",
    "保险欺诈": "risk_control",
    "英语口语练习没人陪": "education_ai",
    "水稻病虫害识别": "smart_agriculture",
    "储能电站热失控": "power_grid",
    "售后热线高峰打不进": "customer_service_ai",
}


@pytest.mark.parametrize("text", PROBLEMS)
def test_a_problem_statement_is_read_as_the_capability_that_solves_it(text):
    from lianzhang.scenarios.engine import NEED, get_analyzer

    analyzer = get_analyzer()
    profile = analyzer.analyze(text, NEED)
    found = {analyzer.capabilities[i].id: s for i, s in profile.caps.items()}
    assert PROBLEMS[text] in found, found
    assert found[PROBLEMS[text]] == max(found.values())


def test_a_welding_shop_is_not_read_as_truck_loading():
    from lianzhang.scenarios.engine import NEED, get_analyzer

    analyzer = get_analyzer()
    profile = analyzer.analyze("汽车焊装车间焊点质量不稳定", NEED)
    assert "fleet_logistics" not in {analyzer.capabilities[i].id for i in profile.caps}
