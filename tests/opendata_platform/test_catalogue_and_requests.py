"""The public catalogue, downloads, bad uploads, the JSON API, data requests and the demo data."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lianzhang.accounts.models import AuditEntry
from lianzhang.opendata import release_services, services, storage
from lianzhang.opendata.deid.process import DIRECT_TYPES
from lianzhang.opendata.deid.scan import direct_findings, scan_file
from lianzhang.opendata.demo import load_demo_opendata
from lianzhang.opendata.models import DataRequest, Dataset, Release

from .conftest import new_dataset, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(personas, officers, department, people_csv) -> Dataset:
    """A dataset with one published release and one unpublished dataset beside it."""
    dept, colleague = personas["department"].actor, officers["colleague"].actor
    dataset = new_dataset(dept, department.pk, "社区健康服务样本")
    release = submitted(dept, dataset.pk, people_csv)
    release = release_services.approve_release(colleague, release.pk, release.version)
    release_services.publish_release(colleague, release.pk, release.version)
    hidden = new_dataset(dept, department.pk, "未发布的内部数据")
    submitted(dept, hidden.pk, people_csv)
    return dataset


def test_anonymous_sees_only_published_datasets(personas, published):
    client = personas["anonymous"].client
    page = client.get("/data/").content.decode()
    assert "社区健康服务样本" in page and "未发布的内部数据" not in page
    hidden = Dataset.objects.get(title="未发布的内部数据")
    assert client.get(f"/data/{published.pk}/").status_code == 200
    assert client.get(f"/data/{hidden.pk}/").status_code == 404


def test_public_search_filters_by_text_department_node_and_tag(published, department, officers):
    assert list(services.public_datasets("健康服务")) == [published]
    assert list(services.public_datasets("市科技局")) == [published]
    assert list(services.public_datasets(department_id=department.pk)) == [published]
    assert not services.public_datasets(department_id=officers["other"].pk).exists()
    assert list(services.public_datasets(node="vision")) == [published]
    assert not services.public_datasets(node="vis").exists()
    assert list(services.public_datasets(tag="健康")) == [published]
    assert not services.public_datasets("无此关键词").exists()


def test_downloads_have_the_right_type_and_name(personas, published):
    client = personas["anonymous"].client
    release = published.releases.get(status=Release.Status.PUBLISHED)
    expected = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats", "json": "application/json"}
    for resource in release.resources.all():
        response = client.get(f"/data/files/{resource.pk}/download/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith(expected[resource.format])
        assert f".{resource.format}" in response["Content-Disposition"]
    body = b"".join(
        client.get(f"/data/files/{release.resources.get(format='json').pk}/download/").streaming_content
    )
    records = json.loads(body)
    assert len(records) == release.resources.get(format="json").rows > 0


def test_raw_and_unpublished_files_are_never_downloadable(personas, published, data_dir):
    hidden = Dataset.objects.get(title="未发布的内部数据").releases.get()
    raw = storage.resolve(hidden.raw_path)
    assert raw.is_file()
    # Only resources of published releases have a download address, and the raw folder is served by nothing.
    assert not hidden.resources.exists()
    for persona in ("anonymous", "enterprise_a", "department"):
        client = personas[persona].client
        assert client.get(f"/media/opendata/{hidden.raw_path}").status_code == 404
        assert client.get(f"/data/files/{9999}/download/").status_code == 404
    assert all(storage.RAW not in r.path for r in published.releases.get().resources.all())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.txt", b"a,b\n1,2\n", "不支持的文件类型"),
        ("people.csv", b"", "文件为空"),
        ("people.csv", "姓名,手机\n张三,13800000000,多余\n".encode(), "CSV 格式错误"),
        ("people.csv", "姓名,手机\n".encode(), "没有数据行"),
        ("people.xlsx", b"not a workbook", "无法读取"),
        ("people.json", b"{broken", "不是合法的 JSON"),
    ],
)
def test_a_bad_upload_is_refused_and_changes_nothing(personas, department, data_dir, name, content, message):
    dept = personas["department"].actor
    dataset = new_dataset(dept, department.pk)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match=message):
        release_services.upload_release(dept, dataset.pk, name, [content])
    assert not Release.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    assert not [p for p in (data_dir / storage.RAW).rglob("*") if p.is_file()]


def test_a_bad_upload_through_the_page_shows_the_reason(personas, department):
    from django.core.files.uploadedfile import SimpleUploadedFile

    dept = personas["department"]
    dataset = new_dataset(dept.actor, department.pk)
    response = dept.client.post(
        f"/data/manage/{dataset.pk}/", {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2,3\n")}
    )
    assert response.status_code == 200
    assert "CSV 格式错误" in response.content.decode()
    assert not Release.objects.exists()


def test_public_api_lists_published_datasets_without_login(personas, published):
    client = personas["anonymous"].client
    listed = client.get("/api/data/datasets").json()
    assert [d["title"] for d in listed] == ["社区健康服务样本"]
    detail = client.get(f"/api/data/datasets/{published.pk}").json()
    resources = detail["releases"][0]["resources"]
    assert {r["format"] for r in resources} == {"csv", "xlsx", "json"}
    url = resources[0]["download_url"]
    assert client.get(url.removeprefix("http://testserver")).status_code == 200
    hidden = Dataset.objects.get(title="未发布的内部数据")
    assert client.get(f"/api/data/datasets/{hidden.pk}").status_code == 404
    assert client.get("/api/data/requests").status_code == 401


# ------------------------------------------------------------------------------------ requests


def _file(persona, department_id: int) -> DataRequest:
    return services.create_request(
        persona.actor, services.RequestInput("视觉质检样本", "缺陷图片与标注", "训练质检模型", department_id)
    )


def test_request_and_answer_flow(personas, officers, department, published):
    ent_a, dept = personas["enterprise_a"], personas["department"]
    request = _file(ent_a, department.pk)
    assert list(services.request_inbox(dept.actor)) == [request]
    assert not services.request_inbox(officers["other_department"].actor).exists()
    with pytest.raises(PermissionDenied):
        services.answer_request(
            officers["other_department"].actor, request.pk, request.version, "answered", "好"
        )
    with pytest.raises(ValidationError, match="已发布的数据集"):
        services.answer_request(dept.actor, request.pk, request.version, "fulfilled", "已开放")
    hidden = Dataset.objects.get(title="未发布的内部数据")
    with pytest.raises(ValidationError):
        services.answer_request(dept.actor, request.pk, request.version, "fulfilled", "已开放", hidden.pk)
    answered = services.answer_request(
        dept.actor, request.pk, request.version, "fulfilled", "已开放，请下载", published.pk
    )
    assert answered.status == DataRequest.Status.FULFILLED and answered.answered_by_id == dept.actor.user_id
    page = ent_a.client.get("/data/requests/").content.decode()
    assert "已开放，请下载" in page and published.title in page
    assert AuditEntry.objects.filter(model="opendata.datarequest", action="status:fulfilled").exists()


def test_enterprise_sees_only_its_own_requests(personas, department):
    request = _file(personas["enterprise_a"], department.pk)
    assert not services.my_requests(personas["enterprise_b"].actor).exists()
    with pytest.raises(PermissionDenied):
        services.get_request(personas["enterprise_b"].actor, request.pk)
    assert personas["enterprise_b"].client.get(f"/data/requests/{request.pk}/").status_code == 403
    assert personas["enterprise_a"].client.get(f"/data/requests/{request.pk}/").status_code == 200
    with pytest.raises(PermissionDenied):
        services.answer_request(
            personas["enterprise_a"].actor, request.pk, request.version, "answered", "自答"
        )


def test_requests_through_the_api(personas, department):
    ent = personas["enterprise_a"].client
    created = ent.post(
        "/api/data/requests",
        {"title": "园区能耗", "description": "按月", "purpose": "节能模型", "department_id": department.pk},
        content_type="application/json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert [r["id"] for r in ent.get("/api/data/requests").json()] == [pk]
    dept = personas["department"].client
    answer = {
        "status": "declined",
        "answer": "涉及企业商业秘密，暂不开放",
        "version": created.json()["version"],
    }
    response = dept.post(f"/api/data/requests/{pk}/answer", answer, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "declined"
    response = ent.post(f"/api/data/requests/{pk}/answer", answer, content_type="application/json")
    assert response.status_code == 403
    bad = ent.post(
        "/api/data/requests",
        {"title": "", "description": "", "purpose": "", "department_id": 0},
        content_type="application/json",
    )
    assert bad.status_code in (400, 422)


# ------------------------------------------------------------------------------------ pages per persona

ROLES = ("anonymous", "chain_office", "department", "district", "enterprise_a", "expert", "admin")
PAGES = {
    "/data/": (200, 200, 200, 200, 200, 200, 200),
    "/data/manage/": (302, 200, 200, 403, 403, 403, 200),
    "/data/manage/new/": (302, 200, 200, 403, 403, 403, 200),
    "/data/approvals/": (302, 200, 200, 403, 403, 403, 200),
    "/data/requests/": (302, 403, 403, 403, 200, 403, 403),
    "/data/requests/inbox/": (302, 200, 200, 403, 403, 403, 200),
    "/api/data/datasets": (200, 200, 200, 200, 200, 200, 200),
    "/api/data/requests": (401, 200, 200, 403, 200, 403, 200),
    "/api/data/manage/datasets": (401, 200, 200, 403, 403, 403, 200),
    "/api/data/approvals": (401, 200, 200, 403, 403, 403, 200),
}


@pytest.mark.parametrize("url", PAGES)
def test_pages_answer_each_persona_as_expected(personas, url):
    got = tuple(personas[role].client.get(url).status_code for role in ROLES)
    assert got == PAGES[url]


def test_navigation_shows_open_data_entries_by_role(personas):
    assert "数据开放" in personas["department"].client.get("/data/manage/").content.decode()
    assert "数据需求" in personas["enterprise_a"].client.get("/data/requests/").content.decode()
    assert "/data/requests/inbox/" in personas["department"].client.get("/data/manage/").content.decode()


def test_department_creates_a_dataset_through_the_page(personas, department):
    dept = personas["department"]
    response = dept.client.post(
        "/data/manage/new/",
        {
            "title": "人工智能企业名录",
            "department_id": department.pk,
            "description": "名录",
            "licence": "cc-by-4.0",
            "update_frequency": "monthly",
            "tags": "企业，名录",
            "nodes": "vision",
            "schema": "企业名称|string|登记名称\n成立年份|integer|",
        },
    )
    dataset = Dataset.objects.get()
    assert response.status_code == 302
    assert dataset.tag_list == ["企业", "名录"] and dataset.schema[1] == {
        "name": "成立年份",
        "type": "integer",
        "description": "",
    }
    assert AuditEntry.objects.filter(model="opendata.dataset", action="create").exists()


def test_unknown_node_or_field_type_is_refused(personas, department):
    dept = personas["department"].actor
    with pytest.raises(ValidationError) as caught:
        services.create_dataset(
            dept,
            services.DatasetInput(
                "名录", "说明", department.pk, nodes=["teleport"], schema=[{"name": "a", "type": "x"}]
            ),
        )
    assert set(caught.value.message_dict) == {"nodes", "schema"}
    assert not Dataset.objects.exists()


# ------------------------------------------------------------------------------------ demo


def test_demo_publishes_datasets_through_the_workflow(personas, officers):
    load_demo_opendata()
    datasets = list(services.public_datasets())
    assert {d.title for d in datasets} == {"人工智能企业名录（脱敏）", "社区健康服务样本（合成，脱敏）"}
    for dataset in datasets:
        release = dataset.releases.get()
        assert release.preparer_id != release.approver_id and not release.raw_path
        assert release.scan_report["total_findings"] > 0  # the raw file did carry planted identifiers
        for resource in release.resources.all():
            assert direct_findings(scan_file(storage.resolve(resource.path)), DIRECT_TYPES) == {}
    load_demo_opendata()
    assert Dataset.objects.count() == 2


def test_the_whole_release_workflow_through_the_api(personas, officers, department, people_csv):
    from .conftest import SAFE_POLICY

    dept, colleague, anonymous = (
        personas["department"].client,
        officers["colleague"].client,
        personas["anonymous"],
    )
    created = dept.post(
        "/api/data/manage/datasets",
        {
            "title": "接口发布样本",
            "description": "经接口发布",
            "schema_fields": [{"name": "姓名", "type": "string"}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    with people_csv.open("rb") as handle:
        uploaded = dept.post(f"/api/data/manage/datasets/{pk}/releases", {"file": handle, "label": "v1"})
    assert uploaded.status_code == 201, uploaded.content
    release = uploaded.json()
    assert release["scan_report"]["rows"] == 60 and not release["raw_deleted"]
    assert personas["enterprise_a"].client.get(f"/api/data/releases/{release['id']}").status_code == 403
    processed = dept.post(
        f"/api/data/releases/{release['id']}/process",
        {"version": release["version"], "policy": SAFE_POLICY},
        content_type="application/json",
    ).json()
    assert processed["status"] == "processed"

    def step(client, action: str, version: int):
        return client.post(
            f"/api/data/releases/{release['id']}/steps",
            {"action": action, "version": version},
            content_type="application/json",
        )

    submitted_ = step(dept, "submit", processed["version"]).json()
    refused = step(dept, "approve", submitted_["version"])
    assert refused.status_code == 403 and "本人" in refused.json()["detail"]
    assert [r["id"] for r in colleague.get("/api/data/approvals").json()] == [release["id"]]
    approved = step(colleague, "approve", submitted_["version"]).json()
    published = step(colleague, "publish", approved["version"]).json()
    assert published["status"] == "published" and published["raw_deleted"]
    assert [d["title"] for d in anonymous.client.get("/api/data/datasets").json()] == ["接口发布样本"]
    assert step(colleague, "teleport", published["version"]).status_code == 422
