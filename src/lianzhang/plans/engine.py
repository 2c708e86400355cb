"""Plan documents to tasks, targets and rules: the pure parsing engine behind `lianzhang plan parse`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lianzhang.plans.departments import (
    Annotation,
    Directory,
    default_directory,
    labelled_annotation,
    parse_annotation,
    resolve_all,
    split_names,
    trailing_annotation,
)
from lianzhang.plans.reader import Document, Table, read_document, read_text
from lianzhang.plans.structure import MINOR_KINDS, Node, build_tree, match_heading, split_title
from lianzhang.plans.targets import Context, Target, arabic_years, extract
from lianzhang.plans.textnorm import normalize

# Section roles from heading words. Safeguards and background are checked first because
# 保障措施 contains 措施 and 发展基础 sections tell what exists, not what is planned.
_SAFEGUARD = re.compile(r"保障措施|保障机制|保障体系|组织实施|实施保障|工作要求|监督检查|考核|附则|保障$")
_BACKGROUND = re.compile(
    r"(基础|现状|形势|情况|背景|回顾|成效|成绩|问题|不足|意义|机遇|挑战|对比|优势|差距|短板)$|^(发展)?(基础|现状|形势)"
)
_GOAL = re.compile(r"目标|指标")
_TASK = re.compile(
    r"任务|行动(?!计划|方案)|举措|措施|重点工作|主要工作|工作重点|工作计划|工作安排|下一步|重点项目|重点工程|实施路径"
    r"|建设内容|主要内容|工作内容|策略|对策|建议|路径|重点领域|专项工程"
)
_SECTION_TITLE = re.compile(
    r"^(?:主要|重点|工作|具体|近期|下一步)?(?:任务|措施|举措|行动|工作|工作计划|工作安排)(?:和|与|及)?\S{0,8}$"
)
_NOT_TASKS = re.compile(
    r"指导思想|原则|总体要求|定位|布局|方向|思路|总则|附则|适用|定义|名词|说明|附件|前言|概述"
)
_FIRST_IS_LEAD = re.compile(
    r"(?:排|列|位)(?:在)?(?:第一|首)(?:位|个)?的?(?:单位|部门)?(?:为|是)牵头|第一个?(?:单位|部门)?为牵头|首位(?:单位|部门)?为牵头"
)
_PLAN_WORDS = re.compile(r"计划|规划|方案|意见|纲要|办法|措施|通知|政策")
_DATE = re.compile(r"((?:19|20)\d\d)\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|-\d{1,2}-\d{1,2})")
_MONTH = re.compile(r"((?:19|20)\d\d)\s*年\s*\d{1,2}\s*月")
_PERIOD = re.compile(r"((?:19|20)\d\d)\s*年?\s*[-—–~～至到]+\s*((?:19|20)\d\d)\s*年")
_CITED_PLAN = re.compile(r"《[^》]*(?:计划|规划|纲要|方案|意见)[^》]*》")

_COLUMN_ROLES = [
    ("number", re.compile(r"^(序号|编号|No\.?|NO\.?|序)$")),
    ("cooperating", re.compile(r"配合|协办|参与单位|协同单位|协作单位|支持单位|会同")),
    ("lead", re.compile(r"牵头|责任单位|责任部门|主责|负责单位|负责部门|主办单位|实施单位|承办单位")),
    ("deadline", re.compile(r"时限|完成时间|时间|进度|期限")),
    ("group", re.compile(r"^(类别|领域|分类|方向|类型|板块)$")),
    ("task", re.compile(r"任务|事项|措施|举措|内容|工作|项目|名称|目标")),
]


@dataclass
class Task:
    """A numbered action item with its departments."""

    number: str
    title: str
    lead: list[str]
    cooperating: list[str]
    text: str
    source: str = ""
    group: str = ""
    style: str = ""
    deadline: str | None = None

    def to_dict(self, city: str | None, directory: Directory) -> dict:
        """The contract fields first, then text, group and each department's directory record."""
        refs = resolve_all(self.lead + self.cooperating, city, directory)
        roles = ["lead"] * len(self.lead) + ["cooperating"] * len(self.cooperating)
        data = {
            "number": self.number,
            "title": self.title,
            "lead": self.lead,
            "cooperating": self.cooperating,
            "group": self.group,
            "text": self.text,
            "source": self.source,
            "department_style": self.style or None,
            "departments": [
                {"name": ref.name, "role": role, "id": ref.id, "canonical": ref.canonical, "known": ref.known}
                for ref, role in zip(refs, roles, strict=True)
            ],
        }
        if self.deadline:
            data["deadline"] = self.deadline
        return data


