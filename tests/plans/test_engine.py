"""The plan parser: numerals, comparators, department styles, structure, and scores against annotations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lianzhang.plans.departments import default_directory, parse_annotation, resolve_all, split_names
from lianzhang.plans.engine import parse_document, parse_file, parse_text
from lianzhang.plans.numbers import make_quantity, parse_chinese_integer, parse_number
from lianzhang.plans.reader import Paragraph, Table, read_document, text_blocks
from lianzhang.plans.scoring import score
from lianzhang.plans.structure import build_tree
from lianzhang.plans.targets import find_quantities

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
SHARED = REPO.parent / "shared"
GOLD = SHARED / "gold"
DOCS = SHARED / "policy-docs"
GOLD_STEMS = ["001_cdc2e9bdfb7cc299", "002_dea60f79b1aa96ac"]
OWN_DOCUMENTS = [
    "district_task_table.docx",
    "city_plan_wrapped.pdf",
    "traditional_labelled.txt",
    "circled_boxes.txt",
]

needs_shared = pytest.mark.skipif(
    not GOLD.is_dir() or not DOCS.is_dir(),
    reason="../shared/gold and ../shared/policy-docs are not present (they are not part of the repository)",
)


# --- numerals and comparators ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十", 10),
        ("十五", 15),
        ("一百零五", 105),
        ("一千二百", 1200),
        ("两万", 20000),
        ("三百万", 3_000_000),
        ("一亿五千万", 150_000_000),
        ("二〇二五", 2025),
    ],
)
def test_chinese_numerals_become_integers(text, value):
    assert parse_chinese_integer(text) == value


def test_magnitudes_multiply():
    assert parse_number("1.5万") == 15000
    assert parse_number("100亿") == 10_000_000_000


def test_money_keeps_its_magnitude_and_counts_become_plain_numbers():
    money = make_quantity("100", "亿", "元")
    assert (money.value, money.unit, money.base_value, money.base_unit) == (100, "亿元", 10_000_000_000, "元")
    assert make_quantity("五千", "万", "元").unit == "万元"
    assert make_quantity("五千", "万", "元").value == 5000
    count = make_quantity("1.2", "万", "家")
    assert (count.value, count.unit) == (12000, "家")
    assert make_quantity("30", "", "%").unit == "%"


@pytest.mark.parametrize(
    ("clause", "value", "unit", "comparator"),
    [
        ("带动相关产业规模超过100亿元", 100, "亿元", ">"),
        ("培育3个或以上人工智能示范项目", 3, "个", ">="),
        ("集聚人工智能企业200家以上", 200, "家", ">="),
        ("服务本地不少于30家企业", 30, "家", ">="),
        ("核心产业规模不低于50亿元", 50, "亿元", ">="),
        ("培育1000家左右人工智能企业", 1000, "家", "~"),
        ("每年支持不超过10家企业", 10, "家", "<="),
        ("给予最高200万元奖励", 200, "万元", "<="),
        ("建设10个人工智能产业园", 10, "个", "="),
        ("已聚集智能装备企业400余家", 400, "家", ">"),
        ("落户企业130多家", 130, "家", ">"),
        ("建成三个人工智能示范园区", 3, "个", "="),
        ("全市人工智能相关企业达到一百五十家以上", 150, "家", ">="),
        ("人工智能人才规模达到2万人左右", 20000, "人", "~"),
        ("产业规模突破千亿元", 1000, "亿元", ">"),
        ("新增智能算力1000PFLOPS以上", 1000, "PFLOPS", ">="),
    ],
)
def test_comparators_units_and_values(clause, value, unit, comparator):
    hits = find_quantities(clause)
    assert len(hits) == 1, clause
    assert (hits[0].quantity.value, hits[0].quantity.unit, hits[0].comparator) == (value, unit, comparator)


def test_a_range_keeps_both_ends():
    (hit,) = find_quantities("打造1-2款智能驾驶特色产品")
    assert (hit.quantity.value, hit.value_max, hit.comparator) == (1, 2, ">=")


@pytest.mark.parametrize(
    "clause",
    [
        "实施“一区一园一项目”",
        "研究制订《广州市人工智能产业发展政策十条》",
        "积极布局5G和nb-iot智能终端产业",
        "打造千亿级产业集群",
        "千家万户",
        "逐步建立起一支人才队伍",
        "第十三届五次会议",
        "于6月8日前反馈",
    ],
)
def test_names_slogans_and_dates_are_not_amounts(clause):
    assert find_quantities(clause) == []


def test_an_amount_that_only_qualifies_the_goal_is_dropped():
    hits = find_quantities("出现3家以上估值1亿元以上的企业")
    assert [(h.quantity.value, h.quantity.unit) for h in hits] == [(3, "家")]


# --- departments -------------------------------------------------------------------------------------


def test_a_plain_trailing_list_puts_every_department_in_lead_in_order():
    annotation = parse_annotation("市工信局、市科技局、市发改局")
    assert annotation.lead == ["市工信局", "市科技局", "市发改局"]
    assert annotation.cooperating == []


def test_labelled_lead_and_cooperating_split_on_commas_and_enumeration_marks():
    annotation = parse_annotation(
        "牵头单位:市政务服务数据管理局、发展改革委,配合单位:市科技局、工业和信息化局,各区政府"
    )
    assert annotation.lead == ["市政务服务数据管理局", "发展改革委"]
    assert annotation.cooperating == ["市科技局", "工业和信息化局", "各区政府"]


def test_phrase_style_lead_and_cooperating():
    annotation = parse_annotation("市发展改革委牵头，市工业和信息化局、市数据局配合")
    assert (annotation.lead, annotation.cooperating) == (["市发展改革委"], ["市工业和信息化局", "市数据局"])


def test_responsible_units_with_a_lead_mark():
    annotation = parse_annotation("责任单位：市交通运输局（牵头）、市公安局")
    assert (annotation.lead, annotation.cooperating) == (["市交通运输局"], ["市公安局"])


def test_responsible_units_beside_a_lead_label_cooperate():
    annotation = parse_annotation("牵头单位：市科技局；责任单位：各区人民政府")
    assert (annotation.lead, annotation.cooperating) == (["市科技局"], ["各区人民政府"])


def test_duty_phrases_and_nested_brackets_stay_out_of_names():
    assert split_names("市科技局、各县（市、区）人民政府按职责分工负责") == [
        "市科技局",
        "各县（市、区）人民政府",
    ]
    assert split_names("市科技局、市工信局等部门") == ["市科技局", "市工信局"]


@pytest.mark.parametrize(
    "remark", ["以下简称《人工智能政策》", "2019—2021年", "征求意见稿", "电子设计自动化", "示范区"]
)
def test_remarks_in_brackets_are_not_departments(remark):
    assert parse_annotation(remark) is None


@pytest.mark.parametrize(
    "names",
    [
        ["市科技局", "市科学技术局"],
        ["市工信局", "市工业和信息化局"],
        ["市发改委", "市发展改革委", "市发展和改革委员会"],
        ["市卫计局", "市卫健局", "市卫生健康局"],
    ],
)
def test_aliases_resolve_to_one_record(names):
    ids = {ref.id for ref in resolve_all(names, city="guangzhou")}
    assert len(ids) == 1 and None not in ids


def test_city_names_and_official_names():
    directory = default_directory()
    ref = directory.resolve("市科技局", city="zhongshan")
    assert (ref.id, ref.canonical) == ("zhongshan.science_technology", "中山市科学技术局")
    assert directory.resolve("广州市工业和信息化局").id == "guangzhou.industry_it"
    assert directory.resolve("市场监管局", city="zhongshan").id == "zhongshan.market_regulation"


def test_a_bare_name_inherits_the_prefix_of_the_name_before_it():
    refs = resolve_all(["区科技局", "工业和信息化局"])
    assert refs[1].id == "district.industry_it"


def test_unknown_names_are_flagged_not_guessed():
    ref = default_directory().resolve("市未来产业促进中心")
    assert ref.id is None and not ref.known
    result = parse_text("二、主要任务\n1.建设平台。建设开放平台。（市科技局、市未来产业促进中心）")
    assert result.unknown_departments == ["市未来产业促进中心"]


def test_a_note_that_the_first_listed_leads_splits_plain_lists():
    text = "（排在第一位的为牵头单位）\n二、重点任务\n1.建设平台。建设开放平台。（市科技局、市工信局）"
    (task,) = parse_text(text).tasks
    assert (task.lead, task.cooperating) == (["市科技局"], ["市工信局"])


# --- structure ---------------------------------------------------------------------------------------


def test_heading_hierarchy_numbers_follow_the_gold_notation():
    root = build_tree(text_blocks("二、主要任务\n（一）产业培育\n1、培育企业。正文。\n（1）细项\n①子项"))
    numbers = [node.number for node in root.walk() if node.kind != "root"]
    assert numbers == ["二", "二.(一)", "二.(一).1", "二.(一).1.(1)", "二.(一).1.(1).①"]


def test_a_box_stands_beside_the_items_and_the_next_item_closes_it():
    text = "二、重点任务\n（一）改造\n①甲任务。正文。\n专栏1 示范工程\n1.智能质检\n②乙任务。正文。"
    root = build_tree(text_blocks(text))
    numbers = [node.number for node in root.walk() if node.kind != "root"]
    assert numbers == ["二", "二.(一)", "二.(一).①", "二.(一).专栏1", "二.(一).专栏1.1", "二.(一).②"]


def test_safeguard_items_are_not_tasks_even_with_departments():
    text = "二、主要任务\n1、甲。正文。(市科技局)\n三、保障措施\n(一)加强组织领导。正文。(市工信局)"
    assert [task.number for task in parse_text(text).tasks] == ["二.1"]


def test_a_task_title_mentioning_safeguards_is_still_a_task():
    text = "二、主要任务\n（四）环境建设\n19、提升人工智能安全保障能力。正文。(市公安局、通建办、工信局)"
    (task,) = parse_text(text).tasks
    assert task.lead == ["市公安局", "通建办", "工信局"]


def test_hard_wrapped_text_is_reflowed_into_paragraphs():
    paragraph = "推动人工智能与实体经济深度融合，培育一批具有核心竞争力的龙头企业，" * 3
    lines = ["二、主要任务", "1.培育龙头企业。"]
    body = paragraph + "（市科技局）"
    lines += [body[i : i + 20] for i in range(0, len(body), 20)]
    lines += ["2.建设平台。建设开放平台。（市工信局）", "三、保障措施"] + ["加强组织领导。"] * 6
    blocks = text_blocks("\n".join(lines))
    assert any(isinstance(b, Paragraph) and b.text == body for b in blocks)
    assert [task.lead for task in parse_text("\n".join(lines)).tasks] == [["市科技局"], ["市工信局"]]


def test_traditional_text_is_parsed_in_simplified_and_the_source_kept():
    result = parse_text("二、主要任務\n1．建設平臺。推進建設。（牽頭單位：市科技局；配合單位：市財政局）")
    (task,) = result.tasks
    assert (task.title, task.lead, task.cooperating) == ("建设平台", ["市科技局"], ["市财政局"])
    assert "牽頭單位" in task.source


def test_task_tables_become_tasks():
    table = Table(
        [
            ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"],
            ["一、夯实基础"],
            ["1", "建设算力中心", "市发展改革委", "市工业和信息化局、市财政局", "2024年底"],
            ["2", "培育企业。新认定企业50家。", "市科技局（牵头）、市商务局", "", "2025年"],
        ]
    )
    from lianzhang.plans.reader import Document

    result = parse_document(Document("t", "docx", [Paragraph("二、重点任务"), table]))
    assert [(t.number, t.title, t.lead, t.cooperating) for t in result.tasks] == [
        ("一.1", "建设算力中心", ["市发展改革委"], ["市工业和信息化局", "市财政局"]),
        ("一.2", "培育企业", ["市科技局"], ["市商务局"]),
    ]
    assert [(t.value, t.unit, t.deadline) for t in result.targets] == [(50, "家", "2025")]


# --- targets -----------------------------------------------------------------------------------------


def test_a_deadline_after_the_goals_in_the_same_sentence_applies_to_them():
    result = parse_text("二、工作目标\n建设10个产业园，培育1000家左右企业，到2023年，全市综合实力位居前列。")
    assert [(t.value, t.comparator, t.deadline, t.deadline_source) for t in result.targets] == [
        (10, "=", "2023", "explicit"),
        (1000, "~", "2023", "explicit"),
    ]


def test_the_end_of_a_five_year_plan_is_a_deadline():
    (target,) = parse_text("二、发展目标\n到“十四五”末，人工智能核心产业规模突破500亿元。").targets
    assert (target.value, target.deadline) == (500, "2025")


def test_goals_without_a_year_take_the_end_of_the_plan_period():
    text = "某市行动计划(2019—2021年)\n二、主要任务\n1、培育企业。引进或培育3家或以上应用服务企业。(市工信局)"
    (target,) = parse_text(text).targets
    assert (target.deadline, target.deadline_source) == ("2021", "plan_period")


def test_facts_and_background_are_not_goals():
    text = (
        "一、发展基础\n松山湖已聚集企业400余家。\n二、发展目标\n截至2020年4月，共有15个项目。"
        "到2025年，核心产业规模超过300亿元。"
    )
    result = parse_text(text)
    assert [(t.value, t.unit) for t in result.targets] == [(300, "亿元")]


def test_subsidy_parameters_are_rules_not_goals():
    text = (
        "专栏5：对接活动\n每年出资最多不超过200万元，服务本地不少于30家企业，对接不少于30家技术供应商。"
        "按费用的30%给予补贴，每家企业每年不超过200万，"
        "每年支持不超过10家企业。"
    )
    result = parse_text("六、重点任务\n" + text)
    assert [(t.value, t.unit, t.comparator) for t in result.targets] == [(30, "家", ">="), (30, "家", ">=")]
    assert [(r.value, r.unit, r.comparator) for r in result.rules] == [
        (200, "万元", "<="),
        (30, "%", "="),
        (200, "万元", "<="),
        (10, "家", "<="),
    ]


def test_eligibility_thresholds_of_subsidies_are_rules():
    text = (
        "二、支持企业做大做强。对年营业收入首次突破10亿元的人工智能企业，给予一次性奖励200万元。"
        "（责任单位：市工信局）"
    )
    result = parse_text(text)
    assert result.targets == []
    assert [(r.value, r.unit, r.comparator) for r in result.rules] == [(10, "亿元", ">"), (200, "万元", "=")]
    assert [(t.number, t.lead) for t in result.tasks] == [("二", ["市工信局"])]


def test_goals_quoted_from_another_plan_are_marked_reported():
    text = "《某市人工智能三年行动计划(2018-2020年)》提出，到2020年，人工智能产业规模超1200亿元。"
    (target,) = parse_text(text).targets
    assert (target.kind, target.value, target.deadline) == ("reported", 1200, "2020")


# --- documents ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", OWN_DOCUMENTS)
def test_own_documents_in_other_styles_parse_as_annotated(name):
    expected = json.loads((DATA / (name.rsplit(".", 1)[0] + ".expected.json")).read_text(encoding="utf-8"))
    found = parse_file(DATA / name).to_dict()
    result = score(found, expected)
    print(name, result.as_dict())
    assert result.task_recall == 1.0, result.missed_tasks
    assert result.department_f1 == 1.0, result.department_errors
    assert result.target_f1 == 1.0, (result.missed_targets, result.extra_targets)
    assert [(r["value"], r["unit"], r["comparator"]) for r in found["rules"]] == [
        (r["value"], r["unit"], r["comparator"]) for r in expected["rules"]
    ]


def test_reading_a_docx_keeps_tables_in_place():
    document = read_document(DATA / "district_task_table.docx")
    kinds = [type(block).__name__ for block in document.blocks]
    assert kinds.index("Table") == kinds.index("Paragraph") + 6
    table = next(block for block in document.blocks if isinstance(block, Table))
    assert table.rows[0][3:5] == ["牵头单位", "配合单位"]
    assert table.rows[1] == ["一、夯实创新基础"]


def test_word_automatic_list_numbers_are_read(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("二、主要任务")
    document.add_paragraph("建设平台。建设开放平台。（市科技局）", style="List Number")
    document.add_paragraph("培育企业。培育10家企业。（市工信局）", style="List Number")
    document.save(str(tmp_path / "numbered.docx"))
    result = parse_file(tmp_path / "numbered.docx")
    assert [(t.number, t.title, t.lead) for t in result.tasks] == [
        ("二.1", "建设平台", ["市科技局"]),
        ("二.2", "培育企业", ["市工信局"]),
    ]


def test_reading_a_pdf_joins_wrapped_lines_and_drops_page_numbers():
    document = read_document(DATA / "city_plan_wrapped.pdf")
    texts = [block.text for block in document.blocks]
    assert texts[0] == "海州市促进人工智能产业发展三年行动计划（2024—2026年）"
    assert not any(text.startswith("-") for text in texts)
    assert any(text.startswith("4.推动制造业智能化改造") and text.endswith("配合）") for text in texts)


@needs_shared
@pytest.mark.parametrize("stem", GOLD_STEMS)
def test_gold_annotations_are_matched(stem):
    gold = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
    result = score(parse_file(DOCS / f"{stem}.txt").to_dict(), gold)
    print(stem, result.as_dict())
    assert result.task_recall >= 0.95, result.missed_tasks
    assert result.department_f1 >= 0.95, result.department_errors
    assert result.target_f1 >= 0.90, (result.missed_targets, result.extra_targets)


@needs_shared
@pytest.mark.parametrize("stem", GOLD_STEMS)
def test_gold_documents_saved_as_docx_parse_the_same(stem, tmp_path):
    import docx

    document = docx.Document()
    for line in (DOCS / f"{stem}.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            document.add_paragraph(line)
    path = tmp_path / f"{stem}.docx"
    document.save(str(path))
    gold = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
    result = score(parse_file(path).to_dict(), gold)
    assert (result.task_recall, result.department_f1) == (1.0, 1.0)
    assert result.target_f1 >= 0.90


@needs_shared
def test_the_other_shared_documents_parse_sensibly():
    plan = parse_file(DOCS / "003_1d51d7788896fd4c.txt")
    numbers = [task.number for task in plan.tasks]
    assert "六.(一).1" in numbers and "六.(六).专栏5" in numbers
    assert not any(number.startswith(("一", "二", "七")) for number in numbers)
    assert (100, "亿元", ">", "2020") in [(t.value, t.unit, t.comparator, t.deadline) for t in plan.targets]
    assert (30, "%") in [(r.value, r.unit) for r in plan.rules]
    # Background figures (400余家, 约446亿元) are facts, not goals.
    assert not any(t.value in (400, 446, 3175) for t in plan.targets)
    reply = parse_file(DOCS / "000_2c7aaefc8ff34ecb.txt")
    assert reply.targets == [] and reply.tasks[0].title == "建立东莞人工智能企业库"
    proposal = parse_file(DOCS / "004_739fd5536dc51d1a.txt")
    assert {t.kind for t in proposal.targets} == {"reported"}
    assert not any(t.value in (130, 260, 2000) for t in proposal.targets)


def test_the_engine_imports_without_django():
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    code = (
        "import sys, lianzhang.plans.engine as e, lianzhang.plans.cli; "
        "e.parse_text('二、主要任务\\n1.甲。乙。(市科技局)'); assert 'django' not in sys.modules"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
