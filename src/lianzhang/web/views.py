"""Pages that belong to no single domain: home, dashboard, own profile, audit log, local assets."""

from __future__ import annotations

from functools import cache

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from lianzhang.accounts import services as account_services
from lianzhang.accounts.models import Role
from lianzhang.accounts.permissions import actor_for
from lianzhang.enterprises import services as registry
from lianzhang.enterprises.project_services import list_projects
from lianzhang.regions.models import Region

AUDITED_MODELS = (
    ("enterprises.enterprise", "企业"),
    ("enterprises.project", "项目"),
    ("enterprises.park", "园区"),
    ("plans.plan", "规划"),
    ("plans.target", "目标"),
    ("plans.task", "任务"),
    ("plans.progressreport", "进展报告"),
    ("scenarios.scenario", "场景需求"),
    ("scenarios.application", "揭榜申请"),
    ("scenarios.supplierprofile", "供给能力档案"),
    ("scenarios.milestone", "实施里程碑"),
    ("scenarios.cooperation", "技术对接合作"),
    ("scenarios.supplyneed", "供应链需求"),
    ("chains.candidate", "招商对象"),
    ("chains.referral", "招商大使推荐"),
    ("chains.gapanalysis", "薄弱环节分析"),
    ("chains.referencepopulation", "参照名录"),
    ("evaluation.evaluationframework", "评价框架"),
    ("evaluation.evaluationrun", "评价结果"),
    ("evaluation.indicatorvalue", "导入指标值"),
    ("auth.user", "用户"),
)


def home(request: HttpRequest) -> HttpResponse:
    """Public landing page, or each role's starting page once logged in."""
    actor = actor_for(request.user)
    if actor.is_anonymous:
        return render(request, "web/home_public.html")
    if actor.role == Role.ENTERPRISE and actor.enterprise_id:
        return redirect("enterprise-detail", pk=actor.enterprise_id)
    if actor.role == Role.EXPERT:
        return redirect("review-mine")
    return redirect("dashboard")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Counts by chain node, district and tag, with charts."""
    actor = actor_for(request.user)
    summary = registry.registry_summary(actor)
    area = Region.objects.filter(pk=actor.region_code).first() if actor.region_code else None
    return render(
        request,
        "web/dashboard.html",
        {
            "summary": summary,
            "project_total": list_projects(actor).count(),
            "park_total": registry.list_parks(actor).count(),
            "area_name": area.full_name if area else "",
        },
    )


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The logged-in user's own profile and what the role allows."""
    actor = actor_for(request.user)
    profile = account_services.my_profile(actor)
    return render(request, "web/me.html", {"profile": profile})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, newest first, with filters."""
    actor = actor_for(request.user)
    entries = account_services.list_audit(
        actor,
        q=request.GET.get("q", "").strip(),
        model=request.GET.get("model", "").strip(),
        username=request.GET.get("username", "").strip(),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request, "web/audit.html", {"page": page, "params": request.GET, "model_choices": AUDITED_MODELS}
    )


@cache
def _plotly_js() -> bytes:
    import plotly.offline

    return plotly.offline.get_plotlyjs().encode()


@require_GET
@cache_control(max_age=86400, public=True)
def plotly_asset(request: HttpRequest) -> HttpResponse:
    """The plotly bundle from the installed package, so charts work on an air-gapped intranet."""
    return HttpResponse(_plotly_js(), content_type="application/javascript; charset=utf-8")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 page in the platform's language; a service's own reason ("评审 5 不存在") is shown as is."""
    reason = str(exception) if isinstance(exception, Http404) and str(exception) else ""
    # Django's resolver puts a dict describing the URL patterns into its own 404s: never show that.
    if not reason or reason.startswith("{"):
        reason = "您要找的页面或记录不存在，或已被删除。"
    return render(request, "web/404.html", {"reason": reason}, status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403 page that states the reason in plain words."""
    reason = str(exception) if exception and str(exception) else "您无权访问此页面"
    return render(request, "web/403.html", {"reason": reason}, status=403)
