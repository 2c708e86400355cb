"""Quantified goals and numeric rules in plan text: value, unit, comparator, deadline and metric."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from lianzhang.plans.numbers import (
    COUNT_UNITS,
    LATIN_UNITS,
    MONEY_UNITS,
    NumeralError,
    Quantity,
    make_quantity,
    parse_chinese_integer,
)

_CN = "零〇一二两三四五六七八九十百千万亿"
_UNITS = sorted((*COUNT_UNITS, *MONEY_UNITS, "%", "‰"), key=len, reverse=True)
# Latin units must not run on into a word (5G, 3D, 100PFLOPSX are not amounts).
_UNIT_RE = "|".join(re.escape(u) for u in _UNITS) + "|(?i:" + "|".join(LATIN_UNITS) + ")(?![A-Za-z])"
_QUANTITY = re.compile(
    rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|[{_CN}]+)"
    rf"(?:\s*(?P<range>[-—–~～至到])\s*(?P<num2>\d+(?:\.\d+)?|[{_CN}]+))?"
    r"(?P<approx1>余|多)?(?P<mag>千万|百万|万亿|万|亿|千|百)?(?P<approx2>余|多)?"
    rf"(?P<unit>{_UNIT_RE})?"
    r"(?P<post>或以上|及以上|以上|左右|上下|或以下|及以下|以下|以内)?"
)
_PERCENT_WORDS = re.compile(rf"百分之(?P<num>\d+(?:\.\d+)?|[{_CN}]+)")

# Comparator words that may stand right before a number, longest first.
_PRE = [
    ("不低于", ">="),
    ("不少于", ">="),
    ("不小于", ">="),
    ("至少", ">="),
    ("最少", ">="),
    ("≥", ">="),
    (">=", ">="),
    ("不超过", "<="),
    ("不高于", "<="),
    ("不多于", "<="),
    ("不大于", "<="),
    ("最高", "<="),
    ("最多", "<="),
    ("至多", "<="),
    ("≤", "<="),
    ("<=", "<="),
    ("上限", "<="),
    ("超过", ">"),
    ("超出", ">"),
    ("突破", ">"),
    ("高于", ">"),
    ("大于", ">"),
    ("多于", ">"),
    ("逾", ">"),
    ("超", ">"),
    ("＞", ">"),
    (">", ">"),
    ("低于", "<"),
    ("少于", "<"),
    ("小于", "<"),
    ("不足", "<"),
    ("＜", "<"),
    ("<", "<"),
    ("大约", "~"),
    ("接近", "~"),
    ("将近", "~"),
    ("约", "~"),
    ("近", "~"),
    ("力争达到", "="),
    ("达到", "="),
    ("高达", "="),
    ("达", "="),
]
_POST = {
    "或以上": ">=",
    "及以上": ">=",
    "以上": ">=",
    "左右": "~",
    "上下": "~",
    "或以下": "<=",
    "及以下": "<=",
    "以下": "<=",
    "以内": "<=",
}

GOAL_VERBS = re.compile(
    r"建设|建成|新建|培育|引进|引入|招引|引育|打造|开展|组建|组织|形成|实现|达到|突破|新增|增加|增长|提升|提高|集聚|聚集"
    r"|遴选|认定|出现|吸引|孵化|创建|布局|设立|举办|服务|对接|带动|累计|落户|培养|建立|完成|推广|部署|覆盖|扶持|支持"
    r"|推动|评选|推出|研制|制定|出台|攻克|取得|培训|招募|发布|征集|构建|搭建|认证|上市|挂牌|入选|入库"
    r"|改造|培植|壮大|创办|汇聚|达|超|力争|争取|确保|力求"
)
GOAL_CUES = re.compile(
    r"力争|争取|志在|确保|目标|力求|计划到|预计到|到\s*20\d\d|至\s*20\d\d|20\d\d\s*年(?:底|末|前)|到二[〇零]"
    r"|十[一二三四五六]五”?\s*(?:末|期末)"
)
FACT_CUES = re.compile(
    r"已经|已|目前|现有|截至|截止|共有|先后|现已|当前|近年来|以来|过去|曾经|上半年|下半年"
    r"|(?:汇聚|集聚|聚集|形成|建成|实现|完成|取得|获得|引进|培育|落户|拥有|达到|动员|实施|投入|开展|出台|印发)了"
)
SUBSIDY = re.compile(
    r"补贴|补助|资助|奖励|奖补|贴息|给予|出资|配套|减免|费用的|投资额的|比例|安排[^，。；]*资金|资金支持"
)
PER_UNIT = re.compile(r"每家|每个|每项|单个|单项|单家|每户|每人|每年|每次")
_MASKED_PAIRS = [("《", "》"), ("“", "”"), ("〔", "〕"), ("「", "」"), ("『", "』"), ('"', '"')]
_MONEY_WORDS = re.compile(r"元|资金|补贴|奖励|资助|出资|投资|经费|营收|产值|收入|规模")
_VAGUE_WITH_ONE = {
    "支",
    "套",
    "种",
    "类",
    "片",
    "张",
    "条",
    "块",
    "份",
    "部",
    "件",
    "场",
    "次",
    "批",
    "处",
    "间",
}
_BAD_BEFORE = set("第统唯同逐之单任万其")
_YEAR = re.compile(
    r"(?P<cue>到|至|截至|截止|力争到|争取到|预计到|计划到|在|于|志在|力争|争取)?\s*(?P<year>(?:19|20)\d\d)\s*年"
    r"(?P<tail>底|末|前|以前|年底)?(?P<month>\s*\d{1,2}\s*月)?"
)
_PERIOD = re.compile(r"((?:19|20)\d\d)\s*年?\s*[-—–~～至到]+\s*((?:19|20)\d\d)\s*年")
_FIVE_YEAR_PLAN = re.compile(r"“?十([一二三四五六])五”?\s*(?:末|期末|时期末|规划期末)")
_CN_YEAR = re.compile(r"([一二][〇零九][〇零一二三四五六七八九]{2})年")


@dataclass
class Target:
    """A quantified goal, or a numeric rule when kind is 'rule'."""

    text: str
    metric: str
    value: int | float
    unit: str
    comparator: str
    deadline: str | None
    deadline_source: str | None = None
    kind: str = "goal"  # goal | reported (a goal quoted from another document) | rule
    location: str = ""
    value_max: int | float | None = None
    base_value: int | float | None = None
    base_unit: str | None = None
    frequency: str | None = None
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The contract fields first, then the extras (None-valued extras left out)."""
        data = {
            "text": self.text,
            "metric": self.metric,
            "value": self.value,
            "unit": self.unit,
            "comparator": self.comparator,
            "deadline": self.deadline,
            "deadline_source": self.deadline_source,
            "kind": self.kind,
            "location": self.location,
            "base_value": self.base_value,
            "base_unit": self.base_unit,
        }
        if self.value_max is not None:
            data["value_max"] = self.value_max
        if self.frequency:
            data["frequency"] = self.frequency
        data.update(self.extra)
        return data


