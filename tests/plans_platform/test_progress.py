"""Departments' own tasks, periodic progress reports with attachments, the roll-up, dashboard and briefing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from lianzhang.accounts.models import AuditEntry, Department
from lianzhang.plans import progress_services as progress
from lianzhang.plans import services, tracking
from lianzhang.plans.models import ProgressReport
from tests.plans_platform.conftest import task_titled

pytestmark = pytest.mark.django_db


def report(persona, task, period, percent, department=None, files=None):
    data = progress.ReportInput(period, percent, f"{period} 工作进展", department.pk if department else None)
    return progress.file_report(persona.actor, task.pk, data, files)


def test_a_department_officer_sees_exactly_the_tasks_its_department_is_named_on(
    personas, confirmed_plan, industry_officer
) -> None:
    views = progress.list_tasks(industry_officer.actor)
    assert [v.task.title for v in views] == ["培育链主企业", "建设产业园区"]
    page = industry_officer.client.get("/plans/tasks/").content.decode()
    assert "培育链主企业" in page and "加强人才引育" not in page
    other = task_titled(confirmed_plan, "加强人才引育")
    assert industry_officer.client.get(f"/plans/tasks/{other.pk}/").status_code == 403
    assert industry_officer.client.get(f"/api/plans/tasks/{other.pk}").status_code == 403
    # The district officer reads every task; the chain office too.
    assert len(progress.list_tasks(personas["district"].actor)) == 4


def test_a_department_files_a_report_with_attachments_on_the_task_page(
    personas, confirmed_plan, settings
) -> None:
    task = task_titled(confirmed_plan, "建设产业园区")
    dept = personas["department"]
    science = Department.objects.get(name="广州市科学技术局")
    upload = SimpleUploadedFile("园区建设进展.pdf", b"%PDF-1.4 progress", content_type="application/pdf")
    response = dept.client.post(
        f"/plans/tasks/{task.pk}/",
        {
            "department": str(science.pk),
            "period": "2025-q2",
            "percent": "60",
            "narrative": "两个园区已开工",
            "files": [upload],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = ProgressReport.objects.get(task=task)
    assert (saved.department_id, saved.period, saved.period_end, saved.percent) == (
        science.pk,
        "2025-Q2",
        date(2025, 6, 30),
        60,
    )
    (attachment,) = saved.attachments.all()
    assert attachment.name == "园区建设进展.pdf"
    assert attachment.file.path.startswith(str(settings.MEDIA_ROOT))
    entry = AuditEntry.objects.get(model="plans.progressreport", object_id=str(saved.pk))
    assert (entry.username, entry.action, entry.changes["percent"]) == ("dept", "create", 60)
    assert entry.changes["attachments"] == ["园区建设进展.pdf"]

    download = personas["chain_office"].client.get(f"/plans/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 progress"
    assert "attachment" in download["Content-Disposition"]
    assert personas["expert"].client.get(f"/plans/attachments/{attachment.pk}/").status_code == 403
    assert personas["anonymous"].client.get(f"/plans/attachments/{attachment.pk}/").status_code == 302


def test_the_report_form_of_a_department_officer_carries_its_department(personas, confirmed_plan) -> None:
    task = task_titled(confirmed_plan, "建设产业园区")
    science = Department.objects.get(name="广州市科学技术局")
    page = personas["department"].client.get(f"/plans/tasks/{task.pk}/").content.decode()
    # The only choice is hidden, so it must be filled in or the browser submits an empty department.
    assert f'<input type="hidden" name="department" value="{science.pk}"' in page


def test_a_department_files_a_report_through_the_api(personas, confirmed_plan) -> None:
    task = task_titled(confirmed_plan, "开展场景创新")
    upload = SimpleUploadedFile("清单.xlsx", b"PK fake", content_type="application/octet-stream")
    response = personas["department"].client.post(
        f"/api/plans/tasks/{task.pk}/reports",
        {"period": "2025-H1", "percent": "35", "narrative": "发布首批场景清单", "files": [upload]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    (saved,) = body["reports"]
    assert (saved["department"], saved["period"], saved["percent"]) == ("广州市科学技术局", "2025-H1", 35)
    assert [a["name"] for a in saved["attachments"]] == ["清单.xlsx"]
    assert body["departments"][0]["percent"] == 35


def test_a_department_cannot_report_on_a_task_it_is_not_named_on(
    personas, confirmed_plan, industry_officer
) -> None:
    task = task_titled(confirmed_plan, "加强人才引育")
    with pytest.raises(PermissionDenied):
        report(industry_officer, task, "2025-Q2", 50)
    page = industry_officer.client.post(
        f"/plans/tasks/{task.pk}/", {"period": "2025-Q2", "percent": "50", "narrative": "越权报送"}
    )
    api = industry_officer.client.post(
        f"/api/plans/tasks/{task.pk}/reports", {"period": "2025-Q2", "percent": "50", "narrative": "越权报送"}
    )
    assert (page.status_code, api.status_code) == (403, 403)
    assert not ProgressReport.objects.exists()


def test_a_department_cannot_report_in_the_name_of_another_department(
    personas, confirmed_plan, industry_officer
) -> None:
    task = task_titled(confirmed_plan, "建设产业园区")
    industry = Department.objects.get(name="广州市工业和信息化局")
    with pytest.raises(PermissionDenied, match="只能为本部门"):
        report(personas["department"], task, "2025-Q2", 50, department=industry)
    api = personas["department"].client.post(
        f"/api/plans/tasks/{task.pk}/reports",
        {"period": "2025-Q2", "percent": "50", "narrative": "代报", "department_id": str(industry.pk)},
    )
    assert api.status_code == 403
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("role", ["district", "expert", "enterprise_a"])
def test_readers_and_outsiders_cannot_report(personas, confirmed_plan, role) -> None:
    task = task_titled(confirmed_plan, "建设产业园区")
    with pytest.raises(PermissionDenied):
        report(personas[role], task, "2025-Q2", 50)


def test_the_chain_office_reports_on_behalf_of_a_named_department_only(
    personas, confirmed_plan, department
) -> None:
    task = task_titled(confirmed_plan, "加强人才引育")
    hr = Department.objects.get(name="广州市人力资源和社会保障局")
    saved = report(personas["chain_office"], task, "2025-Q2", 40, department=hr)
    assert saved.department_id == hr.pk
    stranger = Department.objects.get(name="广州市发展和改革委员会")
    with pytest.raises(ValidationError):
        report(personas["chain_office"], task, "2025-Q2", 40, department=stranger)


def test_reports_on_a_draft_plan_are_refused(personas, draft_plan) -> None:
    task = draft_plan.tasks.first()
    for role in ("department", "chain_office"):
        with pytest.raises(PermissionDenied):
            report(personas[role], task, "2025-Q2", 10)


@pytest.mark.parametrize(
    ("period", "percent", "narrative", "field"),
    [
        ("2025-Q5", 10, "进展", "period"),
        ("2099-Q1", 10, "进展", "period"),
        ("2025-Q2", 120, "进展", "percent"),
        ("2025-Q2", 10, "  ", "narrative"),
    ],
)
def test_bad_reports_are_refused_naming_the_field(
    personas, confirmed_plan, period, percent, narrative, field
) -> None:
    task = task_titled(confirmed_plan, "建设产业园区")
    with pytest.raises(ValidationError) as refused:
        progress.file_report(
            personas["department"].actor, task.pk, progress.ReportInput(period, percent, narrative)
        )
    assert field in refused.value.message_dict
    assert not ProgressReport.objects.exists()


def test_attachments_of_unsafe_types_are_refused(personas, confirmed_plan) -> None:
    task = task_titled(confirmed_plan, "建设产业园区")
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError, match=r"run\.exe"):
        report(personas["department"], task, "2025-Q2", 10, files=[bad])
    assert not ProgressReport.objects.exists()


def test_the_lead_departments_task_view_rolls_up_the_cooperating_reports(
    personas, confirmed_plan, industry_officer
) -> None:
    task = task_titled(
        confirmed_plan, "建设产业园区"
    )  # 市科技局 leads; 市工信局 and 市规划和自然资源局 cooperate
    report(industry_officer, task, "2025-Q1", 30)
    report(industry_officer, task, "2025-Q2", 50)
    report(personas["department"], task, "2025-Q3", 80)
    report(personas["department"], task, "2025-Q2", 40)  # a late report on an earlier period changes nothing

    detail = progress.task_detail(personas["department"].actor, task.pk, today=date(2025, 10, 1))
    view = detail["view"]
    latest = {
        p.assignment.display_name: (p.latest.period, p.latest.percent) if p.latest else None
        for p in view.parts
    }
    assert latest == {"市科技局": ("2025-Q3", 80), "市工信局": ("2025-Q2", 50), "市规划和自然资源局": None}
    assert view.rollup.percent == pytest.approx(43.3, abs=0.05)
    assert (view.rollup.state, view.rollup.reported, view.rollup.total) == ("in_progress", 2, 3)
    assert detail["is_lead"] is True
    assert len(detail["reports"]) == 4

    page = personas["department"].client.get(f"/plans/tasks/{task.pk}/").content.decode()
    assert "汇总配合单位报送" in page and "2025年第2季度" in page
    api = personas["department"].client.get(f"/api/plans/tasks/{task.pk}").json()
    assert [(d["department"], d["percent"]) for d in api["departments"]] == [
        ("市科技局", 80),
        ("市工信局", 50),
        ("市规划和自然资源局", None),
    ]
    # The cooperating department sees the same roll-up but is not the lead.
    assert progress.task_detail(industry_officer.actor, task.pk)["is_lead"] is False


def test_a_task_is_done_when_every_named_department_reports_100(personas, confirmed_plan) -> None:
    task = task_titled(confirmed_plan, "加强人才引育")
    hr = Department.objects.get(name="广州市人力资源和社会保障局")
    report(personas["chain_office"], task, "2025-Q4", 100, department=hr)
    assert progress.task_detail(personas["chain_office"].actor, task.pk)["view"].rollup.state == "in_progress"
    report(personas["department"], task, "2025-Q4", 100)
    (view,) = [v for v in progress.list_tasks(personas["chain_office"].actor) if v.task.pk == task.pk]
    assert view.rollup.state == tracking.DONE and view.rollup.percent == 100


def test_the_dashboard_lists_late_and_nearly_due_tasks_per_department(personas, confirmed_plan) -> None:
    actor = personas["chain_office"].actor
    first = task_titled(confirmed_plan, "培育链主企业")
    edit = services.TaskEdit(
        id=first.pk,
        version=first.version,
        number=first.number,
        title=first.title,
        deadline=date(2025, 6, 30),
        lead=["市工信局"],
        cooperating=["市科技局", "市发展改革委"],
    )
    services.apply_task_edits(actor, confirmed_plan.pk, [edit])

    mid = progress.dashboard(actor, today=date(2025, 7, 1))
    by_name = {d["name"]: d for d in mid["by_department"]}
    assert [v.task.title for v, _ in by_name["市工信局"]["overdue"]] == ["培育链主企业"]
    assert [part.assignment.role for _, part in by_name["市科技局"]["overdue"]] == ["cooperating"]
    assert by_name["市人社局"]["overdue"] == []
    assert mid["task_totals"]["overdue"] == 1
    assert mid["by_department"][0]["overdue"]  # the departments with late tasks come first

    late_year = progress.dashboard(actor, today=date(2026, 11, 15))
    assert {
        v.task.title for v, _ in {d["name"]: d for d in late_year["by_department"]}["市科技局"]["due_soon"]
    } == {
        "建设产业园区",
        "开展场景创新",
        "加强人才引育",
    }
    after = progress.briefing(actor, today=date(2027, 1, 5))
    assert len(after["late_tasks"]) == 4


def test_the_dashboard_and_briefing_pages_render_for_every_reader(personas, confirmed_plan) -> None:
    for role in ("chain_office", "department", "district", "admin"):
        dashboard = personas[role].client.get("/plans/dashboard/")
        assert dashboard.status_code == 200
        assert "各部门逾期与临期任务" in dashboard.content.decode()
        briefing = personas[role].client.get("/plans/briefing/")
        body = briefing.content.decode()
        assert briefing.status_code == 200
        assert "@media print" in body and "推进情况通报" in body
        assert "https://" not in body and "cdn" not in body.lower()
    api = personas["district"].client.get("/api/plans/dashboard").json()
    assert api["task_totals"]["total"] == 4
    assert {d["name"] for d in api["departments"]} >= {"市科技局", "市工信局"}


def test_a_department_sees_recent_reports_on_its_own_tasks_only(
    personas, confirmed_plan, industry_officer
) -> None:
    report(personas["department"], task_titled(confirmed_plan, "加强人才引育"), "2025-Q2", 20)
    report(industry_officer, task_titled(confirmed_plan, "培育链主企业"), "2025-Q2", 30)
    seen = [r.task.title for r in progress.dashboard(industry_officer.actor)["recent_reports"]]
    assert seen == ["培育链主企业"]
    everything = {r.task.title for r in progress.dashboard(personas["district"].actor)["recent_reports"]}
    assert everything == {"培育链主企业", "加强人才引育"}