@dataclass
class PlanParse:
    """Everything read from one plan document."""

    path: str
    title: str | None
    period: tuple[int, int] | None
    city: str | None
    tasks: list[Task] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    rules: list[Target] = field(default_factory=list)
    outline: list[dict] = field(default_factory=list)
    directory: Directory = field(default_factory=default_directory, repr=False)

    @property
    def unknown_departments(self) -> list[str]:
        """Department names the directory does not know, to be confirmed by a person."""
        seen: list[str] = []
        for task in self.tasks:
            for ref in resolve_all(task.lead + task.cooperating, self.city, self.directory):
                if not ref.known and ref.name not in seen:
                    seen.append(ref.name)
        return seen

    def to_dict(self) -> dict:
        """The `plan parse --json` shape: tasks, targets and rules, plus document facts."""
        return {
            "path": self.path,
            "title": self.title,
            "period": {"start": self.period[0], "end": self.period[1]} if self.period else None,
            "city": self.city,
            "tasks": [task.to_dict(self.city, self.directory) for task in self.tasks],
            "targets": [target.to_dict() for target in self.targets],
            "rules": [_rule_dict(rule) for rule in self.rules],
            "unknown_departments": self.unknown_departments,
            "outline": self.outline,
        }


def _rule_dict(rule: Target) -> dict:
    data = rule.to_dict()
    for key in ("deadline", "deadline_source", "kind"):
        data.pop(key, None)
    data["parameter"] = data.pop("metric")
    return data


def parse_file(path: str | Path, city: str | None = None, directory: Directory | None = None) -> PlanParse:
    """Read and parse a .txt, .docx or .pdf plan document."""
    return parse_document(read_document(path), city=city, directory=directory)


def parse_text(text: str, city: str | None = None, directory: Directory | None = None) -> PlanParse:
    """Parse plan text given as a string."""
    return parse_document(read_text(text), city=city, directory=directory)


def parse_document(
    document: Document, city: str | None = None, directory: Directory | None = None
) -> PlanParse:
    """Parse a read document into tasks, targets and rules."""
    directory = directory or default_directory()
    root = build_tree(document.blocks)
    plain = normalize(document.text)
    title = _title(root)
    period = _period(title)
    if city is None:
        city = directory.detect_city((title or "") + plain[:3000]) or directory.detect_city(plain)
    roles = _roles(root)
    plan_end = str(period[1]) if period else _last_goal_year(root, roles)
    doc_year = period[0] if period else _document_year(plain)
    result = PlanParse(document.path, title, period, city, directory=directory)
    result.tasks = _tasks(root, roles, first_is_lead=bool(_FIRST_IS_LEAD.search(plain)))
    carried: dict[int, str | None] = {}
    for node in root.walk():
        role = roles.get(id(node), "other")
        if node.kind != "root":
            result.outline.append(
                {"number": node.number, "title": node.title, "kind": node.kind, "role": role}
            )
        if role == "background":
            continue
        context = Context(node.number or "正文", role, plan_end, doc_year)
        # '到2025年，实现以下目标：' stands above the sub-headings that list the goals.
        context.carried_year = carried.get(id(node.parent)) if node.parent is not None else None
        # A heading can state a goal by itself ('1.培育100家龙头企业'), so its title is read too.
        titled = (
            [node.title]
            if node.kind != "root" and re.search(r"\d|[一二两三四五六七八九十]", node.title)
            else []
        )
        for paragraph in titled + node.paragraphs:
            context.cites_plan = role not in ("goal", "task") and bool(_CITED_PLAN.search(paragraph))
            _collect(extract(paragraph, context), result)
        for table in node.tables:
            _collect(_table_targets(table, context), result)
        carried[id(node)] = context.carried_year
    for task in result.tasks:
        if task.style == "table":
            context = Context(task.number, "task", plan_end, doc_year)
            year = re.search(r"((?:19|20)\d\d)\s*年", task.deadline or "")
            context.carried_year = year.group(1) if year else None
            _collect(extract(task.text, context), result)
    return result


def _collect(found: list[Target], result: PlanParse) -> None:
    for target in found:
        (result.rules if target.kind == "rule" else result.targets).append(target)