@dataclass
class Context:
    """Where a paragraph sits: its section role, its location label and the deadline context."""

    location: str
    role: str  # goal | task | other | safeguard
    plan_end: str | None
    doc_year: int | None
    carried_year: str | None = None
    cites_plan: bool = False


@dataclass
class _Hit:
    start: int
    end: int
    quantity: Quantity
    comparator: str
    value_max: int | float | None
    has_comparator: bool
    attributive: bool
    unit_written: bool


def arabic_years(text: str) -> str:
    """二〇二五年 as 2025年; every character keeps its position."""
    return _CN_YEAR.sub(
        lambda m: (
            "".join(str("〇一二三四五六七八九".index(c.replace("零", "〇"))) for c in m.group(1)) + "年"
        ),
        text,
    )


def masked_spans(text: str) -> list[tuple[int, int]]:
    """Spans inside titles, quotes and document numbers, where numbers are names rather than amounts."""
    spans: list[tuple[int, int]] = []
    for left, right in _MASKED_PAIRS:
        start = 0
        while True:
            i = text.find(left, start)
            if i < 0:
                break
            j = text.find(right, i + 1)
            if j < 0:
                break
            spans.append((i, j + 1))
            start = j + 1
    return spans


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= position < b for a, b in spans)


def _comparator_before(text: str, start: int) -> tuple[str | None, int]:
    for word, comparator in _PRE:
        if text.endswith(word, 0, start):
            # 近 only means 'about' right before a number; 近三年 and 最近 are time expressions.
            if word == "近" and text.endswith("最近", 0, start):
                continue
            return comparator, start - len(word)
    return None, start


