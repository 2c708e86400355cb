"""Template context shared by every page: the actor and the navigation it may use."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from lianzhang.accounts.permissions import actor_for, allowed

# (url name, label, action that must be allowed)
NAVIGATION = (
    ("dashboard", "总览", "dashboard.view"),
    ("enterprise-list", "企业库", "enterprise.list"),
    ("project-list", "项目库", "project.list"),
    ("park-list", "产业园区", "park.list"),
    ("plan-dashboard", "规划督办", "plan.view"),
    ("chain-map", "产业链图谱", "chain.map.view"),
    ("chain-gaps", "补链招商", "chain.map.view"),
    ("task-list", "任务进展", "task.list"),
    ("scenario-manage", "场景招募", "scenario.list"),
    ("supplier-list", "供给能力", "supplier.list"),
    ("cooperation-report", "技术对接", "cooperation.view"),
    ("supply-list", "供应链对接", "supply.view"),
    ("supplier-mine", "本企业供给能力", "notification.view"),
    ("notification-list", "站内通知", "notification.view"),
    ("evaluation-index", "综合评价", "evaluation.view"),
    # --- reviews ---
    # --- end reviews ---
    # --- subsidies ---
    # --- end subsidies ---
    # --- opendata ---
    # --- end opendata ---
    ("review-queue", "识别复核", "node.confirm"),
    ("enterprise-import", "批量导入", "enterprise.import"),
    ("audit-log", "审计日志", "audit.view"),
)


def platform(request: HttpRequest) -> dict[str, Any]:
    """Add the actor and its navigation entries to every template."""
    actor = actor_for(getattr(request, "user", None))
    return {
        "actor": actor,
        "demo_mode": settings.CONFIG.demo_banner,
        "nav": [(name, label) for name, label, action in NAVIGATION if allowed(actor, action)],
    }
