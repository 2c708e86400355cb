"""Chain map, weak links, the investment-attraction list and the pipeline: thin pages over the services."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lianzhang.accounts.models import Role
from lianzhang.accounts.permissions import actor_for, allowed
from lianzhang.chains import services
from lianzhang.chains.models import STAGES, Referral
from lianzhang.common.chains import node_names
from lianzhang.common.versioning import StaleEdit
from lianzhang.web.errors import page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _messages_of(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _code(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if value.isdigit() else None


@login_required
@page
def chain_map(request: HttpRequest) -> HttpResponse:
    """The interactive chain map with district filter, comparison and the district × node heatmap."""
    actor = actor_for(request.user)
    year_a, year_b = _code(request.GET.get("year_a")), _code(request.GET.get("year_b"))
    data = services.chain_map(
        actor,
        lens=request.GET.get("lens", "layer"),
        district=_code(request.GET.get("district")),
        compare=_code(request.GET.get("compare")),
        years=(int(year_a), int(year_b)) if year_a and year_b and year_a != year_b else None,
    )
    if request.GET.get("format") == "json":
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    return render(request, "chains/map.html", {"data": data, "lenses": services.LENSES})


@login_required
@page
def node_detail(request: HttpRequest, node: str) -> JsonResponse:
    """A node's figures and enterprises (JSON, for the map's click)."""
    actor = actor_for(request.user)
    data = services.node_detail(actor, node, district=_code(request.GET.get("district")))
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@login_required
@page
def gaps(request: HttpRequest) -> HttpResponse:
    """Weak links with explanations, the two-ends pattern and the investment-attraction list."""
    actor = actor_for(request.user)
    analysis = services.latest_analysis(actor)
    claimed = (
        {c.external_id: c for c in services.list_candidates(actor)} if allowed(actor, "pipeline.view") else {}
    )
    nodes = sorted(analysis.report.get("nodes", []), key=lambda n: -n["weak_score"]) if analysis else []
    return render(
        request,
        "chains/gaps.html",
        {
            "analysis": analysis,
            "nodes": nodes,
            "references": services.list_references(actor),
            "targets": [(c, claimed.get(c["id"])) for c in (analysis.candidates if analysis else [])],
            "can_run": allowed(actor, "chain.analysis.run"),
            "can_claim": allowed(actor, "pipeline.claim"),
            "can_export": allowed(actor, "chain.targets.export"),
            "teams": services.districts(actor),
            "own_team": actor.region_code if actor.role == Role.DISTRICT else None,
        },
    )


@login_required
@require_POST
@page
def run_analysis(request: HttpRequest) -> HttpResponse:
    """Run the weak-link analysis against the chosen reference (chain office)."""
    actor = actor_for(request.user)
    try:
        reference = int(request.POST.get("reference", ""))
        top = max(1, min(500, int(request.POST.get("top") or 50)))
    except ValueError:
        messages.error(request, "请选择参照名录")
        return redirect("chain-gaps")
    try:
        analysis = services.run_analysis(actor, reference, top=top)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(
            request, f"分析完成：{len(analysis.candidates)} 家招商对象，用时 {analysis.seconds:.1f} 秒"
        )
    return redirect("chain-gaps")


@login_required
@page
def export_targets(request: HttpRequest) -> HttpResponse:
    """The investment-attraction list as Excel."""
    content = services.export_targets(actor_for(request.user))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E6%8B%9B%E5%95%86%E6%B8%85%E5%8D%95.xlsx"
    return response


@login_required
@require_POST
@page
def claim(request: HttpRequest) -> HttpResponse:
    """Open a candidate for one district team."""
    actor = actor_for(request.user)
    data = services.CandidateInput(
        external_id=request.POST.get("external_id", ""),
        name=request.POST.get("name", ""),
        node=request.POST.get("node", ""),
        team_code=request.POST.get("team", "") or (actor.region_code or ""),
        score=float(request.POST.get("score") or 0),
        reason=request.POST.get("reason", ""),
    )
    try:
        candidate = services.claim_candidate(actor, data)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
        return redirect(request.POST.get("next") or "chain-gaps")
    messages.success(request, f"已为{candidate.team.name}建立招商线索：{candidate.name}")
    return redirect("candidate-detail", pk=candidate.pk)


@login_required
@page
def pipeline(request: HttpRequest) -> HttpResponse:
    """All candidates with stage and team."""
    actor = actor_for(request.user)
    team = _code(request.GET.get("team"))
    candidates = services.list_candidates(actor, team=team)
    counts = {code: 0 for code, _ in STAGES}
    for candidate in candidates:
        counts[candidate.stage] += 1
    return render(
        request,
        "chains/pipeline.html",
        {
            "candidates": candidates,
            "stages": [(code, label, counts[code]) for code, label in STAGES],
            "teams": services.districts(actor),
            "team": team,
            "node_names": node_names(),
        },
    )


@login_required
@page
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One candidate: stage history, referrals, and the forms its team may use."""
    actor = actor_for(request.user)
    candidate = services.get_candidate(actor, pk)
    can_work = services.can_work(actor, candidate)
    return render(
        request,
        "chains/candidate.html",
        {
            "candidate": candidate,
            "history": candidate.history.select_related("by"),
            "referrals": candidate.referrals.all(),
            "can_work": can_work and allowed(actor, "pipeline.advance"),
            "can_refer": can_work and allowed(actor, "referral.record"),
            "can_reassign": allowed(actor, "pipeline.reassign"),
            "stages": [s for s in STAGES if s[0] != candidate.stage],
            "teams": services.districts(actor),
            "outcomes": Referral.Outcome.choices,
            "node_names": node_names(),
            "today": date.today(),
        },
    )


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        raise ValidationError({"version": "缺少版本号，请刷新页面后重试"}) from None


@login_required
@require_POST
@page
def candidate_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Advance, hand over or record a referral for a candidate."""
    actor = actor_for(request.user)
    post = request.POST
    try:
        if action == "advance":
            services.advance_candidate(
                actor, pk, _version(request), post.get("stage", ""), post.get("note", "")
            )
            messages.success(request, "已更新阶段")
        elif action == "reassign":
            services.reassign_candidate(
                actor, pk, _version(request), post.get("team", ""), post.get("note", "")
            )
            messages.success(request, "已转交")
        elif action == "referral":
            try:
                referred_on = date.fromisoformat(post.get("referred_on", ""))
            except ValueError:
                raise ValidationError({"referred_on": "推荐日期格式应为 YYYY-MM-DD"}) from None
            services.record_referral(
                actor,
                pk,
                ambassador=post.get("ambassador", ""),
                organisation=post.get("organisation", ""),
                referred_on=referred_on,
                outcome=post.get("outcome", "pending"),
                note=post.get("note", ""),
            )
            messages.success(request, "已登记推荐")
        else:
            raise services.NotFound("未知的操作")
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    except StaleEdit as exc:
        messages.error(request, str(exc))
    return redirect("candidate-detail", pk=pk)