def _cn_value_ok(token: str) -> bool:
    if not any(ch in "一二两三四五六七八九" for ch in token) and not token.startswith("十"):
        return False
    # 一一, 二〇二三: digit-by-digit strings are years or codes, not amounts.
    return not (len(token) > 1 and all(ch in "零〇一二两三四五六七八九" for ch in token))


def find_quantities(clause: str, money_context: bool = False) -> list[_Hit]:
    """Amounts with a unit in a clause, with the comparator the surrounding words give them."""
    hits: list[_Hit] = []
    spans = masked_spans(clause)
    for match in _QUANTITY.finditer(clause):
        num = match.group("num")
        unit = match.group("unit")
        mag = match.group("mag") or ""
        start, end = match.start(), match.end()
        if _inside(start, spans):
            continue
        before = clause[start - 1] if start else ""
        if num[0].isdigit():
            if before.isdigit() or before in ".-/" or (before.isascii() and before.isalpha()):
                continue
        else:
            if before in _BAD_BEFORE:
                continue
            if not _cn_value_ok(num):
                # '突破千亿元' is an amount; '千亿级' and '千家万户' are not: only after a comparator.
                if not (num[0] in "十百千万亿" and _comparator_before(clause, start)[0] and unit):
                    continue
                num = "一" + num
            # 五千万元: the trailing 万/亿 of a Chinese numeral is its magnitude.
            cut = re.search(r"[万亿]+$", num)
            if cut and not mag:
                mag = cut.group()
                num = num[: cut.start()] or "一"
        if before == "第":
            continue
        # 一支队伍, 一套机制, 一种模式: a bare 一 with these classifiers is an article, not an amount.
        if num == "一" and not mag and unit in _VAGUE_WITH_ONE:
            continue
        if unit is None:
            # '200万' with no unit: money when the sentence is about money.
            if mag in ("万", "亿", "千万", "百万", "万亿") and (money_context or _MONEY_WORDS.search(clause)):
                unit = "元"
                unit_written = False
            else:
                continue
        else:
            unit_written = True
        after = clause[end : end + 2]
        if unit == "次" and after.startswith(("会议", "全会", "会")):
            continue
        try:
            quantity = make_quantity(num, mag, unit)
        except (NumeralError, ValueError, KeyError):
            continue
        value_max = None
        if match.group("range") and match.group("num2"):
            try:
                value_max = make_quantity(match.group("num2"), mag, unit).value
            except (NumeralError, ValueError, KeyError):
                value_max = None
        pre, _ = _comparator_before(clause, start)
        post = match.group("post")
        approx = match.group("approx1") or match.group("approx2")
        comparator = "="
        if value_max is not None:
            comparator = ">="
        elif post and pre in (None, "=", "~"):
            comparator = _POST[post]
        elif approx:
            comparator = ">"
        elif pre:
            comparator = pre
        elif post:
            comparator = _POST[post]
        attributive = clause[end : end + 1] == "的"
        hits.append(
            _Hit(
                start,
                end,
                quantity,
                comparator,
                value_max,
                bool(pre or post or approx),
                attributive,
                unit_written,
            )
        )
    for match in _PERCENT_WORDS.finditer(clause):
        try:
            value = (
                parse_chinese_integer(match.group("num"))
                if not match.group("num")[0].isdigit()
                else float(match.group("num"))
            )
        except NumeralError:
            continue
        quantity = make_quantity(str(value), "", "%")
        pre, _ = _comparator_before(clause, match.start())
        hits.append(_Hit(match.start(), match.end(), quantity, pre or "=", None, bool(pre), False, True))
    # In '出现3家以上估值1亿元以上的企业' the amount followed by 的 only qualifies the goal.
    if any(not h.attributive for h in hits):
        hits = [h for h in hits if not h.attributive]
    return hits


