"""Pages of the expert pool and review rounds: thin wrappers over the services."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lianzhang.accounts.permissions import actor_for, allowed, require
from lianzhang.common.chains import node_names
from lianzhang.common.versioning import StaleEdit
from lianzhang.enterprises.models import Project, RelatedPerson
from lianzhang.enterprises.services import NotFound
from lianzhang.reviews import assignment_services, bridge, imports, pool_services, scoring_services, services
from lianzhang.reviews.forms import ExpertForm, ImportForm, RoundForm, SelfProfileForm
from lianzhang.reviews.models import Assignment, Expert, Objection, ReviewApplication, ReviewRound
from lianzhang.web.errors import form_errors, page, refusal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _say(request: HttpRequest, exc: Exception) -> None:
    """Show a refused step as a message (validation errors and stale edits)."""
    messages.error(request, refusal(exc))


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", "0"))
    except ValueError:
        return 0


# ------------------------------------------------------------------------------------ pool


@login_required
@page
def expert_pool(request: HttpRequest) -> HttpResponse:
    """The pool with search and filters."""
    actor = actor_for(request.user)
    q, status, node = (request.GET.get(k, "") for k in ("q", "status", "node"))
    experts = pool_services.list_experts(actor, q=q, status=status, node=node)
    context = {
        "experts": experts[:500],
        "total": experts.count(),
        "q": q,
        "status": status,
        "node": node,
        "statuses": Expert.Status.choices,
        "node_names": node_names(),
        "can_edit": allowed(actor, "expert.pool.edit"),
    }
    return render(request, "reviews/pool.html", context)


@login_required
@page
def expert_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add an expert or edit one (chain office)."""
    actor = actor_for(request.user)
    require(actor, "expert.pool.edit")
    initial = pool_services.expert_input_of(pool_services.get_expert(actor, pk)) if pk else None
    form = ExpertForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pool_services.save_expert(actor, form.to_input(), pk, form.cleaned_data["version"])
        except ValidationError as exc:
            form_errors(form, exc)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存；进行中的评审已重新计算回避")
            return redirect("expert-pool")
    return render(request, "reviews/expert_form.html", {"form": form, "editing": pk})


