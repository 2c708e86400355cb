"""Forms of the 择优支持 pages: amounts typed in yuan and percent, turned into fen and basis points."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from lianzhang.accounts.models import Department
from lianzhang.reviews.engine.money import MoneyError, yuan_to_fen
from lianzhang.subsidies.models import AllocationRun, Programme

DATE = forms.DateInput(attrs={"type": "date"})


def fen_of(value: Decimal | None) -> int | None:
    """Yuan as typed to exact fen (None stays None: no limit)."""
    if value is None:
        return None
    try:
        return yuan_to_fen(str(value))
    except MoneyError as exc:
        raise forms.ValidationError(str(exc)) from None


def bp_of(percent: Decimal) -> int:
    """A percentage (30, 12.5) to basis points; more than two decimals is refused."""
    bp = percent * 100
    if bp != bp.to_integral_value():
        raise forms.ValidationError("补助比例最多两位小数")
    return int(bp)


def yuan_of(fen: int | None) -> Decimal | None:
    """Fen to yuan for a form's initial value."""
    return None if fen is None else Decimal(fen) / 100


def split(text: str) -> list[str]:
    """A comma-separated list (Chinese or Western commas, 、 too)."""
    return [v.strip() for v in text.replace("，", ",").replace("、", ",").split(",") if v.strip()]


class MoneyParamsForm(forms.Form):
    """The money rule: rate, cap per enterprise per year, count per year, budget, what to do when short."""

    rate_percent = forms.DecimalField(
        label="补助比例（%）", min_value=Decimal("0.01"), max_value=100, decimal_places=2
    )
    cap_yuan = forms.DecimalField(
        label="单家每年上限（元，空为不限）", required=False, min_value=0, decimal_places=2
    )
    max_count = forms.IntegerField(label="每年最多支持家数（空为不限）", required=False, min_value=1)
    budget_yuan = forms.DecimalField(
        label="年度总预算（元，空为不限）", required=False, min_value=0, decimal_places=2
    )
    when_short = forms.ChoiceField(label="预算余额不足全额时", choices=Programme.WhenShort.choices)

    def params(self) -> dict[str, Any]:
        """The cleaned values as programme parameters (fen, basis points)."""
        d = self.cleaned_data
        return {
            "rate_bp": bp_of(d["rate_percent"]),
            "cap_fen": fen_of(d["cap_yuan"]),
            "max_count": d["max_count"],
            "budget_fen": fen_of(d["budget_yuan"]),
            "when_short": d["when_short"],
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            if data.get("rate_percent") is not None:
                bp_of(data["rate_percent"])
        except forms.ValidationError as exc:
            self.add_error("rate_percent", exc)
        return data


class ProgrammeForm(MoneyParamsForm):
    """A programme: name, year, rule and conditions on registry fields."""

    name = forms.CharField(label="项目名称", max_length=200)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    basis = forms.CharField(label="政策依据", widget=forms.Textarea, required=False)
    objective = forms.ChoiceField(label="最优组合的目标", choices=Programme.Objective.choices)
    department = forms.ModelChoiceField(
        label="主管部门", queryset=Department.objects.order_by("city_id", "name"), required=False
    )
    districts = forms.CharField(label="限所在区划（区划代码，逗号分隔，空为不限）", required=False)
    nodes_any = forms.CharField(label="产业链节点含其一（节点编号，逗号分隔）", required=False)
    tags_any = forms.CharField(label="企业标签含其一（逗号分隔）", required=False)
    tags_all = forms.CharField(label="须同时具有的标签", required=False)
    tags_none = forms.CharField(label="排除的标签", required=False)
    min_age_years = forms.IntegerField(label="成立至少（年）", required=False, min_value=0)
    max_age_years = forms.IntegerField(label="成立至多（年）", required=False, min_value=0)
    min_score = forms.DecimalField(label="评审最低得分", required=False, decimal_places=2)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    field_order = [
        "name",
        "year",
        "basis",
        "department",
        "rate_percent",
        "cap_yuan",
        "max_count",
        "budget_yuan",
    ]

    def eligibility(self) -> dict[str, Any]:
        """The conditions in the engine's vocabulary."""
        d = self.cleaned_data
        rules: dict[str, Any] = {
            k: split(d[k]) for k in ("districts", "nodes_any", "tags_any", "tags_all", "tags_none")
        }
        for key in ("min_age_years", "max_age_years"):
            rules[key] = d[key]
        rules["min_score"] = None if d["min_score"] is None else str(d["min_score"])
        return rules

    @classmethod
    def initial_for(cls, programme: Programme) -> dict[str, Any]:
        """The form's initial values for an existing programme."""
        rules = programme.eligibility or {}
        return {
            "name": programme.name,
            "year": programme.year,
            "basis": programme.basis,
            "department": programme.department_id,
            "rate_percent": Decimal(programme.rate_bp) / 100,
            "cap_yuan": yuan_of(programme.cap_fen),
            "max_count": programme.max_count,
            "budget_yuan": yuan_of(programme.budget_fen),
            "when_short": programme.when_short,
            "objective": programme.objective,
            **{
                k: ",".join(rules.get(k) or [])
                for k in ("districts", "nodes_any", "tags_any", "tags_all", "tags_none")
            },
            "min_age_years": rules.get("min_age_years"),
            "max_age_years": rules.get("max_age_years"),
            "min_score": rules.get("min_score"),
            "version": programme.version,
        }


class WhatIfForm(MoneyParamsForm):
    """Changed parameters to try, and the allocation method."""

    mode = forms.ChoiceField(label="分配方式", choices=AllocationRun.Mode.choices, initial="rank")


class ImportForm(forms.Form):
    """An applicant table to upload."""

    file = forms.FileField(label="申报表（CSV 或 XLSX）")
    replace = forms.BooleanField(label="替换尚未确认的申报（否则追加）", required=False)


class ConfirmForm(forms.Form):
    """Confirming a run and its 公示 period."""

    notice_start = forms.DateField(label="公示开始日期", widget=DATE)
    objection_deadline = forms.DateField(label="异议截止日期", widget=DATE, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
