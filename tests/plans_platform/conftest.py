"""Plan fixtures: a small plan document, and a confirmed plan made through the services."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from lianzhang.accounts.models import Department, Role
from lianzhang.accounts.permissions import SYSTEM, actor_for
from lianzhang.accounts.services import NewUser, create_user
from lianzhang.plans import services
from lianzhang.plans.models import Plan, Task
from tests.conftest import PASSWORD, Persona

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
POLICY_001 = SHARED / "policy-docs" / "001_cdc2e9bdfb7cc299.txt"

needs_policy_001 = pytest.mark.skipif(
    not POLICY_001.is_file(),
    reason="../shared/policy-docs/001_cdc2e9bdfb7cc299.txt is not present (it is not part of the repository)",
)

# A small Guangzhou plan: four tasks in the labelled style, one department the directory does not know
# (市数字经济促进中心), four goals and two subsidy rules.
SMALL_PLAN = """广州市人工智能产业链高质量发展行动计划（2024—2026年）

一、发展目标
到2026年，全市人工智能产业链企业超过1000家，建成10个人工智能产业园区，培育30家以上专精特新企业，人工智能核心产业规模达到500亿元。

二、重点任务
（一）壮大产业主体
1.培育链主企业。支持龙头企业牵引产业链上下游协同发展。（牵头单位：市工信局，配合单位：市科技局、市发展改革委）
2.建设产业园区。推动人工智能特色园区建设。（牵头单位：市科技局，配合单位：市工信局、市规划和自然资源局）
3.开展场景创新。征集发布人工智能应用场景清单。（牵头单位：市科技局，配合单位：市数字经济促进中心）
（二）优化发展环境
4.加强人才引育。引进人工智能领军人才团队。（牵头单位：市人社局，配合单位：市科技局）

三、保障措施
对经认定的人工智能企业，按研发投入的30%给予补助，每家最高不超过200万元。
"""

UNKNOWN_NAME = "市数字经济促进中心"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    """Attachments go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def small_plan_file(tmp_path) -> Path:
    """The small plan written to a .txt file."""
    path = tmp_path / "广州市人工智能行动计划.txt"
    path.write_text(SMALL_PLAN, encoding="utf-8")
    return path


@pytest.fixture
def draft_plan(personas, small_plan_file) -> Plan:
    """The small plan imported by the chain office, not yet confirmed."""
    return services.import_plan(personas["chain_office"].actor, small_plan_file, small_plan_file.name)


@pytest.fixture
def confirmed_plan(personas, draft_plan) -> Plan:
    """The small plan with its unknown department created by the chain office, confirmed."""
    actor = personas["chain_office"].actor
    services.map_department(actor, draft_plan.pk, UNKNOWN_NAME, create=True)
    draft_plan.refresh_from_db()
    return services.confirm_plan(actor, draft_plan.pk, draft_plan.version)


def task_titled(plan: Plan, title: str) -> Task:
    """The plan's task with this title."""
    return plan.tasks.get(title=title)


@pytest.fixture
def industry_officer(confirmed_plan) -> Persona:
    """An officer of 广州市工业和信息化局 (the department is created when the plan is confirmed)."""
    department = Department.objects.get(name="广州市工业和信息化局")
    user = create_user(SYSTEM, NewUser("dept_it", PASSWORD, Role.DEPARTMENT, department_id=department.pk))
    user = get_user_model().objects.get(pk=user.pk)
    client = Client()
    client.force_login(user)
    return Persona("dept_it", actor_for(user), client)