def split_sentences(text: str) -> list[tuple[int, str]]:
    """Sentences (ending in 。！？；) with their offsets; brackets are kept whole."""
    sentences: list[tuple[int, str]] = []
    start = 0
    depth = 0
    for i, ch in enumerate(text):
        if ch in "（(《“":
            depth += 1
        elif ch in "）)》”":
            depth = max(depth - 1, 0)
        elif (ch in "。！？；;!?" and depth == 0) or ch == "\n":
            # A line break always ends a sentence: table cells and titles carry no full stop.
            sentences.append((start, text[start : i + 1]))
            start = i + 1
            depth = 0
    if start < len(text):
        sentences.append((start, text[start:]))
    return [(offset, s) for offset, s in sentences if s.strip()]


def split_clauses(sentence: str) -> list[tuple[int, str]]:
    """Comma-separated clauses of a sentence, with offsets; brackets and quotes are kept whole."""
    clauses: list[tuple[int, str]] = []
    start = 0
    depth = 0
    for i, ch in enumerate(sentence):
        if ch in "（(《“":
            depth += 1
        elif ch in "）)》”":
            depth = max(depth - 1, 0)
        elif ch in "，,：:。；;！？!?" and depth == 0:
            if ch == "," and sentence[i - 1 : i].isdigit() and re.match(r"\d{3}(?!\d)", sentence[i + 1 :]):
                continue  # 1,000家: a thousands separator, not a clause break
            clauses.append((start, sentence[start:i]))
            start = i + 1
    clauses.append((start, sentence[start:]))
    return [(offset, c) for offset, c in clauses if c.strip()]


def _years(sentence: str, doc_year: int | None) -> tuple[list[tuple[int, str]], bool]:
    """Deadline years in a sentence with their positions, and whether a past date marks it as a report."""
    deadlines: list[tuple[int, str]] = []
    past = False
    sentence = arabic_years(sentence)
    spans = masked_spans(sentence)
    periods = [m.span() for m in _PERIOD.finditer(sentence)]
    for match in _YEAR.finditer(sentence):
        pos = match.start("year")
        if _inside(pos, spans) or any(a <= pos < b for a, b in periods):
            continue
        year = int(match.group("year"))
        cue = match.group("cue")
        if match.group("month") and not match.group("tail") and cue not in ("到", "至", "力争到", "争取到"):
            past = past or doc_year is None or year <= doc_year
            continue
        if cue in ("截至", "截止"):
            past = True
            continue
        if cue or match.group("tail") or (doc_year is not None and year > doc_year):
            deadlines.append((pos, str(year)))
        elif doc_year is None or year <= doc_year:
            past = True
    for match in _FIVE_YEAR_PLAN.finditer(sentence):
        # 到“十四五”末: the fourteenth five-year plan ends in 2025 (the n-th ends in 1955 + 5n).
        deadlines.append((match.start(), str(1955 + 5 * (10 + "一二三四五六".index(match.group(1)) + 1))))
    deadlines.sort()
    return deadlines, past


