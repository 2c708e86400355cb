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
    ("expert-pool", "专家库", "expert.pool.view"),
    ("review-rounds", "专家评审", "review.view"),
    ("review-mine", "我的评审", "review.score"),
    ("subsidy-programmes", "择优支持", "subsidy.view"),
    ("subsidy-mine", "本企业补助", "subsidy.mine"),
    ("opendata-manage", "数据集与发布", "data.manage"),
    ("opendata-approvals", "发布审批", "data.approve"),
    ("opendata-inbox", "数据需求答复", "data.answer"),
    ("opendata-requests", "数据需求", "data.request"),
    ("opendata-public-list", "开放数据目录", "data.request"),
    ("review-queue", "识别复核", "node.confirm"),
    ("enterprise-import", "批量导入", "enterprise.import"),
    ("audit-log", "审计日志", "audit.view"),
)


# Menus of the top bar, in order; a page not listed falls into the last menu. A menu with one entry
# the actor may use is shown as a plain link.
NAV_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("总览", ("dashboard",)),
    ("企业与项目", ("enterprise-list", "project-list", "park-list", "review-queue", "enterprise-import")),
    ("产业链", ("chain-map", "chain-gaps")),
    ("规划督办", ("plan-dashboard", "task-list")),
    (
        "场景与对接",
        (
            "scenario-manage",
            "supplier-list",
            "cooperation-report",
            "supply-list",
            "supplier-mine",
            "notification-list",
        ),
    ),
    ("评审与支持", ("review-mine", "expert-pool", "review-rounds", "subsidy-programmes", "subsidy-mine")),
    ("综合评价", ("evaluation-index",)),
    (
        "数据开放",
        (
            "opendata-manage",
            "opendata-approvals",
            "opendata-inbox",
            "opendata-requests",
            "opendata-public-list",
        ),
    ),
    ("系统", ("audit-log",)),
)


def grouped(entries: list[tuple[str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The actor's navigation entries arranged into the top bar's menus, empty menus left out."""
    group_of = {name: label for label, names in NAV_GROUPS for name in names}
    order = [label for label, _ in NAV_GROUPS]
    menus: dict[str, list[tuple[str, str]]] = {label: [] for label in order}
    for name, label in entries:
        menus[group_of.get(name, order[-1])].append((name, label))
    return [(label, menus[label]) for label in order if menus[label]]


def platform(request: HttpRequest) -> dict[str, Any]:
    """Add the actor and its navigation entries (flat and grouped into menus) to every template."""
    actor = actor_for(getattr(request, "user", None))
    nav = [(name, label) for name, label, action in NAVIGATION if allowed(actor, action)]
    return {
        "actor": actor,
        "demo_mode": settings.CONFIG.demo_banner,
        "nav": nav,
        "nav_groups": grouped(nav),
    }