# --- document facts ----------------------------------------------------------------------------------


def _title(root: Node) -> str | None:
    """The plan's own title: a short line naming a plan, the last one before the first section."""
    candidates: list[str] = []
    nodes = [root, *[child for child in root.children if child.kind == "annex"]]
    for node in nodes:
        paragraphs = node.paragraphs
        for i, text in enumerate(paragraphs[:12]):
            if len(text) > 70 or "。" in text or text.startswith("《") or not _PLAN_WORDS.search(text):
                continue
            if text.endswith(("：", ":")):
                continue
            title = text
            # '(征求意见稿)' on the next line belongs to the title.
            if i + 1 < len(paragraphs) and re.fullmatch(r"[（(][^）)]{1,10}稿[)）]", paragraphs[i + 1]):
                title += paragraphs[i + 1]
            candidates.append(title)
    with_period = [c for c in candidates if _PERIOD.search(c)]
    if with_period:
        return with_period[-1]
    return candidates[-1] if candidates else None


def _period(title: str | None) -> tuple[int, int] | None:
    match = _PERIOD.search(title or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def _document_year(text: str) -> int | None:
    years = [int(m.group(1)) for m in _DATE.finditer(text)]
    if not years:
        years = [int(m.group(1)) for m in _MONTH.finditer(text)]
    return max(years) if years else None


def _last_goal_year(root: Node, roles: dict[int, str]) -> str | None:
    years = [
        int(m.group(1))
        for node in root.walk()
        if roles.get(id(node)) == "goal"
        for paragraph in node.paragraphs
        for m in re.finditer(r"(?:到|至)\s*((?:19|20)\d\d)\s*年", arabic_years(paragraph))
    ]
    return str(max(years)) if years else None


def _roles(root: Node) -> dict[int, str]:
    """Each node's role from its own heading or the nearest ancestor that has one."""
    roles: dict[int, str] = {}

    def visit(node: Node, inherited: str) -> None:
        role = inherited
        if node.kind not in ("root", "annex"):
            own = _heading_role(node.title)
            # Inside a task section only a safeguard heading changes the role; a task titled
            # '加强基础设施建设' or '提升产业基础' is still a task.
            if own and (inherited in ("other", "goal") or own == "safeguard" or inherited == "background"):
                role = own
        elif node.kind == "annex":
            role = "other"
        roles[id(node)] = role
        for child in node.children:
            visit(child, role)

    visit(root, "other")
    return roles


def _heading_role(title: str) -> str | None:
    title = title.strip()
    if _SAFEGUARD.search(title):
        return "safeguard"
    if _TASK.search(title) and _GOAL.search(title):
        return "task"
    if _GOAL.search(title):
        return "goal"
    if _TASK.search(title):
        return "task"
    if _BACKGROUND.search(title):
        return "background"
    return None


# --- tasks -------------------------------------------------------------------------------------------


def node_annotation(node: Node) -> Annotation | None:
    """Departments written on a heading or its own paragraphs, in any of the styles plans use."""
    texts = [node.heading, *node.paragraphs]
    merged: Annotation | None = None
    for text in texts:
        found = labelled_annotation(text)
        if not found:
            continue
        # '牵头单位：…' and '配合单位：…' may stand on lines of their own.
        if merged is None:
            merged = Annotation(list(found[0].lead), list(found[0].cooperating), found[0].style)
        else:
            merged.lead += [n for n in found[0].lead if n not in merged.lead]
            merged.cooperating += [n for n in found[0].cooperating if n not in merged.cooperating]
            merged.style = "labelled"
    if merged is not None:
        return merged
    for text in reversed(texts):
        found = trailing_annotation(text)
        if found:
            return found[0]
    return None


def _tasks(root: Node, roles: dict[int, str], first_is_lead: bool = False) -> list[Task]:
    annotated: dict[int, Annotation | None] = {id(n): node_annotation(n) for n in root.walk()}
    tasks = _walk_tasks(root, roles, annotated, fallback=False)
    if not tasks:
        # No section is called 任务/措施/行动 …: the numbered items of the other sections are the tasks.
        tasks = _walk_tasks(root, roles, annotated, fallback=True)
    if first_is_lead:
        for task in tasks:
            if task.style in ("list", "responsible") and len(task.lead) > 1 and not task.cooperating:
                task.lead, task.cooperating = task.lead[:1], task.lead[1:]
    for node in root.walk():
        for table in node.tables:
            tasks.extend(_table_tasks(table))
    return tasks


def _walk_tasks(
    root: Node, roles: dict[int, str], annotated: dict[int, Annotation | None], fallback: bool
) -> list[Task]:
    tasks: list[Task] = []

    def has_annotated_descendant(node: Node) -> bool:
        return any(annotated[id(d)] is not None for d in node.walk() if d is not node)

    def visit(node: Node, active: bool, inherited: Annotation | None) -> None:
        role = roles.get(id(node), "other")
        if role in ("safeguard", "background") or (role == "goal" and not active):
            return
        is_item = node.kind not in ("root", "annex", "chapter", "section")
        annotation = annotated[id(node)]
        # '二、主要任务' with nothing numbered under it is a section, not a task.
        section_heading = bool(_SECTION_TITLE.match(node.title)) and not active
        if is_item and _is_leaf_task(node, annotation is not None) and not section_heading:
            if active or annotation is not None or inherited is not None:
                tasks.append(_make_task(node, annotation or inherited))
            return
        starts = bool(node.children) and (
            role == "task" or (fallback and node.kind != "root" and not _NOT_TASKS.search(node.title))
        )
        # A group heading that names the departments passes them to its items.
        passed = annotation if annotation is not None and not has_annotated_descendant(node) else inherited
        for child in node.children:
            visit(child, active or starts or passed is not None, passed)

    visit(root, False, None)
    return tasks


def _is_leaf_task(node: Node, annotated: bool) -> bool:
    # A box (专栏) is one item however it is laid out inside.
    if not node.children or node.kind == "box":
        return True
    # '1.…' with its own text and sub-points ①② below it: the sub-points belong to the item.
    return all(child.kind in MINOR_KINDS for child in node.children) and (bool(node.paragraphs) or annotated)


def _make_task(node: Node, annotation: Annotation | None) -> Task:
    lines = [node.text]
    sources = [node.source, *node.sources]
    for child in node.children:
        for sub in child.walk():
            lines.append(sub.text)
            sources.extend([sub.source, *sub.sources])
    parent = node.parent
    group = ""
    if parent is not None and parent.kind not in ("root", "annex"):
        group = f"{parent.label}{parent.title}"
    return Task(
        number=node.number,
        title=node.title,
        lead=list(annotation.lead) if annotation else [],
        cooperating=list(annotation.cooperating) if annotation else [],
        text="\n".join(line for line in lines if line),
        source="\n".join(s for s in dict.fromkeys(sources) if s),
        group=group,
        style=annotation.style if annotation else "",
    )


# --- tables ------------------------------------------------------------------------------------------


def _columns(header: list[str]) -> dict[str, list[int]]:
    columns: dict[str, list[int]] = {}
    for index, cell in enumerate(header):
        text = normalize(cell).replace("\n", "")
        for role, pattern in _COLUMN_ROLES:
            if pattern.search(text):
                columns.setdefault(role, []).append(index)
                break
    return columns


def _header_row(table: Table) -> int | None:
    for index, row in enumerate(table.rows[:4]):
        columns = _columns(row)
        if "lead" in columns or "cooperating" in columns:
            return index
    return None


def _table_tasks(table: Table) -> list[Task]:
    """Tasks from a 任务分工表: one row a task, with 牵头单位/配合单位 (or 责任单位) columns."""
    header_index = _header_row(table)
    if header_index is None:
        return []
    columns = _columns(table.rows[header_index])
    task_columns = columns.get("task") or []
    if not task_columns:
        used = {i for idx in columns.values() for i in idx}
        lengths = {
            i: sum(len(row[i]) for row in table.rows[header_index + 1 :] if i < len(row))
            for i in range(len(table.rows[header_index]))
            if i not in used
        }
        task_columns = [max(lengths, key=lambda i: lengths[i])] if lengths else []
    if not task_columns:
        return []
    tasks: list[Task] = []
    group_label = ""
    group_title = ""
    running = 0

    def cell(row: list[str], role: str) -> str:
        indexes = columns.get(role) or []
        return normalize(row[indexes[0]]) if indexes and indexes[0] < len(row) else ""

    for row in table.rows[header_index + 1 :]:
        cells = [normalize(c) for c in row]
        filled = [c for c in cells if c]
        if not filled:
            continue
        # A row whose cells all carry one text ('一、加快产业培育' merged across) names a group.
        if len(set(filled)) == 1 and (len(filled) > 1 or len(cells) == 1 or _looks_like_group(filled[0])):
            heading = match_heading(filled[0])
            if heading:
                group_label, group_title = heading[1], split_title(heading[2])[0]
            else:
                group_label, group_title = "", filled[0]
            continue
        task_texts = [normalize(row[i]) for i in task_columns if i < len(row) and row[i].strip()]
        if not task_texts:
            continue
        running += 1
        number = cell(row, "number").rstrip("、.．") or str(running)
        first = task_texts[0]
        heading = match_heading(first)
        if heading and not cell(row, "number"):
            number = heading[1]
            first = heading[2]
        title = split_title(first)[0]
        lead_text, coop_text = cell(row, "lead"), cell(row, "cooperating")
        annotation = parse_annotation(lead_text) if lead_text else None
        lead = annotation.lead if annotation and annotation.style != "labelled" else split_names(lead_text)
        cooperating = split_names(coop_text)
        if annotation is not None and annotation.cooperating:
            lead, cooperating = annotation.lead, annotation.cooperating + cooperating
        group_cell = cell(row, "group")
        group = f"{group_label}{group_title}" if (group_label or group_title) else group_cell
        tasks.append(
            Task(
                number=f"{group_label}.{number}" if group_label else number,
                title=title,
                lead=[n for n in lead if n],
                cooperating=[n for n in cooperating if n],
                text="\n".join(task_texts),
                source="\t".join(row),
                group=group,
                style="table",
                deadline=cell(row, "deadline") or None,
            )
        )
    return tasks


def _looks_like_group(text: str) -> bool:
    return bool(match_heading(text)) and len(text) <= 40


_TARGET_VALUE = re.compile(
    r"^(?P<pre>≥|>=|＞|>|≤|<=|<|＜|约|超过|不低于|不少于|不超过)?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>[^\d\s]*)$"
)
_VALUE_COMPARATORS = {
    "≥": ">=",
    ">=": ">=",
    "＞": ">",
    ">": ">",
    "≤": "<=",
    "<=": "<=",
    "<": "<",
    "＜": "<",
    "约": "~",
    "超过": ">",
    "不低于": ">=",
    "不少于": ">=",
    "不超过": "<=",
}


def _table_targets(table: Table, context: Context) -> list[Target]:
    """Targets from an indicator table: 指标 | 单位 | (基期值) | 目标值 or year columns."""
    for header_index, header in enumerate(table.rows[:3]):
        cells = [normalize(c).replace("\n", "") for c in header]
        metric_col = next(
            (i for i, c in enumerate(cells) if re.search(r"指标(名称)?$|^指标|^名称$", c)), None
        )
        if metric_col is None:
            continue
        unit_col = next((i for i, c in enumerate(cells) if re.fullmatch(r"(计量)?单位", c)), None)
        value_cols = [
            i
            for i, c in enumerate(cells)
            if i != metric_col
            and re.search(r"目标|预期|20\d\d", c)
            and not re.search(r"基期|基数|现状|基准|实际|完成", c)
        ]
        if not value_cols:
            continue
        targets: list[Target] = []
        for row in table.rows[header_index + 1 :]:
            if metric_col >= len(row):
                continue
            metric = normalize(row[metric_col])
            unit = (
                normalize(row[unit_col]).strip("（）()")
                if unit_col is not None and unit_col < len(row)
                else ""
            )
            for col in value_cols:
                if col >= len(row):
                    continue
                raw = normalize(row[col]).replace(",", "")
                match = _TARGET_VALUE.match(raw)
                if not metric or not match:
                    continue
                value = float(match.group("num"))
                year = re.search(r"(20\d\d)", cells[col])
                written_unit = match.group("unit") or unit
                comparator = _VALUE_COMPARATORS.get(match.group("pre") or "", "=")
                if written_unit.endswith("以上"):
                    written_unit, comparator = written_unit[:-2], ">="
                targets.append(
                    Target(
                        text=f"{metric} {raw}{'' if match.group('unit') else unit}",
                        metric=metric,
                        value=int(value) if value.is_integer() else value,
                        unit=written_unit,
                        comparator=comparator,
                        deadline=year.group(1) if year else context.plan_end,
                        deadline_source="explicit" if year else ("plan_period" if context.plan_end else None),
                        location=context.location,
                        base_value=int(value) if value.is_integer() else value,
                        base_unit=written_unit,
                    )
                )
        return targets
    return []
