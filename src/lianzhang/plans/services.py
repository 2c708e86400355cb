"""Plan services: import a document, review and correct its parse, confirm it, matrix and targets."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from lianzhang.accounts import audit
from lianzhang.accounts.models import Department, Role
from lianzhang.accounts.permissions import Actor, guarded
from lianzhang.common.versioning import StaleEdit
from lianzhang.enterprises.services import NotFound
from lianzhang.plans import exports, live
from lianzhang.plans.departments import DepartmentRef, default_directory, resolve_all
from lianzhang.plans.engine import PlanParse, parse_document
from lianzhang.plans.models import COMPARATOR_CHOICES, Plan, Rule, Target, TargetReading, Task, TaskDepartment
from lianzhang.plans.reader import DocumentError, read_document
from lianzhang.plans.status import TargetView, chart_data, target_view, target_views, task_views
from lianzhang.regions.models import Region

SUPPORTED = (".txt", ".docx", ".pdf")
COMPARATORS = {code for code, _ in COMPARATOR_CHOICES}
EDITOR_ROLES = frozenset({Role.CHAIN_OFFICE, Role.ADMIN})
_NAME_SPLIT = re.compile(r"[、，,；;／/\s]+")


def _delete_audited(actor: Actor, obj: Any, state: dict[str, Any]) -> None:
    """Delete a record and log it under the id it had (Django clears the id on delete)."""
    pk = obj.pk
    obj.delete()
    obj.pk = pk
    audit.record(actor, "delete", obj, state)


def split_department_names(text: str) -> list[str]:
    """Department names typed as one line ('市科技局、市工信局'), in order, without repeats."""
    return list(dict.fromkeys(n.strip() for n in _NAME_SPLIT.split(text or "") if n.strip()))


# --- reading plans -----------------------------------------------------------------------------------


def _visible_plans(actor: Actor) -> QuerySet[Plan]:
    """Drafts are the chain office's work in progress; everybody else sees confirmed plans only."""
    qs = Plan.objects.select_related("city")
    if actor.role in EDITOR_ROLES:
        return qs
    return qs.filter(status=Plan.Status.CONFIRMED)


def _plan(actor: Actor, pk: int) -> Plan:
    plan = Plan.objects.select_related("city").filter(pk=pk).first()
    if plan is None:
        raise NotFound(f"规划 {pk} 不存在")
    if not _visible_plans(actor).filter(pk=pk).exists():
        raise PermissionDenied("该规划尚未确认，只有链长办可以查看")
    return plan


@guarded("plan.view")
def list_plans(actor: Actor) -> QuerySet[Plan]:
    """Plans the actor may read, newest first, with their numbers of tasks and targets."""
    return _visible_plans(actor).annotate(
        task_count=Count("tasks", distinct=True), target_count=Count("targets", distinct=True)
    )


@guarded("plan.view")
def plan_overview(actor: Actor, pk: int, *, today: date | None = None) -> dict[str, Any]:
    """A plan with its targets' status, its tasks' combined progress and its rules."""
    plan = _plan(actor, pk)
    today = today or timezone.localdate()
    tasks = plan.tasks.select_related("plan").prefetch_related("assignments__department")
    targets = plan.targets.select_related("plan")
    views = task_views(tasks, today)
    own = {
        v.task.pk
        for v in views
        if actor.department_id and any(p.assignment.department_id == actor.department_id for p in v.parts)
    }
    return {
        "plan": plan,
        "targets": target_views(targets, today),
        "tasks": views,
        # Task pages open to the chain office and districts for every task, to a department for its own.
        "open_task_ids": {v.task.pk for v in views} if actor.role != Role.DEPARTMENT else own,
        "rules": list(plan.rules.all()),
        "unknown_departments": unknown_departments(plan),
        "can_edit": actor.role in EDITOR_ROLES,
        "today": today,
    }


def unknown_departments(plan: Plan) -> list[str]:
    """Names on the plan's tasks that match no department and that the directory cannot create."""
    rows = TaskDepartment.objects.filter(task__plan=plan, department__isnull=True, resolved_name="")
    return list(dict.fromkeys(rows.order_by("task__order", "order").values_list("name", flat=True)))


# --- departments: names as written → department records ----------------------------------------------


def _city_departments(plan: Plan) -> list[Department]:
    return list(Department.objects.filter(city=plan.city).order_by("name"))


def _aliases(department: Department) -> set[str]:
    return {a.strip() for a in department.aliases.splitlines() if a.strip()}


def _match(departments: list[Department], written: str, resolved: str) -> Department | None:
    """The department a written name stands for: by the directory's official name, then by any spelling."""
    if resolved:
        for d in departments:
            if d.name == resolved:
                return d
    for d in departments:
        if written in {d.name, d.short_name, *_aliases(d)}:
            return d
    return None


