"""择优支持 pages: programmes, applicants, allocation, what-if, 公示 lists, an enterprise's own results."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lianzhang.accounts.permissions import actor_for, allowed, require
from lianzhang.common.versioning import StaleEdit
from lianzhang.enterprises.services import NotFound
from lianzhang.reviews.engine.money import format_yuan
from lianzhang.subsidies import exports, services
from lianzhang.subsidies.forms import ConfirmForm, ImportForm, ProgrammeForm, WhatIfForm, yuan_of
from lianzhang.subsidies.models import Programme
from lianzhang.web.errors import form_errors, page, refusal

# Service fields and the form fields that edit them.
FORM_FIELDS = {"rate_bp": "rate_percent", "cap_fen": "cap_yuan", "budget_fen": "budget_yuan"}


def _errors(form: Any, exc: ValidationError) -> None:
    form_errors(form, exc, FORM_FIELDS)


def _money(rows: list[dict]) -> list[dict]:
    """Rows with their amounts written in yuan for the page."""
    return [
        {**r, "cost_yuan": format_yuan(r["cost_fen"]), "amount_yuan": format_yuan(r["amount_fen"])}
        for r in rows
    ]


def _chart(rows: list[dict], summary: dict) -> dict:
    """Budget use: each funded application's amount, the running total, and the budget line (万元)."""
    funded = [r for r in rows if r["funded"]]
    running, total = [], summary.get("granted_before_fen", 0)
    for r in funded:
        total += r["amount_fen"]
        running.append(total / 1_000_000)
    return {
        "names": [f"{r['order']}. {r['enterprise']}" for r in funded],
        "amounts": [r["amount_fen"] / 1_000_000 for r in funded],
        "running": running,
        "budget": None if summary.get("budget_fen") is None else summary["budget_fen"] / 1_000_000,
        "before": summary.get("granted_before_fen", 0) / 1_000_000,
    }


# ------------------------------------------------------------------------------------ programmes


@login_required
@page
def programme_list(request: HttpRequest) -> HttpResponse:
    """Every programme with its rule in words."""
    actor = actor_for(request.user)
    programmes = services.list_programmes(actor)
    context = {"programmes": programmes[:300], "can_manage": allowed(actor, "subsidy.manage")}
    return render(request, "subsidies/programme_list.html", context)


def _programme_input(form: ProgrammeForm) -> services.ProgrammeInput:
    d, params = form.cleaned_data, form.params()
    return services.ProgrammeInput(
        name=d["name"],
        year=d["year"],
        basis=d["basis"],
        objective=d["objective"],
        department_id=d["department"].pk if d["department"] else None,
        eligibility=form.eligibility(),
        **params,
    )


@login_required
@page
def programme_create(request: HttpRequest) -> HttpResponse:
    """Create a programme (as a draft)."""
    actor = actor_for(request.user)
    require(actor, "subsidy.manage")
    initial = {"rate_percent": 30, "when_short": "partial", "objective": "score"}
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.create_programme(actor, _programme_input(form))
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "已创建（草稿）")
            return redirect("subsidy-programme", pk=programme.pk)
    return render(request, "subsidies/programme_form.html", {"form": form, "programme": None})


@login_required
@page
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a programme's rule and conditions."""
    actor = actor_for(request.user)
    require(actor, "subsidy.manage")
    programme = services.get_programme(actor, pk)
    form = ProgrammeForm(request.POST or None, initial=ProgrammeForm.initial_for(programme))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_programme(
                actor, pk, form.cleaned_data["version"] or programme.version, _programme_input(form)
            )
        except ValidationError as exc:
            _errors(form, exc)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存")
            return redirect("subsidy-programme", pk=pk)
    return render(request, "subsidies/programme_form.html", {"form": form, "programme": programme})


@login_required
@page
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme's rule, its undecided applicants with eligibility, and its allocation runs."""
    actor = actor_for(request.user)
    context = services.programme_detail(actor, pk)
    context["rows"] = _money(context["rows"])
    context["granted_yuan"] = format_yuan(context["summary"]["granted_before_fen"])
    context["statuses"] = [s for s in Programme.Status.choices if s[0] != context["programme"].status]
    return render(request, "subsidies/programme_detail.html", context)


@login_required
@require_POST
@page
def programme_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Open, close or reopen a programme."""
    actor = actor_for(request.user)
    try:
        services.set_programme_status(
            actor, pk, int(request.POST.get("version", "0")), request.POST.get("status", "")
        )
    except (ValidationError, StaleEdit) as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, "已更新状态")
    return redirect("subsidy-programme", pk=pk)


@login_required
@require_POST
@page
def programme_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a programme without confirmed results."""
    actor = actor_for(request.user)
    try:
        services.delete_programme(actor, pk, int(request.POST.get("version", "0")))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("subsidy-programme", pk=pk)
    messages.success(request, "已删除")
    return redirect("subsidy-programmes")