def extract(text: str, context: Context) -> list[Target]:
    """Goals and rules stated in one paragraph."""
    results: list[Target] = []
    for _, sentence in split_sentences(text):
        years, past = _years(sentence, context.doc_year)
        sentence_fact = bool(FACT_CUES.search(sentence)) or past
        sentence_subsidy = bool(SUBSIDY.search(sentence))
        money_context = bool(_MONEY_WORDS.search(sentence))
        for offset, clause in split_clauses(sentence):
            hits = find_quantities(clause, money_context)
            if not hits:
                continue
            clause_goal_cue = bool(GOAL_CUES.search(clause))
            clause_fact = bool(FACT_CUES.search(clause))
            if clause_fact or (sentence_fact and not clause_goal_cue and not _sentence_goal(sentence)):
                continue
            deadline, source = _deadline(years, offset, context)
            spans = _enumeration_spans(clause, hits)
            for hit in hits:
                part_start, part_end = next(
                    ((a, b) for a, b in spans if a <= hit.start < b), (0, len(clause))
                )
                part = clause[part_start:part_end]
                local = dataclasses.replace(hit, start=hit.start - part_start, end=hit.end - part_start)
                rule = _is_rule(local, part, sentence_subsidy)
                verb_before = bool(GOAL_VERBS.search(clause[: hit.start]))
                if not (rule or verb_before or hit.has_comparator or clause_goal_cue):
                    continue
                kind = "rule" if rule else ("reported" if context.cites_plan else "goal")
                results.append(
                    Target(
                        text=_clause_text(part),
                        metric=_metric(part, local),
                        value=hit.quantity.value,
                        unit=hit.quantity.unit,
                        comparator=hit.comparator,
                        deadline=None if rule else deadline,
                        deadline_source=None if rule else source,
                        kind=kind,
                        location=context.location,
                        value_max=hit.value_max,
                        base_value=hit.quantity.base_value,
                        base_unit=hit.quantity.base_unit,
                        frequency=_frequency(part),
                    )
                )
        if years:
            context.carried_year = years[-1][1] if _opens_with_year(sentence) else context.carried_year
    return results


def _enumeration_spans(clause: str, hits: list[_Hit]) -> list[tuple[int, int]]:
    """Split '组建1个联盟、建设1个平台' at 、 into one span per goal; a plain list of nouns stays whole."""
    cuts = [0]
    depth = 0
    for i, ch in enumerate(clause):
        if ch in "（(《“":
            depth += 1
        elif ch in "）)》”":
            depth = max(depth - 1, 0)
        elif ch == "、" and depth == 0:
            cuts.append(i + 1)
    cuts.append(len(clause) + 1)
    parts = [(cuts[i], cuts[i + 1] - 1) for i in range(len(cuts) - 1)]
    merged: list[tuple[int, int]] = []
    for start, end in parts:
        has_hit = any(start <= h.start < end for h in hits)
        if merged and not has_hit:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    if sum(1 for a, b in merged if any(a <= h.start < b for h in hits)) < 2:
        return [(0, len(clause))]
    return merged


def _sentence_goal(sentence: str) -> bool:
    # '到2021年…' overrides a stray 已/目前 elsewhere in a goal sentence only when it leads the sentence.
    return bool(re.match(r"\s*(?:力争|争取|计划|预计)?(?:到|至)\s*20\d\d\s*年", sentence))


def _opens_with_year(sentence: str) -> bool:
    return bool(
        re.match(
            r"\s*(?:——)?\s*(?:力争|争取|计划|预计)?(?:到|至)?\s*20\d\d\s*年(?:底|末)?\s*[,，]?", sentence
        )
    )


def _deadline(years: list[tuple[int, str]], offset: int, context: Context) -> tuple[str | None, str | None]:
    before = [year for pos, year in years if pos < offset]
    after = [year for pos, year in years if pos >= offset]
    if before:
        return before[-1], "explicit"
    if after:
        return after[0], "explicit"
    if context.carried_year:
        return context.carried_year, "explicit"
    if context.plan_end:
        return context.plan_end, "plan_period"
    return None, None


def _is_rule(hit: _Hit, clause: str, sentence_subsidy: bool) -> bool:
    unit = hit.quantity.base_unit
    clause_subsidy = bool(SUBSIDY.search(clause))
    # '对年营业收入首次突破10亿元的企业，给予…奖励': a threshold for a subsidy is a parameter too.
    if sentence_subsidy and (
        hit.attributive or re.match(r"\s*(?:(?:对|凡)(?!接|标|外|于|话)[^，。；]*的|经认定)", clause)
    ):
        return True
    if unit == "%":
        return clause_subsidy or sentence_subsidy
    if unit in MONEY_UNITS:
        if clause_subsidy or (
            hit.comparator in ("<=", "<") and (sentence_subsidy or PER_UNIT.search(clause))
        ):
            return True
        return sentence_subsidy and bool(PER_UNIT.search(clause))
    return (
        hit.comparator in ("<=", "<") and sentence_subsidy and bool(re.search(r"支持|资助|补贴|奖励", clause))
    )