def _creatable_name(plan: Plan, ref: DepartmentRef) -> str:
    """The full name under which a directory department of the plan's own city would be created, or ''."""
    if not ref.known or ref.id is None or ref.canonical is None:
        return ""
    # A department of another city, of a district or of the province is not this city's to create.
    if ref.id.split(".")[0] != plan.directory_city:
        return ""
    if ref.official:
        return ref.official[:80]
    canonical = ref.canonical
    if ref.kind == "body" or canonical.startswith(plan.city.name):
        return canonical[:80]
    return (plan.city.name + canonical.removeprefix("市"))[:80]


def _directory_city(region: Region) -> str:
    """The directory key of a city (guangzhou …), or its division code when the directory lacks it."""
    for key, spec in default_directory().cities.items():
        if spec["name"] == region.name:
            return key
    return region.code


def _assignment_rows(
    plan: Plan,
    task: Task,
    lead: list[str],
    cooperating: list[str],
    departments: list[Department],
    mapped: dict[str, int],
) -> list[TaskDepartment]:
    """Unsaved rows for a task's departments, resolved through the directory and the city's records."""
    names = list(dict.fromkeys([*lead, *cooperating]))
    roles = {n: TaskDepartment.Role.LEAD for n in reversed(lead)}
    refs = resolve_all(names, plan.directory_city or None, default_directory())
    rows = []
    for order, (name, ref) in enumerate(zip(names, refs, strict=True)):
        resolved = _creatable_name(plan, ref)
        department = _match(departments, name, resolved)
        rows.append(
            TaskDepartment(
                task=task,
                role=roles.get(name, TaskDepartment.Role.COOPERATING),
                order=order,
                name=name[:80],
                directory_id=(ref.id or "")[:80],
                resolved_name=resolved,
                department_id=department.pk if department else mapped.get(name),
            )
        )
    return rows


def _mapped_names(plan: Plan) -> dict[str, int]:
    """Written names the officer (or the directory) already tied to a department in this plan."""
    rows = TaskDepartment.objects.filter(task__plan=plan, department__isnull=False)
    return dict(rows.values_list("name", "department_id"))


def _bind_departments(actor: Actor, plan: Plan) -> list[Department]:
    """Tie every resolvable name to a department, creating missing directory departments of the city."""
    departments = _city_departments(plan)
    created: list[Department] = []
    for row in TaskDepartment.objects.filter(task__plan=plan, department__isnull=True).order_by("id"):
        department = _match(departments, row.name, row.resolved_name)
        if department is None and row.resolved_name:
            short = _short_name(plan, row)
            aliases = [
                a for a in _directory_aliases(plan, row.directory_id) if a not in (row.resolved_name, short)
            ]
            department = Department.objects.create(
                name=row.resolved_name, short_name=short, aliases="\n".join(aliases), city=plan.city
            )
            audit.record(actor, "create", department, audit.snapshot(department))
            departments.append(department)
            created.append(department)
        if department is not None:
            row.department = department
            row.save(update_fields=["department"])
    _drop_duplicate_assignments(plan)
    return created


def _directory_aliases(plan: Plan, directory_id: str) -> list[str]:
    """The directory's other names of a department, as a city document writes them (市工信委, 市经信局 …)."""
    directory = default_directory()
    city_key, _, kind = directory_id.partition(".")
    if kind in directory.kinds:
        spec = directory.kinds[kind]
        local = [a for a, k in directory.cities.get(city_key, {}).get("aliases", {}).items() if k == kind]
        names = [spec["name"], *spec.get("aliases", []), *local]
        # 各区人民政府 and the like name no single bureau, so they take no 市.
        prefix = "" if kind.startswith("all_") else "市"
        return list(dict.fromkeys(f"{prefix}{n}" for n in names))
    for body in directory.cities.get(city_key, {}).get("bodies", []):
        if body["id"] == directory_id:
            return list(dict.fromkeys(body.get("aliases", [])))
    return []


def _short_name(plan: Plan, row: TaskDepartment) -> str:
    """The abbreviation the plan itself uses (市工信局), preferring one that starts with 市."""
    spellings = list(
        TaskDepartment.objects.filter(task__plan=plan, resolved_name=row.resolved_name)
        .order_by("task__order", "order")
        .values_list("name", flat=True)
    )
    for name in spellings:
        if name.startswith("市") and len(name) <= 40 and name != row.resolved_name:
            return name
    short = min(spellings, key=len, default="")
    return short if short != row.resolved_name and len(short) <= 40 else ""


