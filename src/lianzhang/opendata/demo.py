"""Demo open data: datasets published through the real workflow from generated raw files that carry planted
synthetic identifiers, and one open data request. Every value is invented."""

from __future__ import annotations

import csv
import random
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model

from lianzhang.accounts.models import Department
from lianzhang.accounts.permissions import Actor, actor_for
from lianzhang.enterprises.models import Enterprise
from lianzhang.opendata import release_services, services
from lianzhang.opendata.deid import synthetic
from lianzhang.opendata.deid.process import DIRECT_TYPES
from lianzhang.opendata.models import Dataset
from lianzhang.opendata.suggest import suggested_policy

PREPARER, APPROVER, REQUESTER = "dept", "chain", "enterprise"
DIRECTORY_ROWS = 200
HEALTH_ROWS = 400


def _user(username: str) -> Actor | None:
    user = get_user_model().objects.filter(username=username).first()
    return actor_for(user) if user else None


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _directory_rows(rng: random.Random) -> tuple[list[str], list[list[str]]]:
    """Registry enterprises with invented contact people, mobiles, e-mails and IDs planted beside them.

    Only organisation attributes are kept: no column is a quasi-identifier of a person, so k-anonymity
    has nothing to group (the health sample below is the one that exercises it)."""
    header = [
        "企业名称",
        "统一社会信用代码",
        "所在地",
        "主要产品",
        "联系人",
        "联系手机",
        "联系邮箱",
        "联系人证件号",
    ]
    rows = []
    enterprises = Enterprise.objects.select_related("division").order_by("credit_code")[:DIRECTORY_ROWS]
    for e in enterprises:
        rows.append(
            [
                e.name,
                e.credit_code,
                e.division.name,
                e.products[:100],
                synthetic.person_name(rng),
                synthetic.mobile(rng),
                synthetic.email(rng),
                synthetic.id_card(rng),
            ]
        )
    return header, rows


def _publish(
    preparer: Actor, approver: Actor, data: services.DatasetInput, raw: Path, overrides: dict | None = None
) -> Dataset:
    """Register, upload, scan, process by the suggested policy (with overrides), submit, approve, publish."""
    dataset = services.create_dataset(preparer, data)
    with raw.open("rb") as handle:
        release = release_services.upload_release(
            preparer,
            dataset.pk,
            raw.name,
            iter(lambda: handle.read(1 << 16), b""),
            "2026-12",
            "演示：由合成原始数据经脱敏流程生成",
        )
    policy = suggested_policy(release.scan_report, DIRECT_TYPES)
    for key, value in (overrides or {}).items():
        if key == "columns":
            policy["columns"].update(value)
        else:
            policy[key] = value
    release = release_services.process_release(preparer, release.pk, release.version, policy)
    release = release_services.submit_release(preparer, release.pk, release.version)
    release = release_services.approve_release(approver, release.pk, release.version, "演示：已核对处理报告")
    release_services.publish_release(approver, release.pk, release.version)
    return dataset


def load_demo_opendata() -> None:
    """Publish the demo datasets once (nothing happens when datasets exist or the demo users are missing)."""
    if Dataset.objects.exists():
        return
    preparer, approver = _user(PREPARER), _user(APPROVER)
    if preparer is None or approver is None or not preparer.department_id:
        return
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        header, rows = _directory_rows(rng)
        if rows:
            _publish(
                preparer,
                approver,
                services.DatasetInput(
                    title="人工智能企业名录（脱敏）",
                    description="平台企业库中人工智能企业的名称、信用代码、所在地与主要产品。联系人姓名、"
                    "证件号与邮箱已删除，联系手机仅保留号段。（演示数据，均为虚构）",
                    department_id=preparer.department_id,
                    licence=Dataset.Licence.CC_BY,
                    update_frequency=Dataset.Frequency.MONTHLY,
                    tags=["企业名录", "人工智能", "演示"],
                    nodes=[],
                    schema=[
                        {"name": "企业名称", "type": "string", "description": "登记名称"},
                        {"name": "统一社会信用代码", "type": "code", "description": "18 位，含校验位"},
                        {"name": "所在地", "type": "string", "description": "镇街名称"},
                        {"name": "主要产品", "type": "string", "description": ""},
                        {"name": "联系手机", "type": "string", "description": "仅保留前三位号段"},
                    ],
                ),
                _write(folder / "ai-directory.csv", header, rows),
                {"columns": {"联系人": {"action": "drop"}, "联系邮箱": {"action": "drop"}}},
            )
        planted = synthetic.generate(HEALTH_ROWS, seed=2026)
        _publish(
            preparer,
            approver,
            services.DatasetInput(
                title="社区健康服务样本（合成，脱敏）",
                description="供智能健康应用开发测试的社区健康服务记录样本。姓名已假名化，证件号、手机号与出生日期已删除，"
                "年龄泛化到二十岁区间、住址泛化到区县，备注中的个人信息已抹除；按性别、年龄段、住址检验"
                " 5-匿名，不足 5 人的组合所在行已删除。（合成数据，与任何真实个人无关）",
                department_id=preparer.department_id,
                licence=Dataset.Licence.GOV_CONDITIONAL,
                update_frequency=Dataset.Frequency.ONCE,
                tags=["智慧健康", "训练数据", "演示"],
                nodes=[],
            ),
            synthetic.write_csv(planted, folder / "health-sample.csv"),
            {
                "columns": {
                    "证件号码": {"action": "drop"},
                    "手机": {"action": "drop"},
                    "出生日期": {"action": "drop"},
                    "年龄": {"action": "generalise", "to": "band", "band": 20},
                },
                "quasi_identifiers": ["性别", "年龄", "住址"],
                "suppress": "rows",
            },
        )
    requester = _user(REQUESTER)
    department = Department.objects.filter(city_id="4401", name__contains="工业和信息化").first()
    if requester is not None and requester.enterprise_id and department is not None:
        services.create_request(
            requester,
            services.RequestInput(
                title="重点工业企业设备联网与能耗数据（演示）",
                description="按镇街汇总的规模以上工业企业设备联网率和月度用电量，2023 年以来。",
                purpose="训练工业设备预测性维护模型，评估不同镇街的智能化改造潜力。",
                department_id=department.pk,
            ),
        )
