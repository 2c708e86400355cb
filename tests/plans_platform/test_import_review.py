"""Import a plan document, review and correct its parse beside the source text, confirm it."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from lianzhang.accounts.models import AuditEntry, Department
from lianzhang.common.versioning import StaleEdit
from lianzhang.plans import services
from lianzhang.plans.engine import parse_file
from lianzhang.plans.models import Plan, TaskDepartment
from tests.plans_platform.conftest import POLICY_001, SMALL_PLAN, UNKNOWN_NAME, needs_policy_001, task_titled

pytestmark = pytest.mark.django_db


def names(task) -> tuple[list[str], list[str]]:
    return services.task_names(task)


# --- import ------------------------------------------------------------------------------------------


def test_importing_a_document_makes_a_draft_with_its_tasks_targets_and_rules(draft_plan, department) -> None:
    plan = draft_plan
    assert plan.status == Plan.Status.DRAFT
    assert plan.title == "广州市人工智能产业链高质量发展行动计划（2024—2026年）"
    assert (plan.city_id, plan.directory_city, plan.period_start, plan.period_end) == (
        "4401",
        "guangzhou",
        2024,
        2026,
    )
    assert plan.source_name == "广州市人工智能行动计划.txt"
    assert "（牵头单位：市工信局，配合单位：市科技局、市发展改革委）" in plan.source_text

    tasks = list(plan.tasks.all())
    assert [(t.number, t.title) for t in tasks] == [
        ("二.(一).1", "培育链主企业"),
        ("二.(一).2", "建设产业园区"),
        ("二.(一).3", "开展场景创新"),
        ("二.(二).4", "加强人才引育"),
    ]
    assert names(tasks[0]) == (["市工信局"], ["市科技局", "市发展改革委"])
    assert names(tasks[2]) == (["市科技局"], [UNKNOWN_NAME])
    # Each task points at the line of the source it came from.
    lines = plan.source_text.split("\n")
    assert all(lines[t.source_line].startswith(t.number.rsplit(".", 1)[-1] + ".") for t in tasks)

    targets = [(t.metric, t.comparator, t.value, t.unit, t.deadline) for t in plan.targets.all()]
    assert targets == [
        ("人工智能产业链企业数量", ">", 1000, "家", date(2026, 12, 31)),
        ("人工智能产业园区数量", "=", 10, "个", date(2026, 12, 31)),
        ("专精特新企业数量", ">=", 30, "家", date(2026, 12, 31)),
        ("人工智能核心产业规模", "=", 500, "亿元", date(2026, 12, 31)),
    ]
    rules = [
        (r.parameters["parameter"], r.parameters["value"], r.parameters["unit"]) for r in plan.rules.all()
    ]
    assert rules == [("研发投入比例", 30, "%"), ("每家", 200, "万元")]


def test_the_unknown_department_is_flagged_and_nothing_is_guessed(draft_plan, department) -> None:
    assert services.unknown_departments(draft_plan) == [UNKNOWN_NAME]
    row = TaskDepartment.objects.get(task__plan=draft_plan, name=UNKNOWN_NAME)
    assert (row.department_id, row.directory_id, row.resolved_name) == (None, "", "")
    # A department already registered is recognised by its abbreviation; one not yet registered waits.
    known = TaskDepartment.objects.filter(task__plan=draft_plan, name="市科技局")
    assert set(known.values_list("department_id", flat=True)) == {department.pk}
    waiting = TaskDepartment.objects.get(task__plan=draft_plan, name="市工信局", role="lead")
    assert (waiting.department_id, waiting.resolved_name) == (None, "广州市工业和信息化局")


def test_import_is_audited(personas, draft_plan) -> None:
    entry = AuditEntry.objects.get(model="plans.plan", object_id=str(draft_plan.pk), action="import")
    assert entry.username == "chain"
    assert entry.changes["tasks"] == 4
    assert entry.changes["unknown_departments"] == [UNKNOWN_NAME]


def test_confirmation_is_refused_while_a_department_is_unknown(personas, draft_plan) -> None:
    before = Department.objects.count()
    with pytest.raises(ValidationError, match=UNKNOWN_NAME):
        services.confirm_plan(personas["chain_office"].actor, draft_plan.pk, draft_plan.version)
    draft_plan.refresh_from_db()
    assert draft_plan.status == Plan.Status.DRAFT
    assert Department.objects.count() == before  # the departments it would have created were rolled back


def test_confirming_creates_the_directory_departments_once_with_their_abbreviations(
    personas, confirmed_plan, department
) -> None:
    assert confirmed_plan.status == Plan.Status.CONFIRMED
    created = {d.name: d for d in Department.objects.filter(city_id="4401")}
    assert set(created) == {
        "广州市科学技术局",
        "广州市工业和信息化局",
        "广州市发展和改革委员会",
        "广州市规划和自然资源局",
        "广州市人力资源和社会保障局",
        UNKNOWN_NAME,
    }
    assert created["广州市工业和信息化局"].short_name == "市工信局"
    # The directory's other names come along, so every spelling of the department finds this record.
    assert {"市工业和信息化局", "市经信局", "市工信委"} <= set(
        created["广州市工业和信息化局"].aliases.splitlines()
    )
    assert created["广州市发展和改革委员会"].short_name == "市发展改革委"
    assert created["广州市科学技术局"].pk == department.pk  # the registered one is reused, not duplicated
    assert not TaskDepartment.objects.filter(task__plan=confirmed_plan, department__isnull=True).exists()
    confirm = AuditEntry.objects.get(model="plans.plan", object_id=str(confirmed_plan.pk), action="confirm")
    assert "广州市工业和信息化局" in confirm.changes["created_departments"]
    assert AuditEntry.objects.filter(model="accounts.department", action="create").count() == 5


def test_a_name_mapped_to_an_existing_department_becomes_its_alias(personas, draft_plan, department) -> None:
    actor = personas["chain_office"].actor
    services.map_department(actor, draft_plan.pk, UNKNOWN_NAME, department.pk)
    draft_plan.refresh_from_db()
    services.confirm_plan(actor, draft_plan.pk, draft_plan.version)
    department.refresh_from_db()
    assert UNKNOWN_NAME in department.aliases.splitlines()
    # 市科技局 leads task 3 and the mapped name was its cooperating unit: one department, one assignment.
    task = task_titled(draft_plan, "开展场景创新")
    assert [(a.department_id, a.role) for a in task.assignments.all()] == [(department.pk, "lead")]
    mapped = AuditEntry.objects.get(model="plans.plan", action="map_department")
    assert mapped.changes == {"name": UNKNOWN_NAME, "department": [None, "市科技局"]}


def test_the_next_plan_resolves_a_learned_alias(personas, confirmed_plan, small_plan_file) -> None:
    again = services.import_plan(personas["chain_office"].actor, small_plan_file, "again.txt")
    assert services.unknown_departments(again) == []


# --- corrections -------------------------------------------------------------------------------------


def formset_data(formset, changes: dict[int, dict], extra: dict | None = None, section: str = "") -> dict:
    """POST data for a review formset: every row as shown, with some fields changed, plus one new row."""
    prefix = formset.prefix
    rows = [dict(form.initial) for form in formset.forms if form.initial]
    data = {"section": section or prefix}
    for index, row in enumerate(rows):
        row.update(changes.get(index, {}))
        for key, value in row.items():
            if value is None or value is False:
                continue
            data[f"{prefix}-{index}-{key}"] = value.isoformat() if isinstance(value, date) else str(value)
    total = len(rows)
    if extra:
        for key, value in extra.items():
            data[f"{prefix}-{total}-{key}"] = value
        total += 1
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(total),
            f"{prefix}-INITIAL_FORMS": str(len(rows)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    )
    return data


def test_the_review_page_shows_the_parse_beside_the_source(personas, draft_plan) -> None:
    response = personas["chain_office"].client.get(f"/plans/{draft_plan.pk}/review/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="src-0"' in body and "三、保障措施" in body  # the source text, line by line
    task = draft_plan.tasks.get(title="培育链主企业")
    assert f'href="#src-{task.source_line}"' in body
    assert "待确认的部门" in body and UNKNOWN_NAME in body
    assert "人工智能核心产业规模" in body and "研发投入比例" in body


def test_corrections_made_on_the_review_page_are_applied(personas, draft_plan) -> None:
    client = personas["chain_office"].client
    url = f"/plans/{draft_plan.pk}/review/"
    page = client.get(url)
    tasks = page.context["task_formset"]
    data = formset_data(
        tasks,
        {
            0: {"title": "培育产业链链主企业"},
            2: {"DELETE": "on"},
            3: {"lead": "市工信局", "cooperating": "市科技局、市教育局"},
        },
        extra={"number": "二.(二).5", "title": "建设算力中心", "lead": "市工信局", "cooperating": ""},
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    titles = list(draft_plan.tasks.values_list("title", flat=True))
    assert titles == ["培育产业链链主企业", "建设产业园区", "加强人才引育", "建设算力中心"]
    assert names(task_titled(draft_plan, "加强人才引育")) == (["市工信局"], ["市科技局", "市教育局"])
    assert names(task_titled(draft_plan, "建设算力中心")) == (["市工信局"], [])
    assert services.unknown_departments(draft_plan) == []  # the row naming it was deleted

    targets = client.get(url).context["target_formset"]
    data = formset_data(
        targets,
        {0: {"value": "1200"}, 3: {"DELETE": "on"}},
        extra={
            "metric": "典型应用场景数量",
            "comparator": ">=",
            "value": "100",
            "unit": "个",
            "kind": "goal",
        },
    )
    assert client.post(url, data).status_code == 302
    assert [(t.metric, t.value) for t in draft_plan.targets.all()] == [
        ("人工智能产业链企业数量", 1200),
        ("人工智能产业园区数量", 10),
        ("专精特新企业数量", 30),
        ("典型应用场景数量", 100),
    ]

    rules = client.get(url).context["rule_formset"]
    assert client.post(url, formset_data(rules, {1: {"DELETE": "on"}})).status_code == 302
    assert list(draft_plan.rules.values_list("parameters__parameter", flat=True)) == ["研发投入比例"]

    actions = set(AuditEntry.objects.filter(model__startswith="plans.").values_list("model", "action"))
    assert {
        ("plans.task", "update"),
        ("plans.task", "delete"),
        ("plans.task", "create"),
        ("plans.target", "update"),
        ("plans.target", "delete"),
        ("plans.target", "create"),
        ("plans.rule", "delete"),
    } <= actions
    update = AuditEntry.objects.get(model="plans.task", action="update", changes__has_key="title")
    assert update.changes["title"] == ["培育链主企业", "培育产业链链主企业"]


def test_saving_an_untouched_review_changes_nothing(personas, draft_plan) -> None:
    client = personas["chain_office"].client
    url = f"/plans/{draft_plan.pk}/review/"
    sub_points = services.TaskEdit(
        title="建设算力中心", text="（1）建设智算中心。\n（2）开放算力券。", lead=["市工信局"]
    )
    services.apply_task_edits(personas["chain_office"].actor, draft_plan.pk, [sub_points])
    before = AuditEntry.objects.count()
    for section in ("task_formset", "target_formset", "rule_formset"):
        data = formset_data(client.get(url).context[section], {})
        # Browsers send the line breaks of a textarea as CRLF.
        data = {k: v.replace("\n", "\r\n") if isinstance(v, str) else v for k, v in data.items()}
        response = client.post(url, data, follow=True)
        assert "（0 处新增或修改）" in response.content.decode()
    assert AuditEntry.objects.count() == before


def test_an_empty_task_title_is_refused_and_nothing_changes(personas, draft_plan) -> None:
    task = draft_plan.tasks.first()
    edit = services.TaskEdit(id=task.pk, version=task.version, number="1", title="  ")
    with pytest.raises(ValidationError, match="任务名称不能为空"):
        services.apply_task_edits(personas["chain_office"].actor, draft_plan.pk, [edit])
    task.refresh_from_db()
    assert task.title == "培育链主企业"


def test_a_stale_task_edit_is_refused(personas, draft_plan) -> None:
    actor = personas["chain_office"].actor
    task = draft_plan.tasks.first()
    first = services.TaskEdit(id=task.pk, version=task.version, number=task.number, title="甲改")
    services.apply_task_edits(actor, draft_plan.pk, [first])
    second = services.TaskEdit(id=task.pk, version=task.version, number=task.number, title="乙改")
    with pytest.raises(StaleEdit):
        services.apply_task_edits(actor, draft_plan.pk, [second])
    task.refresh_from_db()
    assert task.title == "甲改"


def test_editing_a_confirmed_plan_binds_new_names_at_once(personas, confirmed_plan) -> None:
    task = task_titled(confirmed_plan, "加强人才引育")
    edit = services.TaskEdit(
        id=task.pk,
        version=task.version,
        number=task.number,
        title=task.title,
        lead=["市人社局"],
        cooperating=["市商务局"],
    )
    services.apply_task_edits(personas["chain_office"].actor, confirmed_plan.pk, [edit])
    commerce = Department.objects.get(name="广州市商务局")
    assert [a.department_id for a in task.assignments.filter(role="cooperating")] == [commerce.pk]


def test_changing_the_city_of_a_draft_resolves_its_departments_again(personas, draft_plan) -> None:
    actor = personas["chain_office"].actor
    header = services.PlanHeader(draft_plan.title, "4403", 2024, 2026)  # 深圳市: not in the directory
    plan = services.update_plan_header(actor, draft_plan.pk, draft_plan.version, header)
    assert plan.directory_city == "4403"
    row = TaskDepartment.objects.get(task__plan=plan, name="市工信局", role="lead")
    assert (row.department_id, row.resolved_name) == (None, "深圳市工业和信息化局")


def test_discarding_a_draft_deletes_it_and_is_audited(personas, draft_plan) -> None:
    services.discard_plan(personas["chain_office"].actor, draft_plan.pk, draft_plan.version)
    assert not Plan.objects.filter(pk=draft_plan.pk).exists()
    assert AuditEntry.objects.filter(
        model="plans.plan", object_id=str(draft_plan.pk), action="delete"
    ).exists()


def test_a_confirmed_plan_cannot_be_discarded(personas, confirmed_plan) -> None:
    with pytest.raises(ValidationError):
        services.discard_plan(personas["chain_office"].actor, confirmed_plan.pk, confirmed_plan.version)


# --- uploads -----------------------------------------------------------------------------------------


def test_uploading_on_the_import_page_opens_the_review(personas) -> None:
    upload = SimpleUploadedFile("计划.txt", SMALL_PLAN.encode("gb18030"), content_type="text/plain")
    response = personas["chain_office"].client.post("/plans/import/", {"file": upload, "city_code": ""})
    plan = Plan.objects.get()
    assert response.status_code == 302 and response.url == f"/plans/{plan.pk}/review/"
    assert plan.tasks.count() == 4


def test_the_whole_flow_through_the_pages(personas, department) -> None:
    client = personas["chain_office"].client
    upload = SimpleUploadedFile("计划.txt", SMALL_PLAN.encode(), content_type="text/plain")
    review_url = client.post("/plans/import/", {"file": upload}).url
    plan = Plan.objects.get()
    page = client.get(review_url).content.decode()
    assert 'class="filters unknown-department"' in page and "确认规划" in page

    refused = client.post(f"/plans/{plan.pk}/confirm/", {"version": plan.version}, follow=True)
    assert "尚未确认对应的部门" in refused.content.decode()
    mapped = client.post(
        f"/plans/{plan.pk}/departments/", {"name": UNKNOWN_NAME, "department": "new"}, follow=True
    )
    assert f"“{UNKNOWN_NAME}”已对应到 {UNKNOWN_NAME}" in mapped.content.decode()
    confirmed = client.post(f"/plans/{plan.pk}/confirm/", {"version": plan.version})
    assert confirmed.url == f"/plans/{plan.pk}/"
    detail = client.get(confirmed.url).content.decode()
    assert "培育链主企业" in detail and "进度" in detail
    plan.refresh_from_db()
    assert plan.status == Plan.Status.CONFIRMED


def test_a_word_document_with_a_task_table_is_imported(personas, tmp_path) -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("广州市人工智能赋能行动方案（2025—2027年）")
    document.add_paragraph("重点任务分工表")
    table = document.add_table(rows=3, cols=4)
    for row, cells in zip(
        table.rows,
        [
            ("序号", "重点任务", "牵头单位", "配合单位"),
            ("1", "建设人工智能公共算力平台", "市工业和信息化局", "市发展改革委、市科技局"),
            ("2", "开展人工智能+制造示范", "市工信局", "各区人民政府"),
        ],
        strict=True,
    ):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    upload = SimpleUploadedFile("方案.docx", buffer.getvalue())
    plan = services.import_plan(personas["chain_office"].actor, upload, upload.name)
    assert plan.source_kind == "docx"
    task = plan.tasks.get(title="建设人工智能公共算力平台")
    assert names(task) == (["市工业和信息化局"], ["市发展改革委", "市科技局"])
    assert plan.tasks.count() == 2
    assert services.unknown_departments(plan) == []


def test_an_unsupported_file_is_refused_with_a_message(personas) -> None:
    upload = SimpleUploadedFile("计划.xlsx", b"PK\x03\x04", content_type="application/octet-stream")
    response = personas["chain_office"].client.post("/plans/import/", {"file": upload})
    assert response.status_code == 200
    assert "不支持的文件类型 .xlsx" in response.content.decode()
    assert not Plan.objects.exists()


def test_a_document_that_names_no_city_needs_one_chosen(personas, tmp_path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(SMALL_PLAN.replace("广州市", "本市"), encoding="utf-8")
    actor = personas["chain_office"].actor
    with pytest.raises(ValidationError, match="请选择城市"):
        services.import_plan(actor, path, path.name)
    plan = services.import_plan(actor, path, path.name, city_code="4401")
    assert plan.city_id == "4401"


def test_only_the_chain_office_imports(personas, small_plan_file) -> None:
    for role in ("department", "district", "expert"):
        with pytest.raises(PermissionDenied):
            services.import_plan(personas[role].actor, small_plan_file, small_plan_file.name)
    assert not Plan.objects.exists()


def test_the_api_imports_maps_and_confirms(personas) -> None:
    client = personas["chain_office"].client
    upload = SimpleUploadedFile("plan.txt", SMALL_PLAN.encode(), content_type="text/plain")
    response = client.post("/api/plans/import", {"file": upload})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["unknown_departments"] == [UNKNOWN_NAME]
    assert [t["title"] for t in body["tasks"]][:2] == ["培育链主企业", "建设产业园区"]
    pk = body["id"]
    refused = client.post(
        f"/api/plans/{pk}/confirm", {"version": body["version"]}, content_type="application/json"
    )
    assert refused.status_code == 422
    mapped = client.post(
        f"/api/plans/{pk}/departments/map",
        {"name": UNKNOWN_NAME, "create": True},
        content_type="application/json",
    )
    assert mapped.json()["unknown_departments"] == []
    confirmed = client.post(
        f"/api/plans/{pk}/confirm", {"version": body["version"]}, content_type="application/json"
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    review = client.get(f"/api/plans/{pk}/review").json()
    assert review["source_lines"][0] == "广州市人工智能产业链高质量发展行动计划（2024—2026年）"


# --- a real document ---------------------------------------------------------------------------------


@needs_policy_001
def test_policy_document_001_goes_from_import_to_confirmed_plan(personas) -> None:
    actor = personas["chain_office"].actor
    plan = services.import_plan(actor, POLICY_001, POLICY_001.name)
    parse = parse_file(POLICY_001).to_dict()
    assert plan.city.name == "中山市"
    assert (plan.period_start, plan.period_end) == (2019, 2021)
    stored = [(t.number, t.title, *names(t)) for t in plan.tasks.all()]
    assert stored == [(t["number"], t["title"], t["lead"], t["cooperating"]) for t in parse["tasks"]]
    assert len(stored) == 22
    assert plan.targets.count() == len(parse["targets"]) == 7
    assert services.unknown_departments(plan) == []

    review = personas["chain_office"].client.get(f"/plans/{plan.pk}/review/")
    assert review.status_code == 200
    assert len(review.context["task_formset"].forms) == 23  # 22 tasks and one blank row to add another
    assert "加快发展智能医养" in review.content.decode()

    services.confirm_plan(actor, plan.pk, plan.version)
    industry = Department.objects.get(city_id="4420", name="中山市工业和信息化局")
    assert industry.short_name == "市工信局"
    assert "工信局" in industry.aliases.splitlines()  # task 19 writes it without 市
    task19 = plan.tasks.get(number="二.(四).19")
    assert [a.department.name for a in task19.assignments.all()] == [
        "中山市公安局",
        "通建办",
        "中山市工业和信息化局",
    ]
    matrix = services.responsibility_matrix(actor, plan.pk)
    assert len(matrix.rows) == 22
    assert matrix.totals["市工信局"]["lead"] == sum("工信局" in "".join(t["lead"]) for t in parse["tasks"])