def _drop_duplicate_assignments(plan: Plan) -> None:
    """Two spellings of one department on one task (市科技局, 市科学技术局) make one assignment."""
    seen: set[tuple[int, int]] = set()
    rows = TaskDepartment.objects.filter(task__plan=plan, department__isnull=False)
    for row in rows.order_by("task_id", "-role", "order", "id"):
        # '-role' puts lead before cooperating ('lead' > 'cooperating').
        key = (row.task_id, row.department_id)
        if key in seen:
            row.delete()
        else:
            seen.add(key)


def _spellings(department: Department) -> set[str]:
    return {department.name, department.short_name, *_aliases(department)}


def _add_aliases(
    actor: Actor, department: Department, names: list[str], departments: list[Department]
) -> None:
    """Add spellings to a department's aliases unless some department of the city already answers to them."""
    new = [
        n
        for n in dict.fromkeys(names)
        if n not in _spellings(department) and not any(n in _spellings(d) for d in departments)
    ]
    if not new:
        return
    before = department.aliases
    department.aliases = "\n".join([*(a for a in before.splitlines() if a.strip()), *new])
    department.save(update_fields=["aliases"])
    audit.record(actor, "update", department, {"aliases": [before, department.aliases]})


def _learn_aliases(actor: Actor, plan: Plan) -> None:
    """Remember each spelling the plan used as an alias of its department, so the next plan resolves it."""
    departments = _city_departments(plan)
    spellings: dict[int, list[str]] = {}
    rows = TaskDepartment.objects.filter(task__plan=plan, department__isnull=False)
    for name, dep_id in rows.values_list("name", "department_id"):
        spellings.setdefault(dep_id, []).append(name)
    for department in departments:
        if department.pk in spellings:
            _add_aliases(actor, department, spellings[department.pk], departments)


@guarded("plan.edit")
def department_choices(actor: Actor, plan_pk: int) -> list[Department]:
    """The departments of the plan's city, for mapping a name the directory does not know."""
    return _city_departments(_plan(actor, plan_pk))


@guarded("plan.edit")
def map_department(
    actor: Actor, plan_pk: int, name: str, department_id: int | None = None, *, create: bool = False
) -> Department:
    """Tie a written name to a department of the plan's city, or create a department of exactly that name."""
    plan = _plan(actor, plan_pk)
    rows = TaskDepartment.objects.filter(task__plan=plan, name=name)
    if not rows.exists():
        raise ValidationError({"name": f"本规划的任务中没有部门名称“{name}”"})
    with transaction.atomic():
        if create:
            department = Department.objects.filter(city=plan.city, name=name).first()
            if department is None:
                department = Department.objects.create(name=name[:80], city=plan.city)
                audit.record(actor, "create", department, audit.snapshot(department))
        else:
            department = Department.objects.filter(pk=department_id, city=plan.city).first()
            if department is None:
                raise ValidationError({"department_id": f"请选择{plan.city.name}的部门"})
        rows.update(department=department)
        _drop_duplicate_assignments(plan)
        # The officer said so: the name means this department, in this plan and the next.
        _add_aliases(actor, department, [name], _city_departments(plan))
        audit.record(actor, "map_department", plan, {"name": name, "department": [None, str(department)]})
    return department


# --- import ------------------------------------------------------------------------------------------


def _read_upload(source: str | Path | BinaryIO, filename: str, max_bytes: int | None) -> bytes:
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    data = source.read(max_bytes + 1 if max_bytes else -1)
    if max_bytes and len(data) > max_bytes:
        raise ValidationError({"file": f"文件超过 {max_bytes // (1024 * 1024)} MB 上限"})
    return data


def _source_line(lines: list[str], source: str, start: int) -> int | None:
    """The line of the document text where a task's paragraph begins (searching from `start` first)."""
    first = (source.split("\n")[0] if source else "").strip()
    if not first:
        return None
    order = [*range(start, len(lines)), *range(0, start)]
    for i in order:
        if lines[i].strip() == first:
            return i
    probe = first[:40]
    for i in order:
        if probe in lines[i]:
            return i
    return None


def _deadline_of(year: str | None) -> date | None:
    match = re.search(r"(?:19|20)\d\d", year or "")
    return date(int(match.group(0)), 12, 31) if match else None


def _detected_city(parse: PlanParse) -> Region:
    """The city the document names, or a request to choose one."""
    if parse.city:
        name = default_directory().cities[parse.city]["name"]
        region = Region.objects.filter(name=name, level=Region.Level.CITY).first()
        if region is not None:
            return region
    raise ValidationError({"city_code": "无法从文件判断所属城市，请选择城市后重新上传"})


