"""The release workflow per persona: scan, process, verify, second-officer approval, publication."""

from __future__ import annotations

import csv
import io
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lianzhang.accounts.models import AuditEntry
from lianzhang.opendata import release_services, services, storage
from lianzhang.opendata.deid import synthetic
from lianzhang.opendata.deid.process import DIRECT_TYPES
from lianzhang.opendata.deid.scan import direct_findings, scan_file
from lianzhang.opendata.models import Release, Resource

from .conftest import SAFE_POLICY, new_dataset, submitted, upload, write_csv

pytestmark = pytest.mark.django_db
R = Release.Status


def _actions(release) -> list[str]:
    return list(
        AuditEntry.objects.filter(model="opendata.release", object_id=str(release.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_upload_scans_each_column_and_keeps_the_raw_file_private(personas, department, people_csv, data_dir):
    dept = personas["department"].actor
    dataset = new_dataset(dept, department.pk)
    release = upload(dept, dataset.pk, people_csv)
    assert release.status == R.SCANNED
    columns = {c["name"]: c for c in release.scan_report["columns"]}
    assert columns["证件号码"]["types"]["id_card"] > 0
    assert columns["手机"]["types"]["mobile"] == 60
    # Examples are stored masked: no full mobile number reaches the database.
    assert all("*" in e["value"] for e in columns["手机"]["examples"])
    raw = storage.resolve(release.raw_path)
    assert raw.is_file() and (data_dir / "raw") in raw.parents
    assert not Resource.objects.exists()
    assert _actions(release) == ["create", "scan"]


def test_full_workflow_publishes_only_the_processed_file(personas, officers, department, people_csv):
    dept, colleague = personas["department"].actor, officers["colleague"].actor
    dataset = new_dataset(dept, department.pk)
    release = submitted(dept, dataset.pk, people_csv)
    raw = storage.resolve(release.raw_path)
    report = release.processing_report
    assert report["status"] == "written" and report["k_anonymity"]["satisfied"]
    assert "residual_risk" in report and report["verification"]["direct_identifiers_remaining"] == {}

    release = release_services.approve_release(colleague, release.pk, release.version, "核对无误")
    release = release_services.publish_release(colleague, release.pk, release.version)

    assert release.status == R.PUBLISHED and release.approver_id == colleague.user_id
    assert not raw.exists(), "the raw upload is deleted once the de-identified file is out"
    assert sorted(r.format for r in release.resources.all()) == ["csv", "json", "xlsx"]
    for resource in release.resources.all():
        path = storage.resolve(resource.path)
        assert direct_findings(scan_file(path), DIRECT_TYPES) == {}
        assert resource.sha256 == storage.sha256(path)
    assert _actions(release) == [
        "create",
        "scan",
        "process",
        "status:submitted",
        "status:approved",
        "status:published",
        "publish",
    ]

    response = personas["anonymous"].client.get(
        f"/data/files/{release.resources.get(format='csv').pk}/download/"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows and "证件号码" not in rows[0]
    assert all(len(r["手机"]) == 11 and r["手机"].endswith("*" * 8) for r in rows)


def test_preparer_cannot_approve_their_own_release(personas, department, people_csv):
    dept = personas["department"].actor
    release = submitted(dept, new_dataset(dept, department.pk).pk, people_csv)
    with pytest.raises(PermissionDenied, match="不能审批本人准备的数据版本"):
        release_services.approve_release(dept, release.pk, release.version)
    release.refresh_from_db()
    assert release.status == R.SUBMITTED and release.approver_id is None
    assert _actions(release)[-1] == "approve_refused"


def test_preparer_approving_through_the_page_gets_a_clear_message(personas, department, people_csv):
    dept = personas["department"]
    release = submitted(dept.actor, new_dataset(dept.actor, department.pk).pk, people_csv)
    response = dept.client.post(
        f"/data/releases/{release.pk}/action/", {"action": "approve", "version": release.version}, follow=True
    )
    assert "不能审批本人准备的数据版本" in response.content.decode()
    release.refresh_from_db()
    assert release.status == R.SUBMITTED


def test_officer_who_processed_cannot_approve_either(personas, officers, department, people_csv):
    dept, colleague = personas["department"].actor, officers["colleague"].actor
    release = upload(dept, new_dataset(dept, department.pk).pk, people_csv)
    release = release_services.process_release(colleague, release.pk, release.version, SAFE_POLICY)
    release = release_services.submit_release(colleague, release.pk, release.version)
    with pytest.raises(PermissionDenied):
        release_services.approve_release(colleague, release.pk, release.version)
    assert release_services.approve_release(personas["chain_office"].actor, release.pk, release.version)


def test_chain_office_approves_and_publishes_a_department_release(personas, department, people_csv):
    dept, chain = personas["department"].actor, personas["chain_office"].actor
    release = submitted(dept, new_dataset(dept, department.pk).pk, people_csv)
    release = release_services.approve_release(chain, release.pk, release.version)
    release = release_services.publish_release(chain, release.pk, release.version)
    assert services.public_datasets().count() == 1


def test_preparer_cannot_publish_after_approval(personas, officers, department, people_csv):
    dept, colleague = personas["department"].actor, officers["colleague"].actor
    release = submitted(dept, new_dataset(dept, department.pk).pk, people_csv)
    release = release_services.approve_release(colleague, release.pk, release.version)
    with pytest.raises(PermissionDenied):
        release_services.publish_release(dept, release.pk, release.version)
    assert not Resource.objects.exists()


def test_officer_of_another_department_cannot_act(personas, officers, department, people_csv):
    dept, outsider = personas["department"].actor, officers["other_department"]
    dataset = new_dataset(dept, department.pk)
    release = submitted(dept, dataset.pk, people_csv)
    with pytest.raises(PermissionDenied):
        release_services.approve_release(outsider.actor, release.pk, release.version)
    with pytest.raises(PermissionDenied):
        upload(outsider.actor, dataset.pk, people_csv)
    with pytest.raises(PermissionDenied):
        services.get_dataset(outsider.actor, dataset.pk)
    assert not services.list_datasets(outsider.actor).exists()
    assert outsider.client.get(f"/data/releases/{release.pk}/").status_code == 403
    assert outsider.client.get(f"/data/manage/{dataset.pk}/").status_code == 403
    response = outsider.client.post(
        f"/data/releases/{release.pk}/action/", {"action": "approve", "version": release.version}
    )
    assert response.status_code == 403
    with pytest.raises(ValidationError):
        new_dataset(outsider.actor, department.pk)


@pytest.mark.parametrize("role", ["enterprise_a", "district", "expert"])
def test_roles_outside_the_workflow_cannot_see_releases(personas, department, people_csv, role):
    dept = personas["department"].actor
    release = upload(dept, new_dataset(dept, department.pk).pk, people_csv)
    with pytest.raises(PermissionDenied):
        release_services.get_release(personas[role].actor, release.pk)
    assert personas[role].client.get(f"/data/releases/{release.pk}/").status_code == 403
    assert personas[role].client.get(f"/data/releases/{release.pk}/progress/").status_code == 403


def test_processing_refused_when_the_policy_keeps_an_id_card_column(
    personas, department, people_csv, data_dir
):
    dept = personas["department"].actor
    release = upload(dept, new_dataset(dept, department.pk).pk, people_csv)
    leaky = {**SAFE_POLICY, "columns": {**SAFE_POLICY["columns"], "证件号码": {"action": "keep"}}}
    with pytest.raises(ValidationError, match="证件号码"):
        release_services.process_release(dept, release.pk, release.version, leaky)
    release.refresh_from_db()
    assert release.status == R.SCANNED and not release.processed_path
    assert release.processing_report["status"] == "refused"
    assert "证件号码" in release.processing_report["verification"]["direct_identifiers_remaining"]
    assert not list((data_dir / "work").rglob("*.csv"))
    assert _actions(release)[-1] == "process_refused"
    with pytest.raises(ValidationError):
        release_services.submit_release(dept, release.pk, release.version)


def test_publishing_refused_when_a_fresh_scan_finds_a_direct_identifier(
    personas, officers, department, people_csv
):
    dept, colleague = personas["department"].actor, officers["colleague"].actor
    release = submitted(dept, new_dataset(dept, department.pk).pk, people_csv)
    release = release_services.approve_release(colleague, release.pk, release.version)
    # The stored report is clean; the file on disk is not (replaced after verification).
    work = storage.resolve(release.processed_path)
    write_csv(work, ["姓名", "证件号码"], [["甲", synthetic.id_card(random.Random(1))]])
    with pytest.raises(ValidationError, match="直接标识符"):
        release_services.publish_release(colleague, release.pk, release.version)
    release.refresh_from_db()
    assert release.status == R.APPROVED
    assert not Resource.objects.exists() and not services.public_datasets().exists()
    refusal = AuditEntry.objects.filter(action="publish_refused", object_id=str(release.pk)).get()
    assert "证件号码" in refusal.changes["found"]
    assert not list((storage.root() / storage.PUBLISHED).rglob("*.*"))


def test_publishing_refused_when_the_verified_file_was_altered(personas, officers, department, people_csv):
    dept, colleague = personas["department"].actor, officers["colleague"].actor
    release = submitted(dept, new_dataset(dept, department.pk).pk, people_csv)
    release = release_services.approve_release(colleague, release.pk, release.version)
    with storage.resolve(release.processed_path).open("a", encoding="utf-8") as handle:
        handle.write(",".join(["追加"] * 8) + "\n")
    with pytest.raises(ValidationError, match="被改动"):
        release_services.publish_release(colleague, release.pk, release.version)
    assert not Resource.objects.exists()


def test_k_anonymity_must_hold_before_submission(personas, department, people_csv):
    dept = personas["department"].actor
    release = upload(dept, new_dataset(dept, department.pk).pk, people_csv)
    fine_grained = {**SAFE_POLICY, "quasi_identifiers": ["性别", "出生日期"], "k": 5, "suppress": ""}
    release = release_services.process_release(dept, release.pk, release.version, fine_grained)
    k = release.processing_report["k_anonymity"]
    assert not k["satisfied"] and k["violating_rows"] > 0
    assert k["residual_risk"]["rows_below_k_share"] > 0
    with pytest.raises(ValidationError, match="k-匿名未满足"):
        release_services.submit_release(dept, release.pk, release.version)


def test_policy_cannot_carry_a_secret(personas, department, people_csv):
    dept = personas["department"].actor
    release = upload(dept, new_dataset(dept, department.pk).pk, people_csv)
    with pytest.raises(ValidationError, match="密钥"):
        release_services.process_release(
            dept, release.pk, release.version, {**SAFE_POLICY, "secret": "x" * 20}
        )


def test_rejected_release_can_be_processed_again(personas, officers, department, people_csv):
    dept, colleague = personas["department"].actor, officers["colleague"].actor
    release = submitted(dept, new_dataset(dept, department.pk).pk, people_csv)
    with pytest.raises(ValidationError):
        release_services.reject_release(colleague, release.pk, release.version, "")
    release = release_services.reject_release(colleague, release.pk, release.version, "住址请泛化到镇街以上")
    assert release.status == R.REJECTED
    release = release_services.process_release(dept, release.pk, release.version, SAFE_POLICY)
    assert release.status == R.PROCESSED


def test_withdrawn_release_is_no_longer_public(personas, officers, department, people_csv):
    dept, colleague = personas["department"].actor, officers["colleague"].actor
    release = submitted(dept, new_dataset(dept, department.pk).pk, people_csv)
    release = release_services.approve_release(colleague, release.pk, release.version)
    release = release_services.publish_release(colleague, release.pk, release.version)
    resource = release.resources.first()
    assert personas["anonymous"].client.get(f"/data/files/{resource.pk}/download/").status_code == 200
    release_services.withdraw_release(colleague, release.pk, release.version, "发现问题，暂停开放")
    assert personas["anonymous"].client.get(f"/data/files/{resource.pk}/download/").status_code == 404
    assert not services.public_datasets().exists()


def test_release_page_shows_the_scan_and_processes_the_posted_policy(personas, department, people_csv):
    dept = personas["department"]
    release = upload(dept.actor, new_dataset(dept.actor, department.pk).pk, people_csv)
    page = dept.client.get(f"/data/releases/{release.pk}/").content.decode()
    assert "身份证号" in page and 'name="action_5"' in page
    header = [c["name"] for c in release.scan_report["columns"]]
    post = {"version": release.version, "k": "2", "suppress": "rows"}
    for i, name in enumerate(header):
        rule = SAFE_POLICY["columns"].get(name, {"action": "keep"})
        post[f"action_{i}"] = rule["action"]
        post[f"to_{i}"] = rule.get("to", "")
        post[f"band_{i}"] = str(rule.get("band", 10))
        post[f"head_{i}"], post[f"tail_{i}"] = "3", "0"
        if name in SAFE_POLICY["quasi_identifiers"]:
            post[f"quasi_{i}"] = "1"
    dept.client.post(f"/data/releases/{release.pk}/", post)
    release.refresh_from_db()
    assert release.status == R.PROCESSED
    page = dept.client.get(f"/data/releases/{release.pk}/").content.decode()
    assert "k-匿名" in page and "剩余风险" in page and "提交审批" in page


def test_scan_progress_is_recorded_on_the_release(personas, department, people_csv):
    dept = personas["department"]
    release = upload(dept.actor, new_dataset(dept.actor, department.pk).pk, people_csv)
    assert release.progress_total > 0 and release.progress_stage == ""
    progress = dept.client.get(f"/data/releases/{release.pk}/progress/").json()
    assert progress["status"] == "scanned" and progress["total"] == release.progress_total


def test_the_dataset_page_can_watch_an_upload_while_it_is_scanned(
    personas, department, people_csv, monkeypatch
):
    dept = personas["department"]
    dataset = new_dataset(dept.actor, department.pk)
    url = f"/data/manage/{dataset.pk}/progress/"
    assert dept.client.get(url).json()["stage"] == ""
    seen: list[dict] = []
    real_scan = release_services.scan_file

    def scan_and_look(path, on_progress=None):
        def report(done: int, total: int) -> None:
            on_progress(done, total)
            seen.append(dept.client.get(url).json())  # what the polling page gets meanwhile

        return real_scan(path, on_progress=report)

    monkeypatch.setattr(release_services, "scan_file", scan_and_look)
    release = upload(dept.actor, dataset.pk, people_csv)
    assert seen and all(s["stage"] == "scan" and s["release"] == release.pk for s in seen)
    assert seen[-1]["percent"] == 100
    assert dept.client.get(url).json()["stage"] == ""
    page = dept.client.get(f"/data/manage/{dataset.pk}/").content.decode()
    assert f'data-progress-url="{url}"' in page
    assert personas["enterprise_a"].client.get(url).status_code == 403


def test_an_upload_over_the_open_data_limit_is_refused_and_leaves_nothing(
    personas, department, people_csv, data_dir, settings
):
    dept = personas["department"].actor
    dataset = new_dataset(dept, department.pk)
    settings.OPENDATA_MAX_UPLOAD_BYTES = people_csv.stat().st_size - 1
    with pytest.raises(ValidationError, match="MB 上限"):
        upload(dept, dataset.pk, people_csv)
    assert not Release.objects.exists()
    assert not [f for f in data_dir.rglob("*") if f.is_file() and f.suffix != ".key"]
    settings.OPENDATA_MAX_UPLOAD_BYTES = people_csv.stat().st_size
    assert upload(dept, dataset.pk, people_csv).status == R.SCANNED


def test_a_version_label_is_used_once_per_dataset(personas, department, people_csv):
    dept = personas["department"].actor
    dataset = new_dataset(dept, department.pk)
    upload(dept, dataset.pk, people_csv, "2026-01")
    with pytest.raises(ValidationError, match="已存在"):
        upload(dept, dataset.pk, people_csv, "2026-01")
    assert dataset.releases.count() == 1
    assert upload(dept, dataset.pk, people_csv).label == "v2"


def test_chain_office_registers_datasets_for_any_department(personas, officers):
    dataset = new_dataset(personas["chain_office"].actor, officers["other"].pk)
    assert dataset.department == officers["other"]
    assert list(services.list_datasets(officers["other_department"].actor)) == [dataset]
    assert not services.list_datasets(personas["department"].actor).exists()


def test_large_releases_are_published_without_a_workbook(
    personas, officers, department, people_csv, monkeypatch
):
    dept, colleague = personas["department"].actor, officers["colleague"].actor
    release = submitted(dept, new_dataset(dept, department.pk).pk, people_csv)
    release = release_services.approve_release(colleague, release.pk, release.version)
    monkeypatch.setattr(release_services, "XLSX_MAX_ROWS", 10)
    release = release_services.publish_release(colleague, release.pk, release.version)
    assert sorted(r.format for r in release.resources.all()) == ["csv", "json"]


def test_discarding_a_release_deletes_its_raw_file_at_once(personas, department, people_csv):
    dept = personas["department"]
    release = upload(dept.actor, new_dataset(dept.actor, department.pk).pk, people_csv)
    raw = storage.resolve(release.raw_path)
    dept.client.post(
        f"/data/releases/{release.pk}/action/", {"action": "discard", "version": release.version}
    )
    release.refresh_from_db()
    assert release.status == R.WITHDRAWN and not release.raw_path
    assert not raw.exists() and not raw.parent.exists()
    assert _actions(release)[-1] == "status:withdrawn"


def test_publishing_fills_an_empty_field_schema_from_the_published_columns(
    personas, officers, department, people_csv
):
    dept, colleague = personas["department"].actor, officers["colleague"].actor
    dataset = services.create_dataset(dept, services.DatasetInput("无字段说明", "说明", department.pk))
    release = submitted(dept, dataset.pk, people_csv)
    release = release_services.approve_release(colleague, release.pk, release.version)
    release_services.publish_release(colleague, release.pk, release.version)
    dataset.refresh_from_db()
    assert [f["name"] for f in dataset.schema] == [
        "序号",
        "姓名",
        "性别",
        "出生日期",
        "年龄",
        "手机",
        "住址",
        "备注",
    ]
