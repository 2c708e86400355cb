"""Scenario pages: the public call list, filing and lifecycle, 揭榜, matching, supplier profiles."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lianzhang.accounts.permissions import actor_for, allowed, require
from lianzhang.common.versioning import StaleEdit
from lianzhang.enterprises.services import NotFound
from lianzhang.scenarios import services
from lianzhang.scenarios.models import Scenario
from lianzhang.web.errors import form_errors, page, refusal

S = Scenario.Status


def _yuan_to_fen(value: Decimal | str | None) -> int | None:
    """Yuan (as typed) to integer fen, exactly: no float on the way."""
    if value is None or value == "":
        return None
    try:
        return int((Decimal(str(value)) * 100).to_integral_value(rounding=ROUND_HALF_UP))
    except InvalidOperation:
        raise ValueError(f"不是金额：{value}") from None


class ScenarioForm(forms.Form):
    title = forms.CharField(label="场景名称", max_length=200)
    description = forms.CharField(label="需求描述（可直接写生产或管理中遇到的问题）", widget=forms.Textarea)
    requirements = forms.CharField(label="技术要求", widget=forms.Textarea, required=False)
    domain = forms.CharField(label="领域", max_length=40, required=False)
    nodes = forms.CharField(label="产业链节点编号（逗号分隔，可空）", required=False)
    division_code = forms.CharField(label="所在区划代码（企业用户可空）", required=False)
    owner_name = forms.CharField(label="需求方名称（部门或区填写）", required=False)
    budget_yuan = forms.DecimalField(label="预算（元）", required=False, min_value=0, decimal_places=2)
    deadline = forms.DateField(
        label="揭榜截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ProfileForm(forms.Form):
    products = forms.CharField(label="产品", widget=forms.Textarea, required=False)
    solutions = forms.CharField(label="解决方案", widget=forms.Textarea, required=False)
    cases = forms.CharField(label="应用案例", widget=forms.Textarea, required=False)
    case_count = forms.IntegerField(label="落地案例数", min_value=0, initial=0)
    certifications = forms.CharField(label="资质认证", required=False)
    nodes = forms.CharField(label="产业链节点编号（逗号分隔，可空）", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _nodes(text: str) -> list[str]:
    return [n.strip() for n in text.replace("，", ",").split(",") if n.strip()]


def scenario_public_list(request: HttpRequest) -> HttpResponse:
    """Published calls for everyone, no login needed."""
    actor = actor_for(request.user)
    q = request.GET.get("q", "")
    context = {
        "scenarios": services.public_scenarios(q)[:200],
        "q": q,
        "demonstrations": services.demonstration_count(),
        "can_manage": allowed(actor, "scenario.list"),
        "can_create": allowed(actor, "scenario.create"),
    }
    return render(request, "scenarios/public_list.html", context)


@login_required
@page
def scenario_manage(request: HttpRequest) -> HttpResponse:
    """Every scenario the actor may see, drafts included."""
    actor = actor_for(request.user)
    status = request.GET.get("status", "")
    scenarios = services.list_scenarios(actor, status=status)
    context = {"scenarios": scenarios[:500], "status": status, "statuses": S.choices}
    return render(request, "scenarios/manage.html", context)


@page
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A call: public once published; drafts only for those who may see them."""
    actor = actor_for(request.user)
    context = services.public_scenario_detail(pk) if actor.is_anonymous else None
    if context is None:
        try:
            context = services.scenario_detail(actor, pk)
        except PermissionDenied:
            context = services.public_scenario_detail(pk)
    return render(request, "scenarios/detail.html", context)


@login_required
@page
def scenario_create(request: HttpRequest) -> HttpResponse:
    """File a new demand (saved as a draft)."""
    actor = actor_for(request.user)
    require(actor, "scenario.create")
    form = ScenarioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.ScenarioInput(
            title=d["title"],
            description=d["description"],
            division_code=d["division_code"],
            domain=d["domain"],
            nodes=_nodes(d["nodes"]),
            budget_fen=_yuan_to_fen(d["budget_yuan"]),
            deadline=d["deadline"],
            requirements=d["requirements"],
            owner_name=d["owner_name"],
        )
        try:
            scenario = services.create_scenario(actor, data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "已保存为草稿，提交后由链长办审核")
            return redirect("scenario-detail", pk=scenario.pk)
    return render(request, "scenarios/form.html", {"form": form})