@guarded("plan.import")
def import_plan(
    actor: Actor,
    source: str | Path | BinaryIO,
    filename: str,
    *,
    city_code: str | None = None,
    max_bytes: int | None = None,
) -> Plan:
    """Parse a .txt/.docx/.pdf plan document into a draft plan for the chain office to review."""
    from django.conf import settings

    name = Path(filename or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise ValidationError(
            {"file": f"不支持的文件类型 {suffix or '（无扩展名）'}，只支持 .txt、.docx 和 .pdf"}
        )
    data = _read_upload(source, name, max_bytes or settings.MAX_UPLOAD_BYTES)
    directory = default_directory()
    chosen = Region.objects.filter(pk=city_code, level=Region.Level.CITY).first() if city_code else None
    if city_code and chosen is None:
        raise ValidationError({"city_code": f"未知的城市区划代码 {city_code!r}"})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"document{suffix}"
        path.write_bytes(data)
        try:
            document = read_document(path)
            parse = parse_document(
                document, city=_directory_city(chosen) if chosen else None, directory=directory
            )
        except DocumentError as exc:
            raise ValidationError({"file": str(exc).replace(str(path), name)}) from None
        except Exception as exc:  # a malformed file must come back as a message, not a server error
            raise ValidationError({"file": f"无法解析 {name}：{type(exc).__name__}"}) from None
    city = chosen or _detected_city(parse)
    text = document.text
    with transaction.atomic():
        plan = Plan.objects.create(
            title=(parse.title or Path(name).stem)[:300],
            city=city,
            directory_city=_directory_city(city),
            period_start=parse.period[0] if parse.period else None,
            period_end=parse.period[1] if parse.period else None,
            source_name=name[:255],
            source_kind=document.kind,
            source_text=text,
            created_by_id=actor.user_id,
        )
        _store_parse(plan, parse, text)
        audit.record(
            actor,
            "import",
            plan,
            {
                "source_name": name,
                "tasks": plan.tasks.count(),
                "targets": plan.targets.count(),
                "rules": plan.rules.count(),
                "unknown_departments": unknown_departments(plan),
            },
        )
    return plan


def _store_parse(plan: Plan, parse: PlanParse, text: str) -> None:
    lines = text.split("\n")
    departments = _city_departments(plan)
    start = 0
    rows: list[TaskDepartment] = []
    for order, parsed in enumerate(parse.tasks, start=1):
        line = _source_line(lines, parsed.source, start)
        if line is not None:
            start = line
        task = Task.objects.create(
            plan=plan,
            order=order,
            number=parsed.number[:40],
            title=parsed.title[:300],
            text=parsed.text,
            group=parsed.group[:300],
            source=parsed.source,
            source_line=line,
            deadline=_deadline_of(parsed.deadline),
        )
        rows += _assignment_rows(plan, task, parsed.lead, parsed.cooperating, departments, {})
    TaskDepartment.objects.bulk_create(rows)
    Target.objects.bulk_create(
        Target(
            plan=plan,
            order=order,
            text=t.text,
            metric=t.metric[:200] or t.text[:200],
            value=float(t.value),
            value_max=float(t.value_max) if t.value_max is not None else None,
            unit=t.unit[:20],
            comparator=t.comparator if t.comparator in COMPARATORS else "=",
            deadline=_deadline_of(t.deadline),
            kind=Target.Kind.REPORTED if t.kind == "reported" else Target.Kind.GOAL,
            location=t.location[:60],
        )
        for order, t in enumerate(parse.targets, start=1)
    )
    Rule.objects.bulk_create(
        Rule(plan=plan, order=order, text=r.text, parameters=_rule_parameters(r.to_dict()))
        for order, r in enumerate(parse.rules, start=1)
    )


def _rule_parameters(data: dict) -> dict:
    params = {k: v for k, v in data.items() if k not in ("text", "deadline", "deadline_source", "kind")}
    params["parameter"] = params.pop("metric", "")
    return params


# --- review: the parse as the officer corrects it ----------------------------------------------------


@guarded("plan.edit")
def review_data(actor: Actor, pk: int) -> dict[str, Any]:
    """Everything the review page shows: source lines, tasks with their names, targets, rules, unknowns."""
    plan = _plan(actor, pk)
    tasks = list(plan.tasks.prefetch_related("assignments__department"))
    return {
        "plan": plan,
        "source_lines": plan.source_text.split("\n"),
        "tasks": tasks,
        "targets": list(plan.targets.all()),
        "rules": list(plan.rules.all()),
        "unknown_departments": unknown_departments(plan),
        "departments": _city_departments(plan),
        "tasks_without_lead": [t for t in tasks if not any(a.role == "lead" for a in t.assignments.all())],
    }


def task_names(task: Task) -> tuple[list[str], list[str]]:
    """A task's lead and cooperating names as written."""
    rows = sorted(task.assignments.all(), key=lambda a: (a.order, a.pk))
    return [a.name for a in rows if a.role == "lead"], [a.name for a in rows if a.role != "lead"]


@dataclass
class PlanHeader:
    """The plan's own facts the officer may correct."""

    title: str
    city_code: str
    period_start: int | None = None
    period_end: int | None = None


@dataclass
class TaskEdit:
    """One task row of the review: a new row (id None), a change, or a deletion."""

    id: int | None = None
    version: int | None = None
    delete: bool = False
    number: str = ""
    title: str = ""
    text: str = ""
    lead: list[str] = field(default_factory=list)
    cooperating: list[str] = field(default_factory=list)
    deadline: date | None = None


@dataclass
class TargetEdit:
    """One target row of the review."""

    id: int | None = None
    version: int | None = None
    delete: bool = False
    text: str = ""
    metric: str = ""
    value: float | None = None
    unit: str = ""
    comparator: str = ">="
    deadline: date | None = None
    kind: str = "goal"


@dataclass
class RuleEdit:
    """One rule row of the review."""

    id: int | None = None
    delete: bool = False
    text: str = ""
    parameter: str = ""
    value: float | None = None
    unit: str = ""
    comparator: str = "="


@guarded("plan.edit")
def update_plan_header(actor: Actor, pk: int, version: int, header: PlanHeader) -> Plan:
    """Correct the title, city or period; changing a draft's city resolves its departments again."""
    plan = _plan(actor, pk)
    errors: dict[str, str] = {}
    if not header.title.strip():
        errors["title"] = "标题不能为空"
    city = Region.objects.filter(pk=header.city_code, level=Region.Level.CITY).first()
    if city is None:
        errors["city_code"] = f"未知的城市区划代码 {header.city_code!r}"
    elif city.pk != plan.city_id and not plan.is_draft:
        errors["city_code"] = "已确认的规划不能更改所属城市"
    for key in ("period_start", "period_end"):
        year = getattr(header, key)
        if year is not None and not 1949 <= year <= 2100:
            errors[key] = "年份应在 1949—2100 之间"
    if header.period_start and header.period_end and header.period_start > header.period_end:
        errors["period_end"] = "截止年不能早于起始年"
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(plan, ["title", "city_id", "period_start", "period_end"])
    moved = city.pk != plan.city_id
    plan.title = header.title.strip()[:300]
    plan.city = city
    plan.directory_city = _directory_city(city)
    plan.period_start, plan.period_end = header.period_start, header.period_end
    plan.version = version
    with transaction.atomic():
        plan.save()
        if moved:
            _re_resolve(plan)
        changes = audit.diff(before, audit.snapshot(plan, ["title", "city_id", "period_start", "period_end"]))
        if changes:
            audit.record(actor, "update", plan, changes)
    return plan


def _re_resolve(plan: Plan) -> None:
    """Resolve every task's names again (the city, and so the directory, changed)."""
    departments = _city_departments(plan)
    for task in plan.tasks.prefetch_related("assignments"):
        lead, cooperating = task_names(task)
        task.assignments.all().delete()
        TaskDepartment.objects.bulk_create(_assignment_rows(plan, task, lead, cooperating, departments, {}))


def _check_names(names: list[str], where: str, errors: list[str]) -> None:
    for name in names:
        if len(name) > 80:
            errors.append(f"{where}：部门名称“{name[:20]}…”过长")


def _after_edit(actor: Actor, plan: Plan) -> None:
    """On a confirmed plan new names take effect at once; names nobody knows stay flagged for mapping."""
    if plan.is_draft:
        return
    _bind_departments(actor, plan)
    _learn_aliases(actor, plan)


@guarded("plan.edit")
def apply_task_edits(actor: Actor, plan_pk: int, edits: Iterable[TaskEdit]) -> list[Task]:
    """Add, change and delete tasks in one go; each change is audited, stale rows are refused."""
    plan = _plan(actor, plan_pk)
    edits = list(edits)
    errors: list[str] = []
    for i, e in enumerate(edits, start=1):
        where = f"第 {i} 行（{e.number or e.title[:12] or '新任务'}）"
        if not e.delete and not e.title.strip():
            errors.append(f"{where}：任务名称不能为空")
        if len(e.number) > 40 or len(e.title) > 300:
            errors.append(f"{where}：编号或名称过长")
        _check_names(e.lead + e.cooperating, where, errors)
    if errors:
        raise ValidationError(errors)
    touched: list[Task] = []
    with transaction.atomic():
        departments = _city_departments(plan)
        mapped = _mapped_names(plan)
        next_order = (plan.tasks.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        for e in edits:
            if e.id is None:
                if e.delete:
                    continue
                task = Task.objects.create(
                    plan=plan,
                    order=next_order,
                    number=e.number.strip(),
                    title=e.title.strip(),
                    text=e.text.strip(),
                    deadline=e.deadline,
                )
                next_order += 1
                TaskDepartment.objects.bulk_create(
                    _assignment_rows(plan, task, e.lead, e.cooperating, departments, mapped)
                )
                audit.record(actor, "create", task, {**_task_state(task), "plan": plan.pk})
                touched.append(task)
                continue
            task = plan.tasks.filter(pk=e.id).prefetch_related("assignments").first()
            if task is None:
                raise ValidationError(f"任务 {e.id} 不属于该规划")
            if e.delete:
                if task.reports.exists():
                    raise ValidationError(f"任务“{task.title}”已有进展报告，不能删除")
                _delete_audited(actor, task, _task_state(task))
                continue
            before = _task_state(task)
            lead = list(dict.fromkeys(e.lead))
            cooperating = [n for n in dict.fromkeys(e.cooperating) if n not in lead]
            after = {
                "number": e.number.strip(),
                "title": e.title.strip(),
                "text": e.text.strip(),
                "deadline": e.deadline.isoformat() if e.deadline else None,
                "lead": lead,
                "cooperating": cooperating,
            }
            changes = audit.diff(before, after)
            if not changes:
                continue
            task.number, task.title, task.text, task.deadline = (
                after["number"],
                after["title"],
                after["text"],
                e.deadline,
            )
            if e.version is not None:
                task.version = e.version
            task.save()
            if "lead" in changes or "cooperating" in changes:
                task.assignments.all().delete()
                TaskDepartment.objects.bulk_create(
                    _assignment_rows(plan, task, lead, cooperating, departments, mapped)
                )
            audit.record(actor, "update", task, changes)
            touched.append(task)
        _after_edit(actor, plan)
    return touched


def _task_state(task: Task) -> dict[str, Any]:
    lead, cooperating = task_names(task)
    return {
        "number": task.number,
        "title": task.title,
        "text": task.text,
        "deadline": task.deadline.isoformat() if task.deadline else None,
        "lead": lead,
        "cooperating": cooperating,
    }


_TARGET_FIELDS = ["text", "metric", "value", "unit", "comparator", "deadline", "kind"]


@guarded("plan.edit")
def apply_target_edits(actor: Actor, plan_pk: int, edits: Iterable[TargetEdit]) -> list[Target]:
    """Add, change and delete targets; each change is audited, stale rows are refused."""
    plan = _plan(actor, plan_pk)
    edits = list(edits)
    errors: list[str] = []
    for i, e in enumerate(edits, start=1):
        if e.delete:
            continue
        where = f"第 {i} 行（{e.metric[:12] or '新目标'}）"
        if not e.metric.strip():
            errors.append(f"{where}：指标名称不能为空")
        if e.value is None:
            errors.append(f"{where}：目标值不能为空")
        if e.comparator not in COMPARATORS:
            errors.append(f"{where}：未知的比较方式 {e.comparator!r}")
        if e.kind not in Target.Kind.values:
            errors.append(f"{where}：未知的目标类型 {e.kind!r}")
        if len(e.unit) > 20 or len(e.metric) > 200:
            errors.append(f"{where}：单位或指标名称过长")
    if errors:
        raise ValidationError(errors)
    touched: list[Target] = []
    with transaction.atomic():
        next_order = (plan.targets.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        for e in edits:
            values = {
                "text": e.text.strip() or e.metric.strip(),
                "metric": e.metric.strip(),
                "value": float(e.value) if e.value is not None else None,
                "unit": e.unit.strip(),
                "comparator": e.comparator,
                "deadline": e.deadline,
                "kind": e.kind,
            }
            if e.id is None:
                if e.delete:
                    continue
                target = Target.objects.create(plan=plan, order=next_order, **values)
                next_order += 1
                audit.record(
                    actor, "create", target, {**audit.snapshot(target, _TARGET_FIELDS), "plan": plan.pk}
                )
                touched.append(target)
                continue
            target = plan.targets.filter(pk=e.id).first()
            if target is None:
                raise ValidationError(f"目标 {e.id} 不属于该规划")
            if e.delete:
                _delete_audited(actor, target, audit.snapshot(target, _TARGET_FIELDS))
                continue
            # An emptied text box keeps the sentence the target was read from.
            values["text"] = e.text.strip() or target.text or values["metric"]
            before = audit.snapshot(target, _TARGET_FIELDS)
            for key, value in values.items():
                setattr(target, key, value)
            changes = audit.diff(before, audit.snapshot(target, _TARGET_FIELDS))
            if not changes:
                continue
            if e.version is not None:
                target.version = e.version
            target.save()
            audit.record(actor, "update", target, changes)
            touched.append(target)
    return touched


@guarded("plan.edit")
def apply_rule_edits(actor: Actor, plan_pk: int, edits: Iterable[RuleEdit]) -> list[Rule]:
    """Add, change and delete the plan's numeric rules (subsidy rates, caps)."""
    plan = _plan(actor, plan_pk)
    edits = list(edits)
    bad = [i for i, e in enumerate(edits, start=1) if not e.delete and not e.text.strip()]
    if bad:
        raise ValidationError([f"第 {i} 行：原文不能为空" for i in bad])
    touched: list[Rule] = []
    with transaction.atomic():
        next_order = (plan.rules.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        for e in edits:
            rule = plan.rules.filter(pk=e.id).first() if e.id is not None else None
            if e.id is not None and rule is None:
                raise ValidationError(f"政策参数 {e.id} 不属于该规划")
            if rule is not None and e.delete:
                _delete_audited(actor, rule, {"text": rule.text, "parameters": rule.parameters})
                continue
            if e.delete:
                continue
            params = dict(rule.parameters) if rule else {}
            params.update(
                parameter=e.parameter.strip(), value=e.value, unit=e.unit.strip(), comparator=e.comparator
            )
            if rule is None:
                rule = Rule.objects.create(
                    plan=plan, order=next_order, text=e.text.strip(), parameters=params
                )
                next_order += 1
                audit.record(
                    actor, "create", rule, {"text": rule.text, "parameters": params, "plan": plan.pk}
                )
            else:
                changes = audit.diff(
                    {"text": rule.text, "parameters": rule.parameters},
                    {"text": e.text.strip(), "parameters": params},
                )
                if not changes:
                    continue
                rule.text, rule.parameters = e.text.strip(), params
                rule.save()
                audit.record(actor, "update", rule, changes)
            touched.append(rule)
    return touched


@guarded("plan.edit")
def confirm_plan(actor: Actor, pk: int, version: int) -> Plan:
    """Confirm a reviewed draft: its departments are resolved (known ones created) and tracking starts."""
    plan = _plan(actor, pk)
    if not plan.is_draft:
        raise ValidationError("该规划已经确认")
    if plan.version != version:
        raise StaleEdit(str(plan._meta.verbose_name), version, plan.version)
    with transaction.atomic():
        created = _bind_departments(actor, plan)
        unknown = unknown_departments(plan)
        if unknown:
            raise ValidationError(
                {
                    "departments": f"以下部门名称尚未确认对应的部门：{'、'.join(unknown)}。"
                    "请在“待确认的部门”中逐一指定。"
                }
            )
        _learn_aliases(actor, plan)
        plan.status = Plan.Status.CONFIRMED
        plan.confirmed_by_id = actor.user_id
        plan.confirmed_at = timezone.now()
        plan.save()
        audit.record(
            actor,
            "confirm",
            plan,
            {
                "status": [Plan.Status.DRAFT, Plan.Status.CONFIRMED],
                "tasks": plan.tasks.count(),
                "targets": plan.targets.count(),
                "created_departments": [d.name for d in created],
            },
        )
    return plan


@guarded("plan.edit")
def discard_plan(actor: Actor, pk: int, version: int) -> None:
    """Throw away a draft import (confirmed plans are kept)."""
    plan = _plan(actor, pk)
    if not plan.is_draft:
        raise ValidationError("已确认的规划不能删除")
    with transaction.atomic():
        if not Plan.objects.filter(pk=pk, version=version).exists():
            raise StaleEdit(str(plan._meta.verbose_name), version, plan.version)
        _delete_audited(actor, plan, {"title": plan.title, "source_name": plan.source_name})


# --- responsibility matrix ---------------------------------------------------------------------------


@dataclass
class Matrix:
    """Tasks × departments with 牵头/配合 in the cells, and each department's numbers."""

    plan: Plan
    departments: list[str]
    rows: list[dict[str, Any]]
    totals: dict[str, dict[str, int]]


@guarded("plan.view")
def responsibility_matrix(actor: Actor, pk: int) -> Matrix:
    """The plan's task division (任务分工): one row a task, one column a department."""
    plan = _plan(actor, pk)
    tasks = plan.tasks.prefetch_related("assignments__department")
    rows: list[dict[str, Any]] = []
    totals: dict[str, dict[str, int]] = {}
    for index, task in enumerate(tasks, start=1):
        cells: dict[str, str] = {}
        lead, cooperating = [], []
        for a in sorted(task.assignments.all(), key=lambda a: (a.role != "lead", a.order, a.pk)):
            name = a.display_name
            if name in cells:
                continue
            cells[name] = a.get_role_display()
            (lead if a.role == "lead" else cooperating).append(name)
            totals.setdefault(name, {"lead": 0, "cooperating": 0})[a.role] += 1
        rows.append(
            {
                "index": index,
                "task_id": task.pk,
                "number": task.number,
                "title": task.title,
                "lead": lead,
                "cooperating": cooperating,
                "cells": cells,
            }
        )
    departments = sorted(totals, key=lambda n: (-totals[n]["lead"], -totals[n]["cooperating"], n))
    return Matrix(plan, departments, rows, totals)


@guarded("plan.export")
def export_matrix(actor: Actor, pk: int, fmt: str) -> bytes:
    """The 任务分工表 as .xlsx or .docx (序号, 任务, 牵头单位, 配合单位)."""
    matrix = responsibility_matrix(actor, pk)
    title = f"{matrix.plan.title}任务分工表"
    if fmt == "xlsx":
        return exports.matrix_xlsx(title, matrix.rows, matrix.departments)
    if fmt == "docx":
        return exports.matrix_docx(title, matrix.rows)
    raise ValidationError(f"不支持的格式 {fmt!r}（可用：xlsx、docx）")


# --- targets -----------------------------------------------------------------------------------------


def _target(actor: Actor, pk: int) -> Target:
    target = Target.objects.select_related("plan", "plan__city").filter(pk=pk).first()
    if target is None:
        raise NotFound(f"目标 {pk} 不存在")
    _plan(actor, target.plan_id)
    return target


@guarded("plan.view")
def target_detail(actor: Actor, pk: int, *, today: date | None = None) -> dict[str, Any]:
    """One target with its status, its entered values and the data of its chart."""
    target = _target(actor, pk)
    view: TargetView = target_view(target, today or timezone.localdate())
    readings = list(target.readings.select_related("entered_by"))
    return {
        "target": target,
        "view": view,
        "readings": readings,
        "chart": chart_data(view, readings),
        "live_choices": live.choices(),
        "can_update": actor.role in EDITOR_ROLES,
    }


@guarded("target.update")
def record_target_value(
    actor: Actor, pk: int, version: int, value: float, as_of: date, note: str = ""
) -> Target:
    """Enter the figure a target has reached on a day; it becomes the current value when it is the latest."""
    target = _target(actor, pk)
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": "截至日期不能晚于今天"})
    with transaction.atomic():
        reading = TargetReading.objects.create(
            target=target, value=value, as_of=as_of, note=note[:300], entered_by_id=actor.user_id
        )
        latest = target.readings.order_by("-as_of", "-id").first()
        before = audit.snapshot(target, ["current_value", "current_as_of"])
        target.current_value, target.current_as_of = latest.value, latest.as_of
        target.version = version
        target.save()
        changes = audit.diff(before, audit.snapshot(target, ["current_value", "current_as_of"]))
        audit.record(
            actor, "record_value", target, {**changes, "reading": [None, reading.value], "as_of": as_of}
        )
    return target


@dataclass
class TrackingSettings:
    """How a target is followed: baseline, deadline and optional live figure."""

    baseline_value: float | None = None
    baseline_date: date | None = None
    deadline: date | None = None
    live_key: str = ""


_TRACKING_FIELDS = ["baseline_value", "baseline_date", "deadline", "live_key"]


@guarded("target.update")
def set_target_tracking(actor: Actor, pk: int, version: int, data: TrackingSettings) -> Target:
    """Set a target's baseline, deadline and live figure; counts can only follow targets counted in 家/个 …"""
    target = _target(actor, pk)
    errors: dict[str, str] = {}
    if data.live_key and data.live_key not in live.FIGURES:
        errors["live_key"] = f"未知的实时数据 {data.live_key!r}"
    elif data.live_key and not live.fits_unit(data.live_key, target.unit):
        errors["live_key"] = (
            f"该目标单位为“{target.unit}”，不能关联计数类实时数据（{live.label(data.live_key)}）"
        )
    if data.baseline_date and data.deadline and data.baseline_date >= data.deadline:
        errors["baseline_date"] = "基期日期须早于完成期限"
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(target, _TRACKING_FIELDS)
    target.baseline_value = data.baseline_value
    target.baseline_date = data.baseline_date
    target.deadline = data.deadline
    target.live_key = data.live_key
    changes = audit.diff(before, audit.snapshot(target, _TRACKING_FIELDS))
    if not changes:
        return target
    target.version = version
    with transaction.atomic():
        target.save()
        audit.record(actor, "update", target, changes)
    return target
