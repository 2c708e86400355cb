"""Tests of the synthetic demo registry generator."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest

from lianzhang.codes import credit_code_error
from lianzhang.demo import DemoData, NodeSpec, PlaceSpec, generate
from lianzhang.enterprises.records import KNOWN_TAGS, PROJECT_STATUSES, PROJECT_TYPES

AS_OF = date(2025, 12, 31)

NODES = [
    NodeSpec("chip", "AI芯片与智能计算芯片", "基础层", ("AI芯片", "神经网络处理器")),
    NodeSpec("sensor", "智能传感器与感知器件", "基础层", ("智能传感器", "激光雷达")),
    NodeSpec("motion", "运动控制核心器件", "基础层", ("伺服驱动", "运动控制")),
    NodeSpec("display", "新型显示与三维视觉器件", "基础层", ("微显示", "三维视觉")),
    NodeSpec("odm", "智能硬件设计制造(ODM/EMS)", "基础层", ("智能硬件",)),
    NodeSpec("compute", "智能算力与云服务", "基础层", ("智能算力", "云计算")),
    NodeSpec("data", "数据资源与标注服务", "基础层", ("数据标注",)),
    NodeSpec("basesoft", "AI基础软件与框架", "基础层", ("深度学习框架",)),
    NodeSpec("models", "大模型与算法开放平台", "技术层", ("大模型", "生成式人工智能")),
    NodeSpec("vision", "计算机视觉", "技术层", ("计算机视觉", "机器视觉", "图像识别")),
    NodeSpec("speech", "智能语音", "技术层", ("语音识别", "语音合成")),
    NodeSpec("nlp", "自然语言处理与知识图谱", "技术层", ("自然语言处理", "知识图谱")),
    NodeSpec("biometrics", "生物特征识别", "技术层", ("人脸识别", "生物特征识别")),
    NodeSpec("hci", "新型人机交互与虚拟现实", "技术层", ("人机交互", "虚拟现实")),
    NodeSpec("decision", "智能决策控制与自主导航", "技术层", ("自主导航", "智能决策")),
    NodeSpec("robot", "智能机器人", "应用层", ("工业机器人", "服务机器人")),
    NodeSpec("phone", "智能手机与智能终端", "应用层", ("智能手机",)),
    NodeSpec("wearable", "可穿戴与智能消费设备", "应用层", ("可穿戴",)),
    NodeSpec("drone", "智能无人飞行器与无人系统", "应用层", ("无人机",)),
    NodeSpec("vehicle", "智能网联汽车与自动驾驶", "应用层", ("自动驾驶", "智能网联汽车")),
    NodeSpec("manufacturing", "智能制造与工业智能", "应用层", ("智能制造", "工业互联网")),
    NodeSpec("home", "智能家居", "应用层", ("智能家居",)),
    NodeSpec("security", "智能安防", "应用层", ("智能安防",)),
    NodeSpec("health", "智慧医疗健康", "应用层", ("智慧医疗", "辅助诊断")),
    NodeSpec("transport", "智慧交通与智能物流", "应用层", ("智慧交通", "智能物流")),
    NodeSpec("city", "城市治理与智慧政务", "应用层", ("智慧城市", "智慧政务")),
    NodeSpec("education", "智慧教育", "应用层", ("智慧教育",)),
    NodeSpec("finance", "智慧金融与商务", "应用层", ("智能风控",)),
]
NODE_IDS = {node.id for node in NODES}

PLACES = [
    PlaceSpec("440106001", "天河区五山街道", "广州市"),
    PlaceSpec("440106012", "天河区天园街道", "广州市"),
    PlaceSpec("440112012", "黄埔区萝岗街道", "广州市"),
    PlaceSpec("440115001", "南沙区南沙街道", "广州市"),
    PlaceSpec("440113011", "番禺区小谷围街道", "广州市"),
    PlaceSpec("441900401", "松山湖", "东莞市"),
    PlaceSpec("441900119", "长安镇", "东莞市"),
    PlaceSpec("441900111", "寮步镇", "东莞市"),
    PlaceSpec("441900101", "石碣镇", "东莞市"),
    PlaceSpec("442000001", "石岐街道", "中山市"),
    PlaceSpec("442000105", "古镇镇", "中山市"),
    PlaceSpec("442000118", "小榄镇", "中山市"),
]
CITY_OF = {place.code: place.city for place in PLACES}

# Well-known real firms (and names that appear in the policy documents) a demo must never use.
REAL_NAMES = (
    "腾讯",
    "华为",
    "科大讯飞",
    "讯飞",
    "大疆",
    "云从",
    "小鹏",
    "广汽",
    "比亚迪",
    "中兴",
    "小米",
    "OPPO",
    "VIVO",
    "vivo",
    "步步高",
    "拓斯达",
    "李群",
    "固高",
    "长盈",
    "华贝",
    "劲胜",
    "思派康",
    "商汤",
    "旷视",
    "百度",
    "阿里",
    "小马智行",
    "文远知行",
    "极飞",
    "佳都",
    "视源",
    "广电运通",
    "海格",
    "美的",
    "格力",
    "格兰仕",
    "欧普",
    "华帝",
    "明阳",
    "木林森",
    "大洋电机",
    "亿航",
    "粤芯",
    "同盾",
    "零氪",
    "异构智能",
    "合泰",
    "合微",
    "赛微微",
    "今日头条",
    "字节跳动",
    "平安",
    "海康",
    "大华",
    "宇视",
    "优必选",
    "依图",
    "寒武纪",
    "地平线",
    "云天励飞",
    "元戎启行",
    "京东",
    "美团",
    "顺丰",
    "荣耀",
    "创维",
    "康佳",
    "TCL",
    "海信",
    "长虹",
    "网易",
    "唯品会",
    "欢聚",
)


def _ai(data: DemoData) -> list:
    return [e for e in data.enterprises if e.nodes]


@pytest.fixture(scope="module")
def data() -> DemoData:
    return generate(NODES, PLACES, as_of=AS_OF)


def test_same_inputs_and_seed_give_identical_output(data: DemoData) -> None:
    assert generate(NODES, PLACES, as_of=AS_OF) == data


def test_different_seed_gives_different_output(data: DemoData) -> None:
    other = generate(NODES, PLACES, seed=7, as_of=AS_OF)
    assert [e.record.name for e in other.enterprises] != [e.record.name for e in data.enterprises]


def test_generates_the_requested_number_of_enterprises(data: DemoData) -> None:
    assert len(data.enterprises) == 3000
    assert len(generate(NODES, PLACES, n_enterprises=120).enterprises) == 120


def test_credit_codes_are_valid_unique_and_carry_the_county_of_the_place(data: DemoData) -> None:
    codes = [e.record.credit_code for e in data.enterprises]
    assert len(set(codes)) == len(codes)
    for e in data.enterprises:
        code = e.record.credit_code
        assert credit_code_error(code) is None, code
        assert code[:2] == "91"
        assert e.record.division_code in CITY_OF
        assert code[2:8] == e.record.division_code[:6]


def test_every_chain_node_has_at_least_twenty_firms(data: DemoData) -> None:
    counts = Counter(a.node_id for e in data.enterprises for a in e.nodes)
    assert set(counts) == NODE_IDS
    assert min(counts.values()) >= 20


def test_about_a_quarter_of_firms_are_not_ai(data: DemoData) -> None:
    share = sum(1 for e in data.enterprises if not e.nodes) / len(data.enterprises)
    assert 0.25 <= share <= 0.30


def test_firms_spread_over_cities_roughly_55_30_15(data: DemoData) -> None:
    counts = Counter(CITY_OF[e.record.division_code] for e in data.enterprises)
    n = len(data.enterprises)
    assert abs(counts["广州市"] / n - 0.55) < 0.03
    assert abs(counts["东莞市"] / n - 0.30) < 0.03
    assert abs(counts["中山市"] / n - 0.15) < 0.03


def test_chain_is_strong_in_the_middle_and_weak_at_the_chip_end(data: DemoData) -> None:
    primary = Counter(e.nodes[0].node_id for e in _ai(data))
    layers = {node.id: node.layer for node in NODES}

    def mean(layer: str) -> float:
        ids = [nid for nid in NODE_IDS if layers[nid] == layer]
        return sum(primary[nid] for nid in ids) / len(ids)

    assert primary["chip"] < mean("技术层") < mean("应用层")
    assert primary["chip"] == min(primary.values())


def test_cities_have_their_own_flavour(data: DemoData) -> None:
    def share(city: str, ids: set[str]) -> float:
        firms = [e for e in _ai(data) if CITY_OF[e.record.division_code] == city]
        return sum(1 for e in firms if e.nodes[0].node_id in ids) / len(firms)

    hardware = {"odm", "phone", "robot", "motion"}
    software = {"models", "nlp", "basesoft", "vision", "city", "health", "vehicle"}
    assert share("东莞市", hardware) > 1.5 * share("广州市", hardware)
    assert share("广州市", software) > 1.5 * share("东莞市", software)
    assert share("中山市", {"home"}) > 2 * share("广州市", {"home"})


def test_names_are_invented_marked_and_unique(data: DemoData) -> None:
    names = [e.record.name for e in data.enterprises]
    assert len(set(names)) == len(names)
    for name in names:
        assert name.endswith("有限公司（演示）"), name
    for park in data.parks:
        assert park.name.endswith("（演示）")


def test_no_real_company_name_is_used(data: DemoData) -> None:
    texts = [e.record.name for e in data.enterprises] + [e.record.short_name for e in data.enterprises]
    texts += [p.name for p in data.parks]
    for text in texts:
        for real in REAL_NAMES:
            assert real not in text, (real, text)


def test_addresses_lie_in_the_place_of_registration(data: DemoData) -> None:
    names = {place.code: place.name for place in PLACES}
    for e in data.enterprises:
        assert names[e.record.division_code] in e.record.address
        assert e.record.address.startswith(CITY_OF[e.record.division_code])


def test_money_is_integer_fen_and_ai_revenue_never_exceeds_revenue(data: DemoData) -> None:
    with_figures = 0
    for e in data.enterprises:
        assert isinstance(e.record.registered_capital_fen, int)
        assert e.record.registered_capital_fen > 0
        if e.record.figures:
            with_figures += 1
        for fig in e.record.figures:
            assert AS_OF.year - 2 <= fig.year <= AS_OF.year
            assert fig.year >= e.record.founded_on.year
            for value in (fig.revenue_fen, fig.rd_spend_fen, fig.ai_revenue_fen):
                assert isinstance(value, int) and value >= 0
            assert fig.ai_revenue_fen <= fig.revenue_fen
            assert fig.rd_spend_fen <= fig.revenue_fen
            assert isinstance(fig.employees, int) and fig.employees >= 1
            if not e.nodes:
                assert fig.ai_revenue_fen == 0
        patents = [fig.patents for fig in e.record.figures]
        assert patents == sorted(patents)
    assert 0.85 <= with_figures / len(data.enterprises) <= 0.95


def test_ai_firms_spend_more_on_rnd_than_ordinary_firms(data: DemoData) -> None:
    def intensity(firms: list) -> float:
        figs = [f for e in firms for f in e.record.figures if f.year == AS_OF.year]
        return sum(f.rd_spend_fen for f in figs) / sum(f.revenue_fen for f in figs)

    ordinary = [e for e in data.enterprises if not e.nodes]
    assert intensity(_ai(data)) > 3 * intensity(ordinary)


def test_founding_dates_fall_between_1995_and_2024(data: DemoData) -> None:
    for e in data.enterprises:
        assert date(1995, 1, 1) <= e.record.founded_on <= date(2024, 12, 31)


def test_ai_firms_have_one_to_three_nodes_with_a_more_confident_primary(data: DemoData) -> None:
    sizes = Counter(len(e.nodes) for e in _ai(data))
    assert set(sizes) == {1, 2, 3}
    for e in _ai(data):
        ids = [a.node_id for a in e.nodes]
        assert len(set(ids)) == len(ids) and set(ids) <= NODE_IDS
        primary, *others = e.nodes
        for other in others:
            assert other.confidence < primary.confidence
        for assignment in e.nodes:
            assert 0 < assignment.confidence < 1


def test_evidence_terms_come_from_scope_or_products(data: DemoData) -> None:
    for e in _ai(data):
        for assignment in e.nodes:
            assert assignment.evidence, (e.record.name, assignment.node_id)
            for term in assignment.evidence:
                assert term in e.record.business_scope or term in e.record.products


def test_business_scope_reads_like_a_licence(data: DemoData) -> None:
    buried = 0
    for e in data.enterprises:
        scope = e.record.business_scope
        assert scope.startswith("一般项目：")
        assert "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）" in scope
        if "许可项目：" in scope:
            assert scope.index("许可项目：") > scope.index("一般项目：")
        products = e.record.products.split("、")
        assert 1 <= len(products) <= 4
        if not e.nodes:
            assert "人工智能" not in scope
        elif len(scope.split("；")) >= 10 and len(e.nodes[0].evidence) == 1:
            buried += 1
    assert buried > 50  # some AI items hide among a dozen ordinary ones
    assert any("许可项目：" in e.record.business_scope for e in data.enterprises)


def test_tags_are_known_and_as_rare_as_in_reality(data: DemoData) -> None:
    ai = _ai(data)
    counts = Counter(tag for e in ai for tag in e.record.tags)
    for e in data.enterprises:
        assert set(e.record.tags) <= set(KNOWN_TAGS)
    assert 0.30 <= counts["高新技术企业"] / len(ai) <= 0.40
    assert 0.07 <= counts["专精特新"] / len(ai) <= 0.13
    assert 0.01 <= counts["小巨人"] / len(ai) <= 0.03
    assert 0.01 <= counts["上市"] / len(ai) <= 0.03
    assert 0.02 <= counts["瞪羚"] / len(ai) <= 0.04
    assert 1 <= counts["独角兽"] <= 6
    assert 6 <= counts["链主"] <= 10
    for e in ai:
        if "小巨人" in e.record.tags:
            assert "专精特新" in e.record.tags
        if "上市" in e.record.tags:
            assert e.record.name.endswith("股份有限公司（演示）")
    leaders = Counter(e.nodes[0].node_id for e in ai if "链主" in e.record.tags)
    assert max(leaders.values()) == 1


def test_parks_are_invented_spread_and_host_about_forty_percent_of_ai_firms(
    data: DemoData,
) -> None:
    assert 10 <= len(data.parks) <= 15
    assert {CITY_OF[p.division_code] for p in data.parks} == {"广州市", "东莞市", "中山市"}
    by_name = {p.name: p for p in data.parks}
    assert len(by_name) == len(data.parks)
    for park in data.parks:
        assert park.nodes and set(park.nodes) <= NODE_IDS
        assert park.description
    for e in data.enterprises:
        if e.record.park:
            assert by_name[e.record.park].division_code == e.record.division_code
    ai = _ai(data)
    share = sum(1 for e in ai if e.record.park) / len(ai)
    assert 0.35 <= share <= 0.45


def test_projects_follow_the_workflow(data: DemoData) -> None:
    codes = [code for code, _ in PROJECT_STATUSES]
    open_path = [code for code in codes if code != "terminated"]
    types = {code for code, _ in PROJECT_TYPES}
    projects = [(e, p) for e in data.enterprises for p in e.projects]
    assert 500 <= len(projects) <= 700
    assert {p.status for _, p in projects} == set(codes)
    assert {p.type for _, p in projects} == types
    for e, p in projects:
        assert e.nodes, "only AI firms apply"
        assert isinstance(p.budget_fen, int)
        assert 500_000 * 100 <= p.budget_fen <= 50_000_000 * 100
        states = [state for state, _ in p.history]
        dates = [day for _, day in p.history]
        assert p.status == states[-1]
        if states[-1] == "terminated":
            assert states[:-1] == open_path[: len(states) - 1] and len(states) >= 2
        else:
            assert states == open_path[: len(states)]
        assert all(a < b for a, b in pairwise(dates))
        assert e.record.founded_on < dates[0] and dates[-1] <= AS_OF
        assert p.name and p.description


def test_small_runs_work_with_one_city_and_an_unknown_node() -> None:
    nodes = [*NODES[:3], NodeSpec("quantum", "量子智能计算", "基础层", ("量子计算",))]
    places = [PlaceSpec("441900401", "松山湖", "东莞市")]
    data = generate(nodes, places, n_enterprises=100, seed=1)
    assert len(data.enterprises) == 100
    assert all(e.record.division_code == "441900401" for e in data.enterprises)
    quantum = [e for e in data.enterprises if e.nodes and e.nodes[0].node_id == "quantum"]
    assert quantum and "量子计算" in quantum[0].record.business_scope
    assert generate(nodes, places, n_enterprises=0).enterprises == []


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        generate(NODES, [PlaceSpec("4401", "天河区", "广州市")])
    with pytest.raises(ValueError):
        generate([], PLACES)
    with pytest.raises(ValueError):
        generate(NODES, [])


def test_three_thousand_firms_take_well_under_two_seconds() -> None:
    start = time.perf_counter()
    generate(NODES, PLACES, n_enterprises=3000, seed=11)
    assert time.perf_counter() - start < 2.0


def test_generator_imports_without_django() -> None:
    src = Path(__file__).resolve().parents[2] / "src"
    code = (
        "import sys, lianzhang.demo, lianzhang.demo.generator;"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django'"
    )
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