@login_required
@require_POST
@page
def scenario_action(request: HttpRequest, pk: int) -> HttpResponse:
    """One lifecycle step: submit, approve, return, publish, accept or count as demonstration."""
    actor = actor_for(request.user)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    typed_date = request.POST.get("accepted_on", "").strip()
    try:
        accepted_on = date.fromisoformat(typed_date) if typed_date else None
    except ValueError:
        messages.error(request, "验收日期格式应为 年-月-日")
        return redirect("scenario-detail", pk=pk)
    steps = {
        "submit": lambda v: services.submit_scenario(actor, pk, v),
        "approve": lambda v: services.review_scenario(actor, pk, v, True, note),
        "return": lambda v: services.review_scenario(actor, pk, v, False, note),
        "publish": lambda v: services.publish_scenario(actor, pk, v),
        "accept": lambda v: services.accept_scenario(actor, pk, v, accepted_on),
        "demonstrate": lambda v: services.count_as_demonstration(actor, pk, v),
    }
    if action not in steps:
        raise NotFound(f"未知操作 {action}")
    try:
        steps[action](int(request.POST.get("version", "0")))
    except (ValidationError, StaleEdit) as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, "已更新场景状态")
    return redirect("scenario-detail", pk=pk)


@login_required
@require_POST
@page
def scenario_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """揭榜 as the actor's enterprise."""
    actor = actor_for(request.user)
    price = request.POST.get("price_yuan", "").strip()
    try:
        price_fen = _yuan_to_fen(price)
        services.apply_to_scenario(actor, pk, request.POST.get("solution", ""), price_fen)
    except ValueError:
        messages.error(request, "报价应为数字（元）")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "揭榜申请已提交")
    return redirect("scenario-detail", pk=pk)


@login_required
@require_POST
@page
def scenario_select(request: HttpRequest, pk: int) -> HttpResponse:
    """Score the applications; the best is selected."""
    actor = actor_for(request.user)
    try:
        scores = {
            int(key.removeprefix("score_")): int(value)
            for key, value in request.POST.items()
            if key.startswith("score_") and value.strip()
        }
        winner = services.select_application(actor, pk, int(request.POST.get("version", "0")), scores)
    except ValueError:
        messages.error(request, "得分应为 0–100 的整数")
    except (ValidationError, StaleEdit) as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, f"中选：{winner.enterprise.name}")
    return redirect("scenario-detail", pk=pk)


