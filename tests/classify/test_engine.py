"""The classification engine: decisions, evidence spans, look-alikes, Traditional text, accuracy floors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lianzhang.classify import Classification, Classifier, classify, get_classifier
from lianzhang.classify.evaluate import evaluate, load_labelled
from lianzhang.classify.lexicon import Lexicon
from lianzhang.classify.normalize import match_form, normalize, to_simplified
from lianzhang.classify.scope import split_items
from lianzhang.taxonomy import get_chain, parse_chain

DEV = Path(__file__).parent / "data" / "dev.jsonl"
BOILER = "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
NODE_IDS = set(get_chain("ai").nodes)


@pytest.fixture(scope="module")
def labelled() -> list[dict]:
    return load_labelled(DEV)


# ---------------------------------------------------------------- the development set itself


def test_dev_set_is_large_labelled_and_covers_every_node(labelled):
    assert len(labelled) >= 300
    assert len({r["id"] for r in labelled}) == len(labelled)
    for record in labelled:
        assert set(record) >= {"id", "name", "text", "is_ai_chain", "node", "national_2018", "split"}
        assert record["national_2018"] in {"1.5.1", "1.5.2", "1.5.3", "none"}
        assert (record["node"] is None) == (not record["is_ai_chain"])
        assert record["node"] is None or record["node"] in NODE_IDS
    counts = {node: sum(r["node"] == node for r in labelled) for node in NODE_IDS}
    assert min(counts.values()) >= 6, counts
    holdout = sum(r["split"] == "holdout" for r in labelled)
    assert 0.2 <= holdout / len(labelled) <= 0.4


# ---------------------------------------------------------------- accuracy floors


@pytest.mark.parametrize("split", ["dev", "holdout"])
def test_accuracy_on_the_labelled_set_clears_the_issue_thresholds(labelled, split):
    report = evaluate([r for r in labelled if r["split"] == split])
    assert report.chain_f1 >= 0.9, report.summary()
    assert report.top1_accuracy >= 0.8, report.summary()
    assert report.national_accuracy >= 0.85, report.summary()


def test_official_2018_phrases_are_told_apart_from_neighbouring_categories(labelled):
    phrases = [r for r in labelled if r["name"] is None]
    assert len(phrases) >= 35
    report = evaluate(phrases)
    assert report.is15_precision >= 0.9 and report.is15_recall >= 0.9, report.summary()


# ---------------------------------------------------------------- specific behaviours


@pytest.mark.parametrize(
    "text",
    [
        "一般项目：手机零售；手机维修；手机配件销售；通讯设备销售" + BOILER,
        "一般项目：机器人玩具零售；玩具销售；文具用品零售" + BOILER,
        "许可项目：保安服务；保安培训；押运服务。一般项目：物业管理；停车场服务",
        "一般项目：智能电网设备制造；输配电及控制设备制造；电力工程施工" + BOILER,
        "一般项目：建筑智能化工程施工；弱电工程；消防设施工程" + BOILER,
        "一般项目：ERP软件销售；财务软件、进销存软件的开发与销售；代理记账" + BOILER,
        "一般项目：智能卡制造；IC卡销售；印刷服务" + BOILER,
        "一般项目：软件开发；信息系统集成服务；计算机系统服务；网络技术服务" + BOILER,
        "一般项目：人工智能培训；职业技能培训；计算机培训" + BOILER,
    ],
)
def test_look_alikes_are_not_on_the_chain(text):
    result = classify(text)
    assert not result.is_ai_chain
    assert result.nodes == ()
    assert result.national_2018 == "none"


def test_exclusions_show_up_as_counter_evidence():
    text = "一般项目：机器人玩具零售；玩具销售"
    result = classify(text)
    assert [e.text for e in result.excluded] == ["机器人玩具零售"]
    assert text[result.excluded[0].start : result.excluded[0].end] == "机器人玩具零售"


def test_a_buried_item_in_a_trading_company_does_not_make_it_ai():
    trade = "；".join(
        (
            "日用百货销售",
            "五金产品批发",
            "建筑材料销售",
            "服装服饰批发",
            "家用电器销售",
            "办公用品销售",
            "体育用品及器材批发",
            "电子产品销售",
            "计算机软硬件及辅助设备零售",
            "人工智能应用软件开发",
            "汽车零配件批发",
            "国内贸易代理",
        )
    )
    assert not classify("一般项目：" + trade + BOILER, name="广州市华盛贸易有限公司").is_ai_chain


def test_the_same_item_first_in_a_short_scope_makes_it_ai():
    result = classify("一般项目：人工智能应用软件开发；软件开发；信息技术咨询服务" + BOILER)
    assert result.is_ai_chain
    assert result.national_2018 == "1.5.1"


def test_the_name_adds_weight_but_never_decides_alone():
    plain = "一般项目：软件开发；企业管理咨询；会议及展览服务"
    assert not classify(plain, name="广州人工智能科技有限公司").is_ai_chain
    weak = "一般项目：电子产品销售；五金产品批发；机械设备销售；智能无人飞行器销售；仪器仪表销售"
    assert not classify(weak, name="广州市五金贸易有限公司").is_ai_chain
    assert classify(weak, name="东莞市翼翔无人机科技有限公司").is_ai_chain


def test_selling_counts_less_than_making():
    made = classify("一般项目：服务消费机器人制造；家用电器销售")
    sold = classify("一般项目：服务消费机器人销售；家用电器销售；日用百货销售；五金产品零售；办公用品销售")
    assert made.is_ai_chain and made.primary == "robot" and made.national_2018 == "1.5.2"
    assert sold.ai_score < made.ai_score


@pytest.mark.parametrize(
    ("text", "node"),
    [
        ("AIoT模组研发与生产", "odm"),
        ("CV算法平台开发", "vision"),
        ("NLP平台开发", "nlp"),
        ("激光SLAM导航算法研发", "decision"),
        ("ADAS系统研发", "vehicle"),
        ("机器视觉检测系统研发", "vision"),
        ("行业大模型训练服务", "models"),
        ("智能算力租赁服务", "compute"),
        ("激光雷达研发与制造", "sensor"),
        ("伺服驱动器、精密减速器制造", "motion"),
    ],
)
def test_abbreviations_and_synonyms_find_their_node(text, node):
    result = classify("一般项目：" + text + "；技术服务" + BOILER)
    assert result.is_ai_chain
    assert result.primary == node


def test_latin_abbreviations_match_whole_words_only():
    # EMS is an ODM keyword and must not fire inside MEMS; AI must not fire inside MAIL.
    result = classify("MEMS传感器研发与制造")
    assert result.primary == "sensor"
    assert "odm" not in result.evidence
    assert not classify("EMAIL营销服务；MAIL系统代理销售").is_ai_chain


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("智能无人飞行器制造", "1.5.2"),
        ("智能无人系统", "1.5.3"),
        ("工业机器人制造", "none"),
        ("服务消费机器人制造", "1.5.2"),
        ("智能车载设备制造", "1.5.2"),
        ("智能汽车系统", "1.5.3"),
        ("计算机视听觉软件", "1.5.1"),
        ("智能手机制造", "none"),
        ("人工智能芯片设计", "none"),
    ],
)
def test_national_code_follows_the_official_2018_section(phrase, code):
    result = classify(phrase)
    assert result.is_ai_chain
    assert result.national_2018 == code


# ---------------------------------------------------------------- evidence and spans


def test_every_node_has_evidence_whose_span_points_at_the_original_text():
    text = "一般项目：人工智能理论与算法软件开发；计算机视觉算法研发；智能语音识别软件开发；软件开发" + BOILER
    name = "广州视语智能科技有限公司"
    result = classify(text, name=name)
    assert result.is_ai_chain
    assert result.nodes
    for node in result.nodes:
        assert node.evidence, node.node
        for ev in node.evidence:
            source = text if ev.source == "scope" else name
            assert source[ev.start : ev.end] == ev.text
            assert match_form(ev.text) == ev.term


def test_traditional_text_gives_the_same_result_with_spans_in_the_original():
    simplified = "一般项目：人工智能芯片研发；集成电路设计；机器视觉系统研发；技术服务、技术开发" + BOILER
    traditional = (
        "一般項目：人工智能晶片研發；集成電路設計；機器視覺系統研發；技術服務、技術開發"
        "（除依法須經批准的項目外，憑營業執照依法自主開展經營活動）"
    )
    a, b = classify(simplified), classify(traditional)
    assert a.is_ai_chain and b.is_ai_chain
    assert a.primary == b.primary
    assert a.national_2018 == b.national_2018
    for node in b.nodes:
        for ev in node.evidence:
            assert traditional[ev.start : ev.end] == ev.text
    assert "機器視覺" in [ev.text for ev in b.evidence["vision"]]


def test_normalisation_keeps_length_for_every_cjk_character():
    chars = "".join(chr(c) for c in range(0x4E00, 0x9FFF + 1))
    assert len(to_simplified(chars)) == len(chars)
    assert normalize("ＡＩ軟件ai") == "AI软件AI"
    assert len(normalize("straße")) == len("straße")  # str.upper would turn ß into SS


def test_boilerplate_and_headers_are_not_items():
    items = split_items(
        normalize("一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发" + BOILER)
    )
    assert items == ["软件开发"]


def test_to_dict_is_plain_json():
    result = classify("一般项目：智能安防系统集成；视频监控系统开发", name="广州慧安智能安防有限公司")
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["is_ai_chain"] is True
    assert data["nodes"][0] == "security"
    assert data["national_2018"] == "1.5.3"
    assert 0.0 <= data["confidence"] <= 1.0
    assert data["evidence"]["security"]


def test_empty_text_is_not_on_the_chain():
    result = classify("")
    assert isinstance(result, Classification)
    assert not result.is_ai_chain and result.confidence == 1.0


# ---------------------------------------------------------------- chains are data


def test_a_city_can_extend_a_chain_without_code():
    data = {
        "id": "ic",
        "name": "集成电路产业链",
        "version": "1",
        "layers": [{"id": "up", "name": "上游"}],
        "keywords": [],
        "exclude": [],
        "nodes": [
            {"id": "design", "name": "芯片设计", "layer": "up", "keywords": ["集成电路设计", "芯片设计"]},
            {
                "id": "package",
                "name": "封装测试",
                "layer": "up",
                "keywords": ["封装测试"],
                "exclude": ["测试服务"],
            },
        ],
    }
    chain = parse_chain(data, "ic.yaml")
    classifier = Classifier(chain, Lexicon())
    result = classifier.classify("一般项目：集成电路设计；集成电路芯片及产品销售")
    assert result.is_ai_chain and result.primary == "design"
    assert not classifier.classify("一般项目：软件测试服务").is_ai_chain


def test_the_classifier_is_compiled_once():
    assert get_classifier() is get_classifier()


def test_engine_imports_without_django():
    code = "import sys, lianzhang.classify as c; c.classify('机器视觉'); assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