def _frequency(clause: str) -> str | None:
    match = re.search(r"每年|每季度|每月|每半年|年均|年平均", clause)
    return match.group() if match else None


def _clause_text(clause: str) -> str:
    text = clause.strip()
    # A parenthetical remark at the end ('(“造”—AI+先进制造…)') is not part of the goal.
    if text.endswith(("）", ")")):
        depth = 0
        for i in range(len(text) - 1, -1, -1):
            if text[i] in "）)":
                depth += 1
            elif text[i] in "（(":
                depth -= 1
                if depth == 0:
                    if i > 0 and re.search(r"\d", text[:i]):
                        text = text[:i]
                    break
    return text.strip(" ，,。；;")


_LEADING = re.compile(
    r"^(?:(?:到|至|志在|在|于)?\s*20\d\d\s*年(?:底|末)?|力争|争取|确保|实现|重点|累计|全市|全区|全县|全省|每年|共"
    r"|并|和|及|同时|其中|进一步|志在)+"
)
_VERB_PREFIX = re.compile(
    r"^.*?(?:新增|建设|建成|新建|培育|引进|引入|打造|开展|组建|形成|遴选|认定|集聚|聚集|吸引|孵化|创建|设立|举办|服务"
    r"|对接|落户|培养|建立|推广|扶持|支持|推出|研制|制定|出台|招募|发布|征集|构建|搭建|推动|出现|开放|引育|突破|达到|实现"
    r"|给予)"
)
_TOTALS = ("数量", "数", "规模", "总量", "总额", "总数", "人数", "家数", "个数")


def _metric(clause: str, hit: _Hit) -> str:
    """A short name for what is counted: the noun after a count, or the subject before an amount."""
    after = clause[hit.end :]
    attributive = after.startswith("的")
    after = re.sub(r"^(?:或以上|及以上|以上|左右|上下|以内|以下|的)", "", after)
    after = re.sub(r"[（(][^）)]*[）)]", "", _clause_text(after))
    # '3家以上估值1亿元以上的企业': what is counted comes after the last 的.
    if "的" in after:
        after = after.rsplit("的", 1)[1]
    # '20个智能工厂和100个数字化车间': the first metric ends where the next amount begins.
    after = re.split(r"(?:和|及|与|、)?(?=\d|[一二两三四五六七八九十]+[个家项条座所])", after, maxsplit=1)[0]
    before = clause[: hit.start]
    stripped = True
    while stripped:
        # '最多不超过200万元': every comparator word in front of the amount goes.
        stripped = False
        for word, _ in _PRE:
            if before.endswith(word):
                before = before[: -len(word)]
                stripped = True
                break
    before = _LEADING.sub("", before.strip(" ，,"))
    residual = _VERB_PREFIX.sub("", before) if _VERB_PREFIX.search(before) else before
    if "的" in residual and not residual.endswith("的"):
        residual = residual.rsplit("的", 1)[1]
    residual = _LEADING.sub("", residual).strip(" ，,的")
    if len(residual) < 3 or residual in _TOTALS:
        # '应用场景开放数量达到50个': a bare 数量 left after the verb says less than the whole subject.
        residual = (
            before.strip(" ，,的")
            if len(before.strip(" ，,的")) > len(residual) and not re.search(r"给予|奖励|补贴", before)
            else residual
        )
    after = after.strip()
    unit = hit.quantity.base_unit
    counted = unit not in MONEY_UNITS and unit != "%" and unit not in LATIN_UNITS
    if counted:
        noun = after or residual or before
        return noun if noun.endswith(_TOTALS) else noun + "数量"
    if attributive and after:
        # '设立规模二十亿元的人工智能产业基金' → 人工智能产业基金规模.
        return after + (residual if residual in _TOTALS or residual.endswith(_TOTALS) else "")
    if unit == "%" and re.search(r"补贴|资助|补助|奖励|给予", clause):
        base = re.sub(r"^(?:择优)?按", "", residual or before).rstrip("的")
        return base if base.endswith(("比例", "率")) else base + "比例"
    return residual or after or before
