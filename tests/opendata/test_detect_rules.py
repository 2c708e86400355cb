"""Detection rules one by one: old resident IDs, honorifics, version numbers, passports, credit codes."""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

import pytest

from lianzhang.opendata.deid import synthetic
from lianzhang.opendata.deid.detect import (
    DIRECT_TYPES,
    SEP,
    TYPES,
    classify_runs,
    find_in_text,
    find_spans,
)
from lianzhang.opendata.deid.policy import parse_policy
from lianzhang.opendata.deid.process import DIRECT_TYPES as PROCESS_DIRECT_TYPES
from lianzhang.opendata.deid.process import apply_policy, redact
from lianzhang.opendata.deid.scan import address_header as scan_address_header
from lianzhang.opendata.deid.scan import scan_file


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[start:end], kind) for start, end, kind in find_spans(text)]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def test_first_generation_fifteen_digit_ids():
    rng = random.Random(15)
    good = [synthetic.id_card15(rng) for _ in range(300)]
    assert classify_runs(good) == ["id_card"] * 300
    bad = [
        "110105491331002",  # month 13
        "110105490230002",  # 30 February
        "110105000229002",  # 1900 was not a leap year
        "990105491231002",  # no province 99
        "110005491231002",  # city 00
        "898440148160123",  # a merchant number
    ]
    assert classify_runs(bad) == [None] * len(bad)
    assert _found("原身份证号110105491231002已换领") == [("110105491231002", "id_card")]
    # Part of a longer run it is nothing.
    assert _found("编号1101054912310021") == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("请王先生来电", []),
        ("李女士反映路灯损坏", []),
        ("欧阳女士已办结", []),
        ("感谢张老师", []),
        ("王某先生", []),
        ("我和李女士一起来", []),
        ("这位陈先生", []),
        ("窑炉温度曲线全凭老师傅经验", []),
        ("请李桂萱先生尽快联系", ["李桂萱"]),
        ("陈晓红女士反映", ["陈晓红"]),
        ("欧阳娜娜女士", ["欧阳娜娜"]),
        ("请任军兰先生留意", ["任军兰"]),
        ("曾红玉女士来电", ["曾红玉"]),
        ("联系人王小明先生", ["王小明"]),
    ],
)
def test_honorifics_report_full_names_only(text, names):
    """A surname with a title (王先生) is a de-identified form, like 王某; a full name before it is not."""
    assert _found(text) == [(name, "person_name") for name in names]
    assert find_in_text(text).counts["person_name"] == len(names)


@pytest.mark.parametrize(
    ("text", "ips"),
    [
        ("版本1.2.3.4", []),
        ("软件版本号：10.0.0.1", []),
        ("v1.2.3.4 已发布", []),
        ("version 2.0.0.1", []),
        ("Ver.3.1.4.1", []),
        ("1.2.3.4.5", []),
        ("依赖 1.2.3.4.RELEASE", []),
        ("登录IP 10.2.3.4", ["10.2.3.4"]),
        ("server 10.0.0.1", ["10.0.0.1"]),
        ("IP:192.168.0.1。", ["192.168.0.1"]),
        ("来自2409:8a55:1f::2b的访问", ["2409:8a55:1f::2b"]),
        ("12:30:45 到 12:31:00", []),
        ("256.1.1.1", []),
    ],
)
def test_version_numbers_are_not_ip_addresses(text, ips):
    assert _found(text) == [(ip, "ip") for ip in ips]
    assert find_in_text(text).counts["ip"] == len(ips)


@pytest.mark.parametrize(
    ("text", "passports"),
    [
        ("产品编码P12345678", []),
        ("配件S12345678、D12345678、C12345678、W12345678", []),
        ("持护照C12345678办理", ["C12345678"]),
        ("往来港澳通行证CA1234567", ["CA1234567"]),
        ("护照号：PE1234567", ["PE1234567"]),
        ("E12345678", ["E12345678"]),
        ("EA1234567", ["EA1234567"]),
        ("G12345678", ["G12345678"]),
        ("回乡证H1234567890", ["H1234567890"]),
        ("M12345678", ["M12345678"]),
        ("XE12345678", []),
    ],
)
def test_passports_need_context_unless_their_form_is_distinctive(text, passports):
    assert _found(text) == [(p, "passport") for p in passports]


