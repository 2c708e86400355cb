"""Fixtures of the open data platform tests: a private data folder, second officers and raw files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lianzhang.accounts.models import Department, Role
from lianzhang.opendata import release_services, services
from lianzhang.opendata.deid import synthetic
from tests.conftest import Persona, _persona

# A policy that makes the synthetic people table publishable at k=2 (rare rows suppressed).
SAFE_POLICY = {
    "columns": {
        "姓名": {"action": "pseudonymise"},
        "出生日期": {"action": "generalise", "to": "year"},
        "年龄": {"action": "generalise", "to": "band", "band": 20},
        "证件号码": {"action": "drop"},
        "手机": {"action": "mask", "keep_head": 3, "keep_tail": 0},
        "住址": {"action": "generalise", "to": "district"},
        "备注": {"action": "redact"},
    },
    "quasi_identifiers": ["性别", "年龄"],
    "k": 2,
    "suppress": "rows",
}


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path) -> Path:
    """Every test writes its open data files into its own folder."""
    settings.OPENDATA_DIR = tmp_path / "opendata"
    return settings.OPENDATA_DIR


@pytest.fixture
def officers(personas, department) -> dict[str, Persona]:
    """A second officer of the same department and an officer of another department."""
    other = Department.objects.create(name="广州市工业和信息化局", short_name="市工信局", city_id="4401")
    return {
        "colleague": _persona("dept_b", role=Role.DEPARTMENT, department_id=department.pk),
        "other_department": _persona("dept_other", role=Role.DEPARTMENT, department_id=other.pk),
        "other": other,
    }


@pytest.fixture
def people_csv(tmp_path) -> Path:
    """A small raw table with planted synthetic identifiers."""
    return synthetic.write_csv(synthetic.generate(60, seed=5), tmp_path / "people.csv")


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """A CSV file for a test."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def new_dataset(actor, department_id: int, title: str = "社区服务样本"):
    """A dataset registered through the service."""
    return services.create_dataset(
        actor,
        services.DatasetInput(
            title=title,
            description="测试用数据集",
            department_id=department_id,
            tags=["健康"],
            nodes=["vision"],
        ),
    )


def upload(actor, dataset_id: int, path: Path, label: str = ""):
    """Upload a file as a new release."""
    return release_services.upload_release(actor, dataset_id, path.name, [path.read_bytes()], label)


def processed(actor, dataset_id: int, path: Path, policy: dict | None = None):
    """Upload and process a file by a policy."""
    release = upload(actor, dataset_id, path)
    return release_services.process_release(actor, release.pk, release.version, policy or SAFE_POLICY)


def submitted(actor, dataset_id: int, path: Path):
    """Upload, process and submit a file."""
    release = processed(actor, dataset_id, path)
    return release_services.submit_release(actor, release.pk, release.version)