@login_required
@page
def expert_import(request: HttpRequest) -> HttpResponse:
    """Upload the pool sheet: all rows are imported, or none and every error is listed."""
    actor = actor_for(request.user)
    require(actor, "expert.pool.edit")
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[imports.RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            done = pool_services.import_experts(actor, form.cleaned_data["file"].read())
        except imports.SheetError as exc:
            errors = exc.errors
        else:
            messages.success(request, f"已导入：新增 {done['created']} 位，更新 {done['updated']} 位")
            return redirect("expert-pool")
    return render(request, "reviews/import.html", {"form": form, "errors": errors[:500]})


@login_required
def expert_import_template(request: HttpRequest) -> HttpResponse:
    """The empty pool sheet."""
    require(actor_for(request.user), "expert.pool.edit")
    response = HttpResponse(imports.template_bytes(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''expert-pool-template.xlsx"
    return response


@login_required
@page
def my_profile(request: HttpRequest) -> HttpResponse:
    """An expert edits their own profile (fields, availability, declared conflicts)."""
    actor = actor_for(request.user)
    expert = pool_services.my_expert(actor)
    initial = pool_services.expert_input_of(expert)
    form = SelfProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pool_services.save_my_profile(actor, form.to_input(), form.cleaned_data["version"] or 0)
        except ValidationError as exc:
            form_errors(form, exc)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存您的专家档案")
            return redirect("review-mine")
    return render(request, "reviews/profile.html", {"form": form, "expert": expert})


# ------------------------------------------------------------------------------------ expert's work


@login_required
@page
def my_reviews(request: HttpRequest) -> HttpResponse:
    """The expert's landing page: own assignments only."""
    actor = actor_for(request.user)
    assignments = list(scoring_services.my_assignments(actor))
    try:
        expert = pool_services.my_expert(actor)
    except NotFound:
        expert = None
    return render(request, "reviews/mine.html", {"assignments": assignments, "expert": expert})


@login_required
@page
def score_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """One own assignment: the weighted score sheet with comments."""
    actor = actor_for(request.user)
    context = scoring_services.score_sheet(actor, pk)
    values = dict(context["score"].values) if context["score"] else {}
    comment = context["score"].comment if context["score"] else ""
    errors: dict[str, list[str]] | list[str] = {}
    if request.method == "POST":
        values = {c["key"]: request.POST.get(c["key"], "") for c in context["criteria"]}
        comment = request.POST.get("comment", "")
        try:
            scoring_services.submit_score(actor, pk, values, comment)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        else:
            messages.success(request, "评分已提交；评分结束前可以修改")
            return redirect("review-mine")
    rows = [
        {**c, "value": values.get(c["key"], ""), "errors": errors.get(c["key"], [])}
        for c in context["criteria"]
    ]
    context.update(rows=rows, comment=comment, errors=errors)
    return render(request, "reviews/sheet.html", context)


@login_required
@require_POST
@page
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    """The expert declines an assignment."""
    try:
        assignment_services.decline_assignment(actor_for(request.user), pk, request.POST.get("reason", ""))
    except ValidationError as exc:
        _say(request, exc)
        return redirect("review-sheet", pk=pk)
    messages.success(request, "已谢绝，链长办将重抽替补专家")
    return redirect("review-mine")


# ------------------------------------------------------------------------------------ rounds


@login_required
@page
def round_list(request: HttpRequest) -> HttpResponse:
    """Every round and its status."""
    actor = actor_for(request.user)
    rounds = services.list_rounds(actor)
    return render(
        request,
        "reviews/rounds.html",
        {"rounds": rounds[:300], "can_manage": allowed(actor, "review.manage")},
    )


@login_required
@page
def round_create(request: HttpRequest) -> HttpResponse:
    """Create a round."""
    actor = actor_for(request.user)
    require(actor, "review.manage")
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.create_round(actor, form.to_input())
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "已创建评审批次，请加入申请")
            return redirect("review-round", pk=round_.pk)
    return render(request, "reviews/round_form.html", {"form": form})


@login_required
@page
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The round page: stepper, applications, conflicts, assignments, progress, results, 公示."""
    actor = actor_for(request.user)
    context = services.round_page(actor, pk, _page_query(request))
    round_ = context["round"]
    if (
        context["can_manage"]
        and round_.kind == ReviewRound.Kind.PROJECT
        and round_.status in services.ADDABLE
    ):
        taken = set(round_.applications.values_list("source_id", flat=True))
        context["projects"] = [
            p
            for p in Project.objects.select_related("enterprise").order_by("-submitted_on")[:300]
            if p.pk not in taken
        ]
    context["modes"] = ReviewRound.Mode.choices
    context["editable"] = round_.status in services.ADDABLE
    context["checkable"] = round_.status in (ReviewRound.Status.CHECKING, *services.LATE)
    context["late"] = round_.status in services.LATE
    context["check_choices"] = ReviewApplication.Check.choices
    context["status_choices"] = Assignment.Status.choices
    context["app_links"] = _pager(request, context["application_page"], "page", "applications")
    context["assignment_links"] = _pager(request, context["assignment_page"], "apage", "assignments")
    verify = request.GET.get("verify")
    if verify and round_.assigned_at:
        context["verify"] = assignment_services.verify_draw(actor, pk)
    return render(request, "reviews/round_detail.html", context)


def _number(request: HttpRequest, key: str) -> int:
    value = request.GET.get(key, "")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _page_query(request: HttpRequest) -> services.PageQuery:
    """Filters and page numbers of the round page, from the query string."""
    get = request.GET
    return services.PageQuery(
        q=get.get("q", "")[:100],
        check=get.get("check", ""),
        page=_number(request, "page"),
        who=get.get("who", "")[:100],
        status=get.get("status", ""),
        conflicted=get.get("conflicted") == "1",
        assignment_page=_number(request, "apage"),
    )


def _pager(request: HttpRequest, page_obj: Page, key: str, anchor: str) -> dict[str, str]:
    """Links to the previous and next page of one table, keeping every other filter as it is."""

    def link(number: int) -> str:
        params = request.GET.copy()
        params.pop("verify", None)
        params[key] = str(number)
        return f"?{params.urlencode()}#{anchor}"

    return {
        "previous": link(page_obj.previous_page_number()) if page_obj.has_previous() else "",
        "next": link(page_obj.next_page_number()) if page_obj.has_next() else "",
    }


@login_required
@require_POST
@page
def round_action(request: HttpRequest, pk: int) -> HttpResponse:
    """One workflow step of a round."""
    actor = actor_for(request.user)
    action = request.POST.get("action", "")
    version = _version(request)
    seed_text = request.POST.get("seed", "").strip()
    steps = {
        "start_check": lambda: services.start_check(actor, pk, version),
        "open_assignment": lambda: services.open_assignment(actor, pk, version),
        "conflicts": lambda: services.compute_conflicts(actor, pk),
        "pass_pending": lambda: services.pass_pending(actor, pk),
        "assign": lambda: assignment_services.run_assignment(
            actor,
            pk,
            request.POST.get("mode") or None,
            int(seed_text) if seed_text.isdigit() else None,
            version=version or None,
        ),
        "redraw": lambda: assignment_services.redraw(actor, pk),
        "open_scoring": lambda: assignment_services.open_scoring(actor, pk, version),
        "close": lambda: scoring_services.close_round(
            actor, pk, version, without_missing=request.POST.get("without_missing") == "on"
        ),
        "publish": lambda: scoring_services.publish_notice(
            actor, pk, version, date.fromisoformat(request.POST.get("deadline") or "0001-01-01")
        ),
        "finalise": lambda: scoring_services.finalise(actor, pk, version),
    }
    if action not in steps:
        raise NotFound(f"未知操作 {action}")
    try:
        outcome = steps[action]()
    except (ValidationError, StaleEdit) as exc:
        _say(request, exc)
    except ValueError:
        messages.error(request, "日期或种子格式不正确")
    else:
        messages.success(request, "已完成")
        # An assignment that could not give every application its full panel says why.
        short = getattr(outcome, "unassigned", [])[:20]
        titles = dict(
            ReviewApplication.objects.filter(pk__in=[bridge.pk_of(s.application) for s in short]).values_list(
                "pk", "title"
            )
        )
        for s in short:
            reason = s.reason.replace(s.application, "本项")
            messages.warning(request, f"{titles.get(bridge.pk_of(s.application), '')}：{reason}")
    return redirect("review-round", pk=pk)


@login_required
@require_POST
@page
def add_application(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a project, bid or 技术对接 claim into the round."""
    actor = actor_for(request.user)
    try:
        services.add_application(
            actor, pk, request.POST.get("source_kind", ""), int(request.POST.get("source_id") or 0)
        )
    except ValidationError as exc:
        _say(request, exc)
    except ValueError:
        messages.error(request, "来源编号应为数字")
    else:
        messages.success(request, "已加入申请")
    return redirect("review-round", pk=pk)


@login_required
@require_POST
@page
def formal_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Pass or fail one application's formal check."""
    actor = actor_for(request.user)
    try:
        services.formal_check(actor, pk, request.POST.get("passed") == "1", request.POST.get("reason", ""))
    except ValidationError as exc:
        _say(request, exc)
    return redirect("review-round", pk=ReviewApplication.objects.get(pk=pk).round_id)


@login_required
@require_POST
@page
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Take an expert off an application (e.g. a conflict found late)."""
    actor = actor_for(request.user)
    try:
        assignment_services.withdraw_assignment(actor, pk, request.POST.get("reason", ""))
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(request, "已撤回该专家；请重抽替补")
    return redirect("review-round", pk=Assignment.objects.get(pk=pk).application.round_id)


@login_required
@require_POST
@page
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the decisions of a closed round."""
    actor = actor_for(request.user)
    decisions = {}
    for key, value in request.POST.items():
        if key.startswith("decision_") and value in ("approved", "rejected"):
            app_id = int(key.removeprefix("decision_"))
            decisions[app_id] = (value == "approved", request.POST.get(f"note_{app_id}", ""))
    try:
        scoring_services.decide(actor, pk, _version(request), decisions)
    except (ValidationError, StaleEdit) as exc:
        _say(request, exc)
    else:
        messages.success(request, "已记录决定，可发布公示")
    return redirect("review-round", pk=pk)


@login_required
@require_POST
@page
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer an objection."""
    actor = actor_for(request.user)
    try:
        scoring_services.resolve_objection(actor, pk, request.POST.get("resolution", ""))
    except ValidationError as exc:
        _say(request, exc)
    return redirect("review-round", pk=Objection.objects.get(pk=pk).round_id)


# ------------------------------------------------------------------------------------ 公示


def notice_list(request: HttpRequest) -> HttpResponse:
    """Results under public notice, for everyone."""
    return render(request, "reviews/notices.html", {"rounds": services.public_notices()[:100]})


@page
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One public notice; logged-in enterprises may object during the period."""
    actor = actor_for(request.user)
    context = services.public_notice(pk)
    context["can_object"] = context["objection_open"] and allowed(actor, "review.object")
    return render(request, "reviews/notice.html", context)


@login_required
@require_POST
@page
def object_to(request: HttpRequest, pk: int) -> HttpResponse:
    """File an objection during 公示."""
    actor = actor_for(request.user)
    app_id = request.POST.get("application_id", "")
    try:
        scoring_services.file_objection(
            actor, pk, request.POST.get("text", ""), int(app_id) if app_id.isdigit() else None
        )
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(request, "异议已提交，链长办将处理并答复")
    return redirect("review-notice", pk=pk)


# ------------------------------------------------------------------------------------ related persons


@login_required
@require_POST
@page
def related_add(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Register a related person on the enterprise page."""
    actor = actor_for(request.user)
    try:
        pool_services.add_related_person(
            actor,
            enterprise_id,
            request.POST.get("name", ""),
            request.POST.get("role", ""),
            request.POST.get("organisation", ""),
            request.POST.get("note", ""),
        )
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(request, "已登记关联人员")
    return redirect("enterprise-detail", pk=enterprise_id)


@login_required
@require_POST
@page
def related_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a related person."""
    person = RelatedPerson.objects.filter(pk=pk).first()
    if person is None:
        raise NotFound(f"关联人员 {pk} 不存在")
    pool_services.remove_related_person(actor_for(request.user), pk)
    messages.success(request, "已删除关联人员")
    return redirect("enterprise-detail", pk=person.enterprise_id)