def test_passport_column_header_is_context(tmp_path):
    rows = [[f"C{n:08d}", f"C{n:08d}"] for n in range(10_000_000, 10_000_040)]
    path = _write(tmp_path / "t.csv", ["护照号码", "产品编码"], rows)
    columns = {c["name"]: c["types"] for c in scan_file(path)["columns"]}
    assert columns == {"护照号码": {"passport": 40}, "产品编码": {}}


def test_credit_codes_are_reported_but_do_not_block_a_release(tmp_path):
    assert "uscc" not in DIRECT_TYPES and PROCESS_DIRECT_TYPES == DIRECT_TYPES
    assert set(TYPES) - {"uscc"} == DIRECT_TYPES
    rng = random.Random(3)
    codes = [synthetic.credit_code(rng) for _ in range(12)]
    rows = [[code, synthetic.mobile(rng), "制造业"] for code in codes]
    source = _write(tmp_path / "t.csv", ["统一社会信用代码", "手机", "行业"], rows)
    policy = parse_policy({"k": 2, "columns": {"手机": "drop"}}, ["统一社会信用代码", "手机", "行业"])
    report = apply_policy(source, policy, tmp_path / "out.csv")
    assert report["status"] == "written"
    assert report["found"]["统一社会信用代码"] == {"uscc": 12}
    assert report["verification"]["direct_identifiers_remaining"] == {}
    assert scan_file(tmp_path / "out.csv")["columns"][0]["types"] == {"uscc": 12}


def test_credit_codes_with_letters_and_all_digits():
    rng = random.Random(8)
    codes = [synthetic.credit_code(rng) for _ in range(200)]
    assert all(_found(f"代码{c}。") == [(c, "uscc")] for c in codes)
    # A credit code with one wrong character is no finding.
    wrong = codes[0][:10] + ("A" if codes[0][10] != "A" else "B") + codes[0][11:]
    assert _found(wrong) == []
    assert classify_runs(["914401011234567891"]) in (["uscc"], [None])


def test_address_parts_join_within_a_cell_never_across_cells():
    assert _found("解放路3号院内2栋101") == [("解放路3号院内2栋101", "address")]
    assert redact(["中山路1号", "2栋101室", "无"]) == ["<address>", "<address>", "无"]
    assert _found("东莞市石排镇环市村9组") == [("环市村9组", "address")]


def test_counting_and_spans_agree_on_planted_columns():
    """The scan counts with findall; redaction uses finditer spans: both must see the same identifiers."""
    planted = synthetic.generate(1500, seed=4242)
    for c, column in enumerate(planted.columns):
        cells = [row[c] for row in planted.rows]
        counted = find_in_text(SEP.join(cells)).counts
        spans = Counter(kind for cell in cells for _, _, kind in find_spans(cell))
        assert counted == spans, column


def test_separated_numbers_and_emails():
    text = "手机138-1234-5678，座机(020)83123456，0769-22334455，邮箱ab.c@qq.com，x@@y.cn"
    assert _found(text) == [
        ("138-1234-5678", "mobile"), ("(020)83123456", "phone"), ("0769-22334455", "phone"),
        ("ab.c@qq.com", "email"),
    ]
    counts = find_in_text(text).counts
    assert counts == Counter({"mobile": 1, "phone": 2, "email": 1})
    assert _found("123-4567-8901") == []  # no mobile segment 123


