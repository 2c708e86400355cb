"""Demo plan: a fictitious Guangzhou action plan imported, confirmed and reported on through the services."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from django.utils import timezone

from lianzhang.accounts.permissions import SYSTEM
from lianzhang.plans import progress_services, services
from lianzhang.plans.models import Plan, Target
from lianzhang.plans.progress_services import ReportInput
from lianzhang.plans.services import TrackingSettings

DEMO_PLAN_NAME = "广州市人工智能产业链提质增效三年行动方案（演示）.txt"

# Written for the demo; the wording only imitates the shape of real plans (labelled departments,
# a trailing department list, goals with comparators, a subsidy rule kept apart from the goals).
DEMO_PLAN = """广州市人工智能产业链提质增效三年行动方案（2025—2027年）

一、工作目标
到2027年，全市人工智能产业链企业超过1200家，建成8个人工智能特色园区，征集发布应用场景不少于100个，人工智能核心产业规模达到600亿元左右。

二、重点任务
（一）固链强链
1.培育链主企业。遴选一批链主企业，支持其牵引上下游配套企业协同攻关。（牵头单位：市工信局，配合单位：市科技局、市发改委）
2.补齐基础层短板。围绕智能芯片、智能传感器等薄弱环节开展精准招商。（牵头单位：市商务局，配合单位：市工信局）
（二）场景牵引
3.开展场景征集。每年发布人工智能应用场景需求清单，组织供需对接活动。（牵头单位：市科技局，配合单位：市政数局、市工信局）
4.推动公共数据开放。分批开放经脱敏处理的公共数据集。（市政数局、市科技局）
（三）优化环境
5.建设特色园区。推动各区建设人工智能特色园区，完善算力等公共服务。（牵头单位：市发改委，配合单位：市科技局、市工信局）

三、保障措施
对链主企业牵头实施的协同攻关项目，按项目投入的30%给予补助，每家最高不超过500万元。
"""

# (task number, department short name, percent, narrative) filed for the previous quarter.
DEMO_REPORTS = (
    ("1", "市工信局", 40, "已遴选首批链主企业 6 家，组织上下游对接会 2 场。"),
    ("1", "市科技局", 30, "配合梳理链主企业研发需求清单。"),
    ("3", "市科技局", 55, "第一批场景需求清单已发布 28 项，揭榜申报 41 份。"),
    ("5", "市发改委", 20, "完成特色园区认定办法征求意见。"),
)


# Which live figure each demo goal follows, by a word of its metric; the money goal takes entered values.
DEMO_LIVE_FIGURES = (("企业", "ai_enterprises"), ("园区", "parks"), ("场景", "published_scenarios"))


def _previous_quarter(today: date) -> str:
    quarter = (today.month - 1) // 3 + 1
    year, quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    return f"{year}-Q{quarter}"


def load_demo_plan() -> Plan | None:
    """Import, confirm and report on the demo plan once; nothing happens when any plan exists."""
    if Plan.objects.exists():
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / DEMO_PLAN_NAME
        path.write_text(DEMO_PLAN, encoding="utf-8")
        plan = services.import_plan(SYSTEM, path, DEMO_PLAN_NAME, city_code="4401")
    for name in services.unknown_departments(plan):
        services.map_department(SYSTEM, plan.pk, name, create=True)
    plan.refresh_from_db()
    plan = services.confirm_plan(SYSTEM, plan.pk, plan.version)
    today = timezone.localdate()
    for target in plan.targets.filter(kind=Target.Kind.GOAL):
        live_key = next((key for word, key in DEMO_LIVE_FIGURES if word in target.metric), "")
        settings = TrackingSettings(
            baseline_value=0, baseline_date=date(2025, 1, 1), deadline=date(2027, 12, 31), live_key=live_key
        )
        services.set_target_tracking(SYSTEM, target.pk, target.version, settings)
    period = _previous_quarter(today)
    # Task numbers are hierarchical (二.(一).1); the demo reports name the last level.
    tasks = {t.number.rsplit(".", 1)[-1]: t for t in plan.tasks.prefetch_related("assignments__department")}
    for number, short_name, percent, narrative in DEMO_REPORTS:
        task = tasks.get(number)
        if task is None:
            continue
        department = next(
            (a.department for a in task.assignments.all() if a.name == short_name and a.department_id), None
        )
        if department is not None:
            report = ReportInput(period, percent, narrative, department_id=department.pk)
            progress_services.file_report(SYSTEM, task.pk, report)
    return plan
