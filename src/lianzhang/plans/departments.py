"""Responsible departments: find lead/cooperating annotations in text and resolve names to one record."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).with_name("data") / "departments.yaml"

OPEN, CLOSE = "（(【[", "）)】]"
_LEAD_LABELS = (
    "主要责任单位",
    "牵头责任单位",
    "牵头单位",
    "牵头部门",
    "主办单位",
    "主责单位",
    "责任单位",
    "责任部门",
    "负责单位",
    "实施单位",
    "承办单位",
    "牵头",
)
_COOP_LABELS = (
    "配合责任单位",
    "配合单位",
    "配合部门",
    "协办单位",
    "协同单位",
    "协作单位",
    "参与单位",
    "参加单位",
    "支持单位",
    "会同单位",
    "协助单位",
    "配合",
    "参与",
    "协办",
)
_RESPONSIBLE_LABELS = ("责任单位", "责任部门", "实施单位", "承办单位", "负责单位")
_LABEL = re.compile("(" + "|".join(sorted(_LEAD_LABELS + _COOP_LABELS, key=len, reverse=True)) + r")\s*[：:]")
_SEPARATORS = re.compile(r"[、，,；;/]|\s+")
# A responsible unit ends in one of these: a bureau, committee, office, government, company …
_STRONG_SUFFIX = re.compile(
    r"(局|委|办|厅|部|署|政府|委员会|办公室|管委会|管理委员会|各区|各县|镇街|镇区|街道办事处|领导小组|部门|单位)$"
)
_WEAK_SUFFIX = re.compile(
    r"(处|院|所|室|会|中心|集团|公司|银行|大学|学院|学校|实验室|研究院|研究所|分局|支队|总队|街道|园区|海关|法院"
    r"|检察院|联合会|协会|商会|联盟|基金会|电视台|报社|区|县|镇|街|小组|平台|基地|口岸|站|队|社)$"
)
_TRAILING_NOISE = re.compile(
    r"(按职责分工负责|按职责分工|按职能分工负责|按职责负责|分别负责|共同负责|负责|按职责|等单位|等部门|等)$"
)
_LEAD_MARK = re.compile(r"[（(](牵头|主责|牵头单位)[）)]")
_ADMIN_PREFIX = re.compile(r"^(?:中共)?(?:[\u4e00-\u9fff]{0,6}?(?:省|市|区|县|镇|街道|自治州))?$")


@dataclass
class Annotation:
    """Departments attached to a task: lead and cooperating names as written, and the style used."""

    lead: list[str] = field(default_factory=list)
    cooperating: list[str] = field(default_factory=list)
    style: str = "list"  # list | labelled | responsible (责任单位 only) | phrase | table

    @property
    def names(self) -> list[str]:
        """All names, lead first."""
        return self.lead + self.cooperating


def split_names(text: str) -> list[str]:
    """Split a list of departments (、 ， ; or spaces), keeping parentheses inside a name together."""
    names: list[str] = []
    depth = 0
    current = ""
    for ch in text:
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(depth - 1, 0)
        if depth == 0 and _SEPARATORS.fullmatch(ch):
            names.append(current)
            current = ""
        else:
            current += ch
    names.append(current)
    return [name for name in (clean_name(n) for n in names) if name]


def clean_name(name: str) -> str:
    """A department name without list punctuation and trailing 'responsible as per duties' phrases."""
    name = name.strip(" \t。.，,、；;：:\"'“”")
    if name.startswith("由"):
        name = name[1:]
    previous = None
    while previous != name:
        previous = name
        name = _TRAILING_NOISE.sub("", name).strip()
    return name


def looks_like_department(name: str, strict: bool = False) -> bool:
    """Whether a name reads like a responsible unit; strict admits only bureau/committee/office-like ones."""
    base = _LEAD_MARK.sub("", name)
    if not base or len(base) > 40 or re.search(r"[。，,；;：:\d]", base):
        return False
    if _STRONG_SUFFIX.search(base) or default_directory().is_known(base):
        return True
    return not strict and bool(_WEAK_SUFFIX.search(base))


def parse_annotation(inner: str) -> Annotation | None:
    """Read the inside of a department annotation in any of the styles plans use, or None."""
    inner = inner.strip()
    if not inner:
        return None
    labelled = _parse_labelled(inner)
    if labelled is not None:
        return labelled
    phrase = _parse_phrase(inner)
    if phrase is not None:
        return phrase
    return _parse_list(inner)


def _parse_labelled(inner: str) -> Annotation | None:
    matches = list(_LABEL.finditer(inner))
    if not matches or inner[: matches[0].start()].strip(" ，,；;"):
        return None
    result = Annotation(style="labelled")
    responsible: list[str] = []
    has_lead_label = False
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(inner)
        names = split_names(inner[match.end() : end])
        label = match.group(1)
        if label in _COOP_LABELS:
            result.cooperating.extend(names)
        elif label in _RESPONSIBLE_LABELS:
            responsible.extend(names)
        else:
            has_lead_label = True
            result.lead.extend(names)
    # 责任单位 beside a 牵头单位 label are the other responsible units; alone they are all leads.
    if has_lead_label:
        result.cooperating = responsible + result.cooperating
    else:
        result.lead = responsible + result.lead
        if not result.cooperating:
            result.style = "responsible"
    _apply_lead_marks(result)
    return result if result.names else None


def _parse_phrase(inner: str) -> Annotation | None:
    """'市科技局牵头，市工信局、市发改局配合' and similar."""
    segments = [s for s in re.split(r"[，,；;]", inner) if s.strip()]
    result = Annotation(style="phrase")
    matched = False
    for segment in segments:
        segment = segment.strip()
        lead = re.fullmatch(r"(?:由)?(.+?)(?:牵头负责|牵头|主责|主办)", segment)
        coop = re.fullmatch(r"(?:由)?(.+?)(?:配合|参与|协助|协同|协办|共同参与|等配合)", segment)
        if lead:
            names = split_names(lead.group(1))
            target = result.lead
        elif coop:
            names = split_names(coop.group(1))
            target = result.cooperating
        else:
            return None
        if not names or not all(looks_like_department(n) for n in names):
            return None
        target.extend(names)
        matched = True
    return result if matched else None


def _parse_list(inner: str) -> Annotation | None:
    names = split_names(inner)
    if not names or not all(looks_like_department(n) for n in names):
        return None
    # A single unknown name with a weak ending ("(示范区)") is a remark more often than a department.
    if len(names) == 1 and not looks_like_department(names[0], strict=True):
        return None
    result = Annotation(lead=names, style="list")
    _apply_lead_marks(result)
    return result


def _apply_lead_marks(result: Annotation) -> None:
    """'市科技局（牵头）、市工信局': the marked names lead and the others cooperate."""
    everyone = result.lead + result.cooperating
    if not any(_LEAD_MARK.search(n) for n in everyone):
        return
    result.lead = [_LEAD_MARK.sub("", n) for n in everyone if _LEAD_MARK.search(n)]
    result.cooperating = [n for n in everyone if not _LEAD_MARK.search(n)]


def matching_open(text: str, close_index: int) -> int:
    """Index of the bracket that opens the group closed at close_index, or -1."""
    depth = 0
    for i in range(close_index, -1, -1):
        ch = text[i]
        if ch in CLOSE:
            depth += 1
        elif ch in OPEN:
            depth -= 1
            if depth == 0:
                return i
    return -1


def trailing_annotation(text: str) -> tuple[Annotation, int] | None:
    """The department annotation closing a paragraph ('…服务。(市工信局、市科技局)') and where it starts."""
    stripped = text.rstrip(" \t。.；;，,")
    if not stripped or stripped[-1] not in CLOSE:
        return None
    start = matching_open(stripped, len(stripped) - 1)
    if start < 0:
        return None
    annotation = parse_annotation(stripped[start + 1 : -1])
    if annotation is None:
        return None
    return annotation, start


def labelled_annotation(text: str) -> tuple[Annotation, int, int] | None:
    """A labelled annotation anywhere: '（牵头单位：…，配合单位：…）' or a line starting '牵头单位：'."""
    line = _LABEL.match(text.strip())
    if line:
        annotation = _parse_labelled(text.strip().rstrip("。"))
        if annotation is not None:
            return annotation, 0, len(text)
    for match in re.finditer(r"[（(【]", text):
        start = match.start()
        depth = 0
        for end in range(start, len(text)):
            if text[end] in OPEN:
                depth += 1
            elif text[end] in CLOSE:
                depth -= 1
                if depth == 0:
                    break
        else:
            continue
        inner = text[start + 1 : end]
        if _LABEL.match(inner.strip()):
            annotation = _parse_labelled(inner)
            if annotation is not None:
                return annotation, start, end + 1
    return None


# --- directory ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentRef:
    """A department name as written, with the record it resolves to (id None when unknown)."""

    name: str
    id: str | None
    kind: str | None
    canonical: str | None
    official: str | None

    @property
    def known(self) -> bool:
        """Whether the directory knows this department."""
        return self.id is not None


class Directory:
    """Departments by kind and city, with aliases, so that every spelling of a department is one record."""

    def __init__(self, data: dict) -> None:
        self.kinds: dict[str, dict] = data.get("kinds", {})
        self.cities: dict[str, dict] = data.get("cities", {})
        self._aliases: list[tuple[str, str]] = sorted(
            (
                (alias, kind)
                for kind, spec in self.kinds.items()
                for alias in [spec["name"], *spec.get("aliases", [])]
            ),
            key=lambda item: len(item[0]),
            reverse=True,
        )
        self._city_names = {spec["name"]: key for key, spec in self.cities.items()}
        self._city_names.update({spec["name"].rstrip("市"): key for key, spec in self.cities.items()})

    def detect_city(self, text: str) -> str | None:
        """The directory city a document is about: the one its title or text names most often."""
        counts = {key: text.count(spec["name"].rstrip("市")) for key, spec in self.cities.items()}
        best = max(counts.items(), key=lambda item: item[1], default=(None, 0))
        return best[0] if best[1] else None

    def is_known(self, name: str, city: str | None = None) -> bool:
        """Whether a name resolves to a directory record."""
        return self.resolve(name, city).known

    def resolve(self, name: str, city: str | None = None, inherit: str | None = None) -> DepartmentRef:
        """Resolve a name as written; `inherit` is the prefix of the previous name in the same list."""
        base = _LEAD_MARK.sub("", name).strip()
        for key, spec in self.cities.items():
            if city is not None and key != city and not base.startswith(spec["name"]):
                continue
            for body in spec.get("bodies", []):
                for alias in [body["name"], *body.get("aliases", [])]:
                    if base.endswith(alias) and _ADMIN_PREFIX.match(base[: -len(alias)]):
                        return DepartmentRef(name, body["id"], "body", body["name"], body["name"])
        for alias, kind in self._city_aliases(city):
            if base.endswith(alias) and _ADMIN_PREFIX.match(base[: -len(alias)]):
                return self._ref(name, kind, base[: -len(alias)], city, inherit)
        for alias, kind in self._aliases:
            if base.endswith(alias):
                prefix = base[: -len(alias)]
                if _ADMIN_PREFIX.match(prefix):
                    return self._ref(name, kind, prefix, city, inherit)
        return DepartmentRef(name, None, None, None, None)

    def _city_aliases(self, city: str | None) -> list[tuple[str, str]]:
        if city is None or city not in self.cities:
            return []
        return sorted(
            self.cities[city].get("aliases", {}).items(), key=lambda item: len(item[0]), reverse=True
        )

    def _ref(self, name: str, kind: str, prefix: str, city: str | None, inherit: str | None) -> DepartmentRef:
        prefix = prefix.removeprefix("中共")
        if not prefix and inherit:
            # '市科技局、工业和信息化局': the second name shares the first one's 市.
            prefix = inherit
        kind_name = self.kinds[kind]["name"]
        if kind.startswith("all_"):
            scope_key, label = (city or "city"), ""
        elif prefix in ("", "市"):
            scope_key, label = (city or "city"), "市"
        elif prefix in self._city_names:
            scope_key, label = self._city_names[prefix], prefix
        elif prefix in ("区", "县", "镇", "省"):
            scope_key, label = (
                {"区": "district", "县": "county", "镇": "town", "省": "province"}[prefix],
                prefix,
            )
        else:
            scope_key, label = prefix, prefix
        official = self.cities.get(scope_key, {}).get("departments", {}).get(kind)
        canonical = official or label + kind_name
        return DepartmentRef(name, f"{scope_key}.{kind}", kind, canonical, official)

    @staticmethod
    def prefix_of(name: str) -> str:
        """The administrative prefix a name starts with (市, 广州市, 区 …), for the names that follow it."""
        match = re.match(r"^(?:中共)?([\u4e00-\u9fff]{0,6}?(?:市|区|县|省))", name)
        return match.group(1) if match else ""


@functools.lru_cache(maxsize=1)
def default_directory() -> Directory:
    """The directory shipped with the package."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        return Directory(yaml.safe_load(handle))


def resolve_all(
    names: list[str], city: str | None = None, directory: Directory | None = None
) -> list[DepartmentRef]:
    """Resolve a list of names, letting a bare name inherit the prefix of the name before it."""
    directory = directory or default_directory()
    refs: list[DepartmentRef] = []
    inherit: str | None = None
    for name in names:
        ref = directory.resolve(name, city, inherit)
        refs.append(ref)
        prefix = Directory.prefix_of(name)
        if prefix:
            inherit = prefix
    return refs