@login_required
@page
def application_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload the applicant table; every error is listed with its row and column, nothing is saved."""
    actor = actor_for(request.user)
    require(actor, "subsidy.manage")
    programme = services.get_programme(actor, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            created = services.import_applications(
                actor, pk, upload.read(), upload.name, replace=form.cleaned_data["replace"]
            )
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(request, f"已导入 {len(created)} 条申报")
            return redirect("subsidy-programme", pk=pk)
    context = {"form": form, "programme": programme, "problems": problems}
    return render(request, "subsidies/import.html", context)


@login_required
@require_POST
@page
def round_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the approved applications of a final review round into the programme."""
    actor = actor_for(request.user)
    try:
        created = services.import_review_round(actor, pk, int(request.POST.get("round", "0") or 0))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已从专家评审导入 {len(created)} 条申报")
    return redirect("subsidy-programme", pk=pk)


@login_required
@page
def whatif(request: HttpRequest, pk: int) -> HttpResponse:
    """Try other parameters: the allocation recomputed and compared with the saved rule; nothing is saved."""
    actor = actor_for(request.user)
    require(actor, "subsidy.preview")
    programme = services.get_programme(actor, pk)
    initial = {
        "rate_percent": programme.rate_bp / 100,
        "cap_yuan": yuan_of(programme.cap_fen),
        "max_count": programme.max_count,
        "budget_yuan": yuan_of(programme.budget_fen),
        "when_short": programme.when_short,
        "mode": "rank",
    }
    form = WhatIfForm(request.GET or None, initial=initial)
    result = None
    if request.GET and form.is_valid():
        try:
            result = services.preview_allocation(actor, pk, form.params(), form.cleaned_data["mode"])
        except ValidationError as exc:
            _errors(form, exc)
        else:
            # Only citywide roles may try what-ifs (subsidy.preview), so no rows are hidden here.
            result["rows"] = _money(result["rows"])
            result["chart"] = _chart(result["rows"], result["summary"])
            comparison = result["comparison"]
            comparison["delta_total_yuan"] = format_yuan(comparison["delta_total_fen"])
            for change in comparison["gains"] + comparison["losses"]:
                change["delta_yuan"] = format_yuan(change["delta_fen"])
    context = {"form": form, "programme": programme, "result": result}
    return render(request, "subsidies/whatif.html", context)


@login_required
@require_POST
@page
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Compute and save a preview run (rank order or optimal)."""
    actor = actor_for(request.user)
    try:
        run = services.run_allocation(actor, pk, request.POST.get("mode", "rank"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("subsidy-programme", pk=pk)
    return redirect("subsidy-run", pk=run.pk)


# ------------------------------------------------------------------------------------ runs


@login_required
@page
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An allocation run: each applicant's amount with its rule, the chart of budget use, confirmation."""
    actor = actor_for(request.user)
    context = services.run_detail(actor, pk)
    run = context["run"]
    context["rows"] = _money(context["rows"])
    context["chart"] = _chart(context["rows"], run.summary)
    context["total_yuan"] = format_yuan(run.total_fen)
    context["form"] = ConfirmForm(
        initial={
            "notice_start": context["default_notice_start"],
            "objection_deadline": context["default_objection_deadline"],
            "version": run.version,
        }
    )
    return render(request, "subsidies/run_detail.html", context)


@login_required
@require_POST
@page
def run_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm a run with its 公示 period."""
    actor = actor_for(request.user)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写有效的公示开始日期")
        return redirect("subsidy-run", pk=pk)
    d = form.cleaned_data
    try:
        services.confirm_run(actor, pk, d["version"], d["notice_start"], d["objection_deadline"])
    except (ValidationError, StaleEdit) as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, "已确认，名单将按公示开始日期对外公示")
    return redirect("subsidy-run", pk=pk)


@login_required
@page
def run_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The 公示 list of a run as Excel or PDF."""
    name, kind, content = services.export_run(actor_for(request.user), pk, fmt)
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ------------------------------------------------------------------------------------ public and enterprises


def notice_list(request: HttpRequest) -> HttpResponse:
    """Published 公示 lists, for everyone without login."""
    return render(request, "subsidies/notice_list.html", {"runs": services.public_notices()[:200]})


@page
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One published 公示 list."""
    run = services.public_notice(pk)
    context = {
        "run": run,
        "rows": _money(run.funded_rows),
        "title": exports.title_of(run),
        "period": exports.period_of(run),
        "total_yuan": format_yuan(run.total_fen),
    }
    return render(request, "subsidies/notice_detail.html", context)


@page
def notice_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A published 公示 list as Excel or PDF, for everyone."""
    run = services.public_notice(pk)
    if fmt == "xlsx":
        content = exports.notice_workbook(run)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        content, kind = exports.notice_pdf(run), "application/pdf"
    else:
        raise NotFound(f"不支持的格式 {fmt}")
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="subsidy-notice-{run.pk}.{fmt}"'
    return response


@login_required
@page
def mine(request: HttpRequest) -> HttpResponse:
    """The enterprise's own applications and their confirmed results."""
    rows = services.my_applications(actor_for(request.user))
    for row in rows:
        row["cost_yuan"] = format_yuan(row["application"].cost_fen)
        row["amount_yuan"] = None if row["amount_fen"] is None else format_yuan(row["amount_fen"])
    return render(request, "subsidies/mine.html", {"rows": rows})
