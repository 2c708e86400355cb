"""Organisation names reduced to comparable keys: legal form, place, branch and unit suffixes removed."""

from __future__ import annotations

import functools
import re
import unicodedata

# Province-level names (short and full): a leading or bracketed place name is not part of the identity.
_PROVINCES = [
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
]
# Prefecture-level cities of Guangdong and the largest cities elsewhere; enough for the usual prefixes.
_CITIES = [
    "广州",
    "深圳",
    "珠海",
    "汕头",
    "佛山",
    "韶关",
    "湛江",
    "肇庆",
    "江门",
    "茂名",
    "惠州",
    "梅州",
    "汕尾",
    "河源",
    "阳江",
    "清远",
    "东莞",
    "中山",
    "潮州",
    "揭阳",
    "云浮",
    "杭州",
    "南京",
    "苏州",
    "武汉",
    "成都",
    "西安",
    "长沙",
    "合肥",
    "厦门",
    "青岛",
    "宁波",
    "郑州",
    "济南",
    "沈阳",
    "大连",
    "无锡",
]
_PLACE = "|".join(sorted(_PROVINCES + _CITIES, key=len, reverse=True))
_LEADING_PLACE = re.compile(rf"^(?:(?:{_PLACE})(?:省|市|自治区|特别行政区)?)+")
_TRAILING_PLACE = re.compile(rf"(?:(?:{_PLACE})(?:省|市)?)+$")
_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
# A branch or sub-unit ends the name of the organisation it belongs to.
_BRANCH = re.compile(r"(?:分公司|分行|支行|分部|分中心|办事处|分院|分所|营业部|代表处).*$")
_LEGAL_FORM = re.compile(
    r"(?:股份有限公司|有限责任公司|有限公司|股份公司|集团公司|集团|公司|合伙企业|(?:普通|有限)合伙|"
    r"co\.?,?\s*ltd\.?|ltd\.?|inc\.?|corp\.?|limited|llc|gmbh)$",
    re.IGNORECASE,
)
# Universities and academies: a school or institute inside one is the same organisation for recusal.
_PARENT_UNIT = re.compile(r"^(.{2,}?(?:大学|科学院|工程院|社会科学院|研究院|医院))(?=.)")
_NOISE = re.compile(r"[\s·•・,，.。、\-—_/&]+")


@functools.lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=65536)
def normalise_org(name: str) -> str:
    """The comparable core of an organisation name ('' when nothing is left)."""
    text = unicodedata.normalize("NFKC", name or "").strip().lower()
    if not text:
        return ""
    text = _t2s().convert(text)
    text = _BRACKETED.sub("", text)
    text = _NOISE.sub("", text)
    text = _BRANCH.sub("", text)
    company = False
    for _ in range(4):  # "某某科技集团股份有限公司深圳" loses a place and two legal-form layers
        stripped = _LEGAL_FORM.sub("", _TRAILING_PLACE.sub("", text))
        if stripped == text or len(stripped) < 2:
            break
        company, text = True, stripped
    # Companies are written with or without their city ("广州市甲科技" = "甲科技（广州）"); a university or
    # hospital named after its city ("中山大学", "深圳市第一人民医院") keeps it.
    core = _LEADING_PLACE.sub("", text) if company else text
    # A name that is only a place ("广州市") keeps it rather than becoming empty.
    return core if len(core) >= 2 else text


@functools.lru_cache(maxsize=65536)
def org_keys(name: str) -> frozenset[str]:
    """Keys under which two names count as one organisation: the core and, for units, their parent."""
    core = normalise_org(name)
    if not core:
        return frozenset()
    keys = {core}
    parent = _PARENT_UNIT.match(core)
    if parent:
        keys.add(parent.group(1))
    return frozenset(keys)


def same_org(a: str, b: str) -> bool:
    """Whether two organisation names denote the same organisation (or one is a unit of the other)."""
    return bool(org_keys(a) & org_keys(b))
