"""Chinese and Arabic numerals, magnitudes (万, 亿) and units, converted to plain numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000}

CN_NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)

# Classifiers that make a number countable; money and percentages are handled separately.
COUNT_UNITS = (
    "个百分点",
    "人次",
    "家",
    "个",
    "项",
    "条",
    "款",
    "位",
    "名",
    "人",
    "座",
    "所",
    "台",
    "套",
    "部",
    "件",
    "次",
    "场",
    "户",
    "支",
    "只",
    "种",
    "类",
    "篇",
    "辆",
    "架",
    "颗",
    "枚",
    "栋",
    "处",
    "间",
    "张",
    "份",
    "块",
    "片",
    "平方公里",
    "平方米",
    "亩",
    "公里",
    "千米",
    "吨",
    "千瓦",
    "兆瓦",
    "吉瓦",
    "小时",
    "倍",
)
# Computing power, energy and storage units that plans state targets in (1000PFLOPS, 200MW, 10PB).
LATIN_UNITS = (
    "EFLOPS",
    "PFLOPS",
    "TFLOPS",
    "FLOPS",
    "Gbps",
    "Mbps",
    "GW",
    "MW",
    "kW",
    "KW",
    "EB",
    "PB",
    "TB",
)
MONEY_UNITS = ("美元", "港元", "欧元", "元")
PERCENT_UNITS = ("%", "％", "‰")


class NumeralError(ValueError):
    """A string that is not a numeral."""


def parse_chinese_integer(text: str) -> int:
    """Value of a Chinese numeral such as 一千二百零五, 十五, 两万, 三百万 or 二〇二三."""
    if not text or any(ch not in CN_NUMERAL_CHARS for ch in text):
        raise NumeralError(text)
    # Digit-by-digit years and codes (二〇二三) have no unit characters.
    if all(ch in DIGITS for ch in text) and len(text) > 1:
        return int("".join(str(DIGITS[ch]) for ch in text))
    total = 0
    section = 0  # the part below the current 万/亿
    number = 0
    for ch in text:
        if ch in DIGITS:
            number = DIGITS[ch]
        elif ch in SMALL_UNITS:
            # A bare 十 at the start means one ten (十五 = 15).
            section += (number or 1) * SMALL_UNITS[ch]
            number = 0
        else:
            big = BIG_UNITS[ch]
            section += number
            if big == 100_000_000:
                total = (total + section) * big
            else:
                total += section * big
            section = 0
            number = 0
    return total + section + number


def parse_number(text: str) -> float:
    """Value of an Arabic or Chinese numeral, with an optional trailing 万/亿/千万/百万 magnitude."""
    text = text.strip().replace(",", "").replace("，", "")
    if not text:
        raise NumeralError(text)
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([十百千万亿]*)", text)
    if match:
        value = float(match.group(1))
        for ch in match.group(2):
            value *= SMALL_UNITS.get(ch) or BIG_UNITS[ch]
        return value
    return float(parse_chinese_integer(text))


def tidy(value: float) -> int | float:
    """An integer when the value is whole, so that 100.0 prints as 100."""
    rounded = round(value, 6)
    return int(rounded) if rounded == int(rounded) else rounded


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, both as written (value, unit) and in base units (base_value, base_unit)."""

    value: int | float
    unit: str
    base_value: int | float
    base_unit: str


def make_quantity(number: str, magnitude: str, unit: str) -> Quantity:
    """Combine a numeral, a magnitude (万, 亿, 千万 …) and a unit into a Quantity.

    Money keeps its magnitude in the unit (100亿元 stays 100 亿元, the way plans and officers write it);
    counts are converted to plain numbers (1.2万家 becomes 12000 家) because 家 is the unit people compare.
    """
    coefficient = parse_number(number)
    factor = 1.0
    for ch in magnitude:
        factor *= SMALL_UNITS.get(ch) or BIG_UNITS[ch]
    base = coefficient * factor
    if unit in MONEY_UNITS:
        currency = unit
        if magnitude in ("", "十", "百", "千"):
            return Quantity(tidy(base), currency, tidy(base), currency)
        # 千万元 is written as 万元 with a larger coefficient: 5千万元 = 5000 万元.
        top = "亿" if "亿" in magnitude else "万"
        written = base / BIG_UNITS[top]
        return Quantity(tidy(written), top + currency, tidy(base), currency)
    if unit in PERCENT_UNITS:
        return Quantity(tidy(coefficient), "%", tidy(coefficient), "%")
    return Quantity(tidy(base), unit, tidy(base), unit)
