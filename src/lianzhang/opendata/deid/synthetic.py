"""Synthetic personal data with planted identifiers and known answers, for tests, benchmarks and the demo.

Every identifier is generated to be valid (check digits, birth dates, Luhn) and every look-alike is
generated to be invalid in exactly the way a careless detector would miss: IDs with a wrong check
digit, 18-digit order numbers, credit codes, cards failing Luhn, eleven-digit numbers inside longer
runs. ``truth`` lists what a perfect detector reports, cell by cell.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from lianzhang.codes import make_credit_code
from lianzhang.opendata.deid.validators import (
    ID_CHECK,
    ID_WEIGHTS,
    bank_bin_plausible,
    id_card_valid,
    luhn_valid,
    uscc_valid,
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍建红飞鹏辉波宇浩凯秀晨婷欣怡子轩梓涵雨萱佳琪"
    "俊峰鑫斌颖海燕志学国庆春梅文博思远嘉怡振宁立新"
)
COUNTIES = (
    "110105", "310115", "440106", "440305", "441900", "330106", "510107", "420106", "320102", "370202",
)
CITIES = (("广东省", "东莞市", "南城街道"), ("广东省", "广州市", "天河区"), ("浙江省", "杭州市", "西湖区"),
          ("四川省", "成都市", "武侯区"), ("江苏省", "南京市", "玄武区"))
STREETS = ("中山", "人民", "解放", "建设", "天河", "东风", "环市", "滨江", "新华", "鸿福", "体育西", "胜利")
ROADS = ("路", "街", "大道")
VILLAGES = ("石排", "横沥", "大朗", "塘厦", "清溪", "樟木头")
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁苏浙赣鄂桂甘晋陕吉闽贵粤川"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DOMAINS = ("qq.com", "163.com", "example.cn", "gov.cn", "126.com")
COLUMNS = ("序号", "姓名", "性别", "出生日期", "年龄", "证件号码", "手机", "住址", "备注")


@dataclass
class Planted:
    """Rows of a synthetic table and the identifiers planted in them: (row, column, type, value)."""

    columns: tuple[str, ...]
    rows: list[list[str]]
    truth: list[tuple[int, str, str, str]] = field(default_factory=list)


def id_card(rng: random.Random, born: date | None = None, valid: bool = True) -> str:
    """A resident ID; with ``valid=False`` the check character is wrong (a mistyped ID)."""
    born = born or date(1950, 1, 1) + timedelta(days=rng.randrange(25000))
    body = f"{rng.choice(COUNTIES)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    check = ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]
    if not valid:
        check = rng.choice([c for c in ID_CHECK if c != check])
    return body + check


def id_card15(rng: random.Random, born: date | None = None) -> str:
    """A first-generation 15-digit resident ID (area, YYMMDD, sequence), for people born before 2000."""
    born = born or date(1920, 1, 1) + timedelta(days=rng.randrange(28000))
    return f"{rng.choice(COUNTIES)}{born:%y%m%d}{rng.randrange(1000):03d}"


def order_number(rng: random.Random) -> str:
    """An 18-digit order number: a timestamp and a sequence, like those of shops and payment systems."""
    stamp = date(2020, 1, 1) + timedelta(days=rng.randrange(1500))
    return f"{stamp:%Y%m%d}{rng.randrange(10**10):010d}"


def account_number(rng: random.Random) -> str:
    """An 18-digit number that is neither an ID, a credit code nor a card (failed checks retried)."""
    while True:
        value = f"{rng.randrange(1, 10)}{rng.randrange(10**17):017d}"
        card = luhn_valid(value) and bank_bin_plausible(value)
        if not (card or id_card_valid(value) or uscc_valid(value)):
            return value


def credit_code(rng: random.Random) -> str:
    """A valid unified social credit code."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    org = "".join(rng.choice(alphabet) for _ in range(8))
    # The organisation code's own check (GB 11714): letters count from A = 10; 10 is written X.
    value = sum(int(c, 36) * w for c, w in zip(org, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = (11 - value % 11) % 11
    return make_credit_code(f"91{rng.choice(COUNTIES)}{org}{'X' if check == 10 else check}")


def luhn_complete(body: str) -> str:
    """Append the Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def bank_card(rng: random.Random, valid: bool = True) -> str:
    """A UnionPay-style card number of 16 or 19 digits; ``valid=False`` breaks the Luhn digit."""
    length = rng.choice((16, 19))
    body = rng.choice(("622202", "621700", "622848", "625965")) + "".join(
        str(rng.randrange(10)) for _ in range(length - 7)
    )
    card = luhn_complete(body)
    if not valid:
        card = card[:-1] + str((int(card[-1]) + rng.randrange(1, 10)) % 10)
    return card


def grouped_card(rng: random.Random) -> str:
    """A card number as printed and often typed: groups of four digits separated by spaces or dashes."""
    card = bank_card(rng)
    sep = rng.choice(" -")
    return sep.join(card[i : i + 4] for i in range(0, len(card), 4))


def mobile(rng: random.Random) -> str:
    """A mobile number in an issued segment."""
    head = rng.choice(("138", "139", "135", "186", "150", "177", "199", "131"))
    return head + f"{rng.randrange(10**8):08d}"


def landline(rng: random.Random) -> str:
    """A landline with its area code."""
    area = rng.choice(("020", "0769", "0755", "010", "021", "0571"))
    local = f"{rng.randrange(2, 9)}{rng.randrange(10**7):07d}"[: 8 if len(area) == 3 else rng.choice((7, 8))]
    return rng.choice((f"{area}-{local}", f"({area}){local}", f"{area}{local}"))


def person_name(rng: random.Random) -> str:
    """A Chinese name: surname and one or two given characters."""
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def address(rng: random.Random) -> str:
    """A street address down to the room, or a village address down to the group."""
    province, city, district = rng.choice(CITIES)
    if rng.random() < 0.7:
        room = ""
        if rng.random() < 0.6:
            room = f"{rng.randrange(1, 30)}栋{rng.randrange(1, 30)}{rng.randrange(1, 9):02d}室"
        street = f"{rng.choice(STREETS)}{rng.choice(ROADS)}{rng.randrange(1, 999)}号"
        return f"{province}{city}{district}{street}{room}"
    return f"{city}{rng.choice(VILLAGES)}镇{rng.choice(STREETS)}村{rng.randrange(1, 15)}组"


def plate(rng: random.Random) -> str:
    """A licence plate, ordinary (5 characters) or new-energy (6)."""
    head = rng.choice(PLATE_PROVINCES) + rng.choice(PLATE_LETTERS)
    if rng.random() < 0.3:
        return head + rng.choice("DF") + rng.choice(PLATE_LETTERS) + f"{rng.randrange(10**4):04d}"
    return head + rng.choice(PLATE_LETTERS + "0123456789") + f"{rng.randrange(10**4):04d}"


def email(rng: random.Random) -> str:
    """An e-mail address."""
    user = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.randrange(4, 10)))
    return f"{user}@{rng.choice(DOMAINS)}"


def ip(rng: random.Random) -> str:
    """An IPv4 address, now and then an IPv6 one."""
    if rng.random() < 0.2:
        return f"2409:8a55:{rng.randrange(65536):x}::{rng.randrange(1, 65536):x}"
    return ".".join(str(rng.randrange(1, 255)) for _ in range(4))


def passport(rng: random.Random) -> str:
    """A passport or Hong Kong/Macao permit number."""
    kind = rng.randrange(3)
    if kind == 0:
        return "E" + f"{rng.randrange(10**8):08d}"
    if kind == 1:
        return "E" + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + f"{rng.randrange(10**7):07d}"
    return "C" + f"{rng.randrange(10**8):08d}"


def permit(rng: random.Random) -> str:
    """A travel permit number: mainland residents' (C...) or Hong Kong/Macao residents' (H.../M...)."""
    kind = rng.randrange(3)
    if kind == 0:
        return "C" + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + f"{rng.randrange(10**7):07d}"
    if kind == 1:
        return "C" + f"{rng.randrange(10**8):08d}"
    return rng.choice("HM") + f"{rng.randrange(10**8):08d}"


def product_code(rng: random.Random) -> str:
    """A part number shaped like an old passport number (letter and eight digits)."""
    return rng.choice("PSDCWT") + f"{rng.randrange(10**8):08d}"


def version(rng: random.Random) -> str:
    """A four-part version number, written as software does (v1.2.3.4, 版本 1.2.3.4)."""
    number = ".".join(str(rng.randrange(0, 30)) for _ in range(4))
    return rng.choice(("v", "V", "版本", "版本号：", "version ")) + number


# Free-text templates: each slot becomes an identifier; the text around it stays.
_TEMPLATES = (
    "患者{person_name}，身份证号{id_card}，于今日就诊",
    "联系人：{person_name}，电话{mobile}",
    "请{person_name}先生尽快联系窗口，座机{phone}",
    "{person_name}女士反映家住{address}的路灯损坏",
    "退款至银行卡{bank_card}，邮箱{email}",
    "车辆{plate}于路口违停，登录IP {ip}",
    "申请人{person_name}持护照{passport}办理",
    "单位统一社会信用代码{uscc}，联系手机{mobile}",
    "原身份证号{id_card15}已换领新证，{person_name}老师请留意",
    "持往来通行证{permit}入境，联系人{person_name}",
    "还款卡号 {grouped_card}，户名{person_name}",
)
# Text with numbers and words that look like identifiers but are not.
_DECOYS = (
    "订单号{order}已发货，预计三日内送达",
    "账户流水号{account}，金额12850元",
    "证件号{bad_id}有误，请核对",
    "卡号{bad_card}校验失败",
    "编码{long_digits}的设备共5栋建筑使用",
    "主张改革开放，推进高新区建设，科技局牵头",
    "第{n}批次，版本号3.2，共{n}人次",
    "王某某反映的问题已办结",
    "请{surname}先生到三号窗口领取材料",
    "配件型号{product}，固件{version}已升级",
    "商户号{merchant}本月结算完成",
)
_MAKERS = {
    "person_name": person_name, "id_card": id_card, "mobile": mobile, "phone": landline, "address": address,
    "bank_card": bank_card, "email": email, "plate": plate, "ip": ip, "passport": passport,
    "uscc": credit_code,
}
# Slots whose identifier type differs from the slot's name.
_OTHER_SLOTS = {
    "id_card15": ("id_card", id_card15),
    "permit": ("passport", permit),
    "grouped_card": ("bank_card", grouped_card),
}


def _fill(template: str, rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    """Fill a template; return the text and the (type, value) pairs planted in it."""
    planted: list[tuple[str, str]] = []
    values: dict[str, str] = {}
    slots = {kind: (kind, maker) for kind, maker in _MAKERS.items()} | _OTHER_SLOTS
    for slot, (kind, maker) in slots.items():
        if "{" + slot + "}" in template:
            values[slot] = maker(rng)
            planted.append((kind, values[slot]))
    values.update(
        order=order_number(rng), account=account_number(rng), bad_id=id_card(rng, valid=False),
        bad_card=bank_card(rng, valid=False), long_digits=f"{rng.randrange(10**14, 10**15)}{mobile(rng)}",
        n=str(rng.randrange(2, 99)), surname=rng.choice(SURNAMES), product=product_code(rng),
        version=version(rng), merchant=f"898{rng.randrange(10**12):012d}",
    )
    return template.format(**values), planted


def generate(n_rows: int, seed: int = 7) -> Planted:
    """A personal-data table of ``n_rows`` rows with planted identifiers, decoys and their truth."""
    rng = random.Random(seed)
    out = Planted(columns=COLUMNS, rows=[])
    for i in range(n_rows):
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(28000))
        name = person_name(rng)
        # The ID column mixes IDs with the codes a form field collects by mistake.
        pick = rng.random()
        if pick < 0.65:
            code, code_type = id_card(rng, born), "id_card"
        elif pick < 0.7 and born.year < 2000:
            code, code_type = id_card15(rng, born), "id_card"
        elif pick < 0.8:
            code, code_type = id_card(rng, born, valid=False), None
        elif pick < 0.9:
            code, code_type = order_number(rng), None
        else:
            code, code_type = credit_code(rng), "uscc"
        phone = mobile(rng)
        home = address(rng)
        template = rng.choice(_TEMPLATES if rng.random() < 0.6 else _DECOYS)
        note, planted = _fill(template, rng)
        row = [
            str(i + 1), name, rng.choice("男女"), born.isoformat(), str(max(0, 2026 - born.year)), code,
            phone, home, note,
        ]
        out.rows.append(row)
        out.truth.append((i, "姓名", "person_name", name))
        if code_type:
            out.truth.append((i, "证件号码", code_type, code))
        out.truth.append((i, "手机", "mobile", phone))
        out.truth.append((i, "住址", "address", home))
        out.truth.extend((i, "备注", kind, value) for kind, value in planted)
    return out


def write_csv(planted: Planted, path: Path, encoding: str = "utf-8") -> Path:
    """Write the rows with a header line."""
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(planted.columns)
        writer.writerows(planted.rows)
    return path