def test_redaction_uses_the_column_header_as_the_scan_does(tmp_path):
    assert redact(["C12345678", "无"], "护照号码") == ["<passport>", "无"]
    assert redact(["C12345678"], "产品编码") == ["C12345678"]
    assert redact(["陈晓红", "王某某", ""], "姓名") == ["<person_name>", "王某某", ""]
    rows = [["陈晓红", f"C{n:08d}", "男"] for n in range(10_000_000, 10_000_012)]
    header = ["姓名", "护照号码", "性别"]
    source = _write(tmp_path / "t.csv", header, rows)
    policy = parse_policy({"k": 2, "columns": {"姓名": "redact", "护照号码": "redact"}}, header)
    report = apply_policy(source, policy, tmp_path / "out.csv")
    assert report["status"] == "written" and report["found"]["护照号码"] == {"passport": 12}
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as handle:
        assert list(csv.reader(handle))[1] == ["<person_name>", "<passport>", "男"]


def test_arrow_columns_join_like_python():
    import pyarrow as pa

    from lianzhang.opendata.deid.tables import _join_utf8

    arrays = [
        pa.array(["a", "", "中文", "x"]), pa.array(["", "", ""]), pa.array(["a", "bc", "d"]).slice(1, 2),
        pa.array([], pa.string()), pa.array(["a", "中"], pa.large_string()), pa.array(["a", None, "b"]),
    ]
    for arr in arrays:
        assert _join_utf8(arr, SEP) == SEP.join(x or "" for x in arr.to_pylist())


def test_address_column_counts_whole_cells_below_town_level(tmp_path):
    cells = [
        "广东省广州市天河区花城大道", "阳光小区", "东莞市石排镇中山村3组", "北京市海淀区中关村",
        "广东省东莞市南城街道", "广州市天河区", "",
    ]
    rows = [[cell, cell] for cell in cells]
    path = _write(tmp_path / "t.csv", ["家庭住址", "备注"], rows)
    columns = {c["name"]: c["types"] for c in scan_file(path)["columns"]}
    assert columns == {"家庭住址": {"address": 3}, "备注": {"address": 1}}
    assert redact(cells[:3] + cells[4:5], "家庭住址") == ["<address>"] * 3 + ["广东省东莞市南城街道"]
    headers = ("IP地址", "邮箱地址", "网址", "住址", "Address", "ip address", "Shipping address", "MAC地址")
    assert [h for h in headers if scan_address_header(h)] == ["住址", "Address", "Shipping address"]


def test_a_bare_name_header_needs_name_shaped_values():
    from lianzhang.opendata.deid.scan import name_column

    places = ["广州市", "天河区", "银湖湾", "南山矿", "越秀区", "番禺区", "花都区", "黄埔区"] * 5
    people = ["陈晓红", "王伟", "Li Lei", "张敏", "Anna Smith"] * 8
    assert not name_column("name", places)
    assert name_column("name", people)
    assert name_column("姓名", places)  # a Chinese header is unambiguous
    assert name_column("name", places[:5])  # too few values to overrule the header


def test_bank_cards_in_groups_of_four():
    rng = random.Random(44)
    for _ in range(100):
        card = synthetic.grouped_card(rng)
        text = f"还款卡号 {card}，户名陈晓红"
        assert _found(text) == [(card, "bank_card"), ("陈晓红", "person_name")]
        assert find_in_text(text).counts == Counter({"bank_card": 1, "person_name": 1})
    broken = synthetic.bank_card(rng, valid=False)
    assert _found(" ".join(broken[i : i + 4] for i in range(0, len(broken), 4))) == []
    assert _found("2023 0101 1200 0001") == []


@pytest.mark.parametrize(
    "text",
    ["客户周杰反映问题", "医生孙丽诊断为轻症", "签收人：冯涛", "寄件人陈晨", "承办人：韩雪", "报案人许涛称"],
)
def test_names_after_service_and_case_cues_are_found(text: str) -> None:
    assert find_in_text(text).counts["person_name"] == 1


@pytest.mark.parametrize(
    "text", ["医生建议复查", "客户服务中心", "护士站", "教师节活动", "股东会决议", "请司机师傅稍等"]
)
def test_the_cue_words_alone_are_not_names(text: str) -> None:
    assert find_in_text(text).counts["person_name"] == 0


def test_a_numbered_road_section_is_part_of_the_address() -> None:
    assert find_in_text("寄往成都市武侯区人民南路四段11号").counts["address"] == 1
    assert find_in_text("一段时间内，第三段落").counts["address"] == 0