@login_required
@require_POST
@page
def scenario_contract(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the contract; one milestone a line, "名称 YYYY-MM-DD" (date optional)."""
    actor = actor_for(request.user)
    milestones = []
    try:
        for line in request.POST.get("milestones", "").splitlines():
            if not line.strip():
                continue
            title, _, day = line.strip().rpartition(" ")
            if title and len(day) == 10 and day[4] == "-":
                milestones.append((title, date.fromisoformat(day)))
            else:
                milestones.append((line.strip(), None))
        services.contract_scenario(actor, pk, int(request.POST.get("version", "0")), milestones)
    except ValueError:
        messages.error(request, "里程碑日期应为 YYYY-MM-DD")
    except (ValidationError, StaleEdit) as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, "已登记签约与实施里程碑")
    return redirect("scenario-detail", pk=pk)


@login_required
@require_POST
@page
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a milestone done today."""
    actor = actor_for(request.user)
    try:
        milestone = services.complete_milestone(actor, pk, date.today())
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("scenario-manage")
    return redirect("scenario-detail", pk=milestone.scenario_id)


@login_required
@page
def supplier_list(request: HttpRequest) -> HttpResponse:
    """Supplier capability profiles, with the chain office's check."""
    actor = actor_for(request.user)
    profiles = services.list_supplier_profiles(actor)
    context = {"profiles": profiles[:500], "can_check": allowed(actor, "supplier.check")}
    return render(request, "scenarios/suppliers.html", context)


@login_required
@require_POST
@page
def supplier_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm one profile."""
    actor = actor_for(request.user)
    try:
        services.check_supplier_profile(actor, pk, int(request.POST.get("version", "0")))
    except StaleEdit as exc:
        messages.error(request, str(exc))
    return redirect("supplier-list")


@login_required
@page
def supplier_mine(request: HttpRequest) -> HttpResponse:
    """The enterprise edits its own capability profile."""
    actor = actor_for(request.user)
    require(actor, "supplier.edit")
    if not actor.enterprise_id:
        raise PermissionDenied("只有企业用户有本企业的供给能力档案")
    profile = services.own_supplier_profile(actor)
    initial = {}
    if profile:
        initial = {
            "products": profile.products,
            "solutions": profile.solutions,
            "cases": profile.cases,
            "case_count": profile.case_count,
            "certifications": profile.certifications,
            "nodes": profile.nodes,
            "version": profile.version,
        }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.ProfileInput(
            products=d["products"],
            solutions=d["solutions"],
            cases=d["cases"],
            case_count=d["case_count"],
            certifications=d["certifications"],
            nodes=_nodes(d["nodes"]),
        )
        try:
            services.save_supplier_profile(actor, actor.enterprise_id, data, d.get("version"))
        except ValidationError as exc:
            form_errors(form, exc)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存，待链长办核验后参与匹配")
            return redirect("supplier-mine")
    fits = services.scenarios_for_supplier(actor) if profile else []
    return render(request, "scenarios/profile.html", {"form": form, "profile": profile, "fits": fits})


@login_required
@page
def notification_list(request: HttpRequest) -> HttpResponse:
    """The enterprise's in-platform messages."""
    actor = actor_for(request.user)
    notes = services.list_notifications(actor)
    return render(request, "scenarios/notifications.html", {"notifications": notes[:200]})


class CooperationForm(forms.Form):
    manufacturer_id = forms.IntegerField(label="制造企业编号")
    supplier_id = forms.IntegerField(label="技术供给企业编号")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    cost_yuan = forms.DecimalField(label="合作费用（元）", min_value=0, decimal_places=2)
    description = forms.CharField(label="合作内容", widget=forms.Textarea, required=False)


@login_required
@page
def cooperation_report(request: HttpRequest) -> HttpResponse:
    """技术对接: a year's cooperations, the subsidy of each by rule, counts against the 30/30 goals."""
    actor = actor_for(request.user)
    try:
        year = int(request.GET.get("year") or date.today().year)
    except ValueError:
        year = date.today().year
    report = services.cooperation_report(actor, year)
    form = None
    if allowed(actor, "cooperation.record"):
        form = CooperationForm(request.POST or None, initial={"year": year})
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            data = services.CooperationInput(
                manufacturer_id=d["manufacturer_id"],
                supplier_id=d["supplier_id"],
                year=d["year"],
                cost_fen=_yuan_to_fen(d["cost_yuan"]) or 0,
                description=d["description"],
            )
            try:
                services.record_cooperation(actor, data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, "已登记技术对接合作")
                return redirect(f"{request.path}?year={d['year']}")
    return render(request, "scenarios/cooperations.html", {"report": report, "form": form})


class SupplyNeedForm(forms.Form):
    title = forms.CharField(label="需求名称", max_length=200)
    description = forms.CharField(label="所需零部件或制造服务", widget=forms.Textarea)
    quantity = forms.CharField(label="数量与规格", required=False)


@login_required
@page
def supply_list(request: HttpRequest) -> HttpResponse:
    """供应链对接: needs, and a form for enterprises to file one."""
    actor = actor_for(request.user)
    needs = services.list_supply_needs(actor)
    form = None
    if allowed(actor, "supply.create") and actor.enterprise_id:
        form = SupplyNeedForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                need = services.create_supply_need(actor, d["title"], d["description"], d["quantity"])
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                return redirect("supply-detail", pk=need.pk)
    return render(request, "scenarios/supply_list.html", {"needs": needs[:300], "form": form})


@login_required
@page
def supply_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One supply-chain need with the local manufacturers that fit it."""
    actor = actor_for(request.user)
    matches = services.supply_matches(actor, pk)
    need = services.list_supply_needs(actor).get(pk=pk)
    return render(request, "scenarios/supply_detail.html", {"need": need, "matches": matches})
