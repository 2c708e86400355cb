"""Forms of the expert pool and review pages (the services validate again; these only shape input)."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from lianzhang.reviews.imports import split_list
from lianzhang.reviews.models import Expert, ReviewRound
from lianzhang.reviews.pool_services import ExpertInput, SelfProfileInput
from lianzhang.reviews.services import DEFAULT_CRITERIA, RoundInput

DATE = forms.DateInput(attrs={"type": "date"})


class SelfProfileForm(forms.Form):
    nodes = forms.CharField(label="产业链节点（编号或名称，逗号或顿号分隔）", required=False)
    disciplines = forms.CharField(label="学科专业（逗号或顿号分隔）", required=False)
    profile = forms.CharField(label="专业简介", widget=forms.Textarea, required=False)
    available = forms.BooleanField(label="可接受评审", required=False, initial=True)
    declared_conflicts = forms.CharField(
        label="申报回避：与您有利益关系的单位或企业（逗号或顿号分隔）", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def to_input(self) -> SelfProfileInput:
        """The cleaned data as the service's input."""
        d = self.cleaned_data
        return SelfProfileInput(
            nodes=split_list(d["nodes"]),
            disciplines=split_list(d["disciplines"]),
            profile=d["profile"],
            available=d["available"],
            declared_conflicts=split_list(d["declared_conflicts"]),
        )


class ExpertForm(SelfProfileForm):
    name = forms.CharField(label="姓名", max_length=60)
    organisation = forms.CharField(label="工作单位", max_length=200)
    title = forms.CharField(label="职称", max_length=60, required=False)
    district = forms.CharField(label="所在区县代码", max_length=12, required=False)
    term_start = forms.DateField(label="聘期开始", required=False, widget=DATE)
    term_end = forms.DateField(label="聘期结束", required=False, widget=DATE)
    status = forms.ChoiceField(label="状态", choices=Expert.Status.choices)
    max_load = forms.IntegerField(label="每轮评审上限（空为按批次设置）", required=False, min_value=1)
    username = forms.CharField(label="登录账号（专家角色用户名，可空）", required=False)

    field_order = ["name", "organisation", "title", "nodes", "disciplines", "district", "profile"]

    def to_input(self) -> ExpertInput:  # type: ignore[override]
        """The cleaned data as the service's input."""
        own = super().to_input()
        d = self.cleaned_data
        return ExpertInput(
            name=d["name"],
            organisation=d["organisation"],
            title=d["title"],
            nodes=own.nodes,
            disciplines=own.disciplines,
            district=d["district"],
            profile=own.profile,
            available=own.available,
            term_start=d["term_start"],
            term_end=d["term_end"],
            status=d["status"],
            declared_conflicts=own.declared_conflicts,
            max_load=d["max_load"],
            username=d["username"],
        )


class ImportForm(forms.Form):
    file = forms.FileField(label="专家库表（.xlsx，按模板填写）")


class RoundForm(forms.Form):
    name = forms.CharField(label="评审名称", max_length=200)
    kind = forms.ChoiceField(label="评审类型", choices=ReviewRound.Kind.choices)
    per_app = forms.IntegerField(label="每项申请的评审专家人数", min_value=1, max_value=15, initial=5)
    max_load = forms.IntegerField(label="每位专家至多评审项数", min_value=1, max_value=100, initial=5)
    mode = forms.ChoiceField(label="分配方式", choices=ReviewRound.Mode.choices)
    same_district = forms.BooleanField(label="同区专家回避（本批规则）", required=False)
    criteria = forms.CharField(
        label="评分表（JSON：key、label、weight 权重、max 满分）",
        widget=forms.Textarea(attrs={"rows": 6}),
        initial=json.dumps(DEFAULT_CRITERIA, ensure_ascii=False, indent=1),
    )

    def clean_criteria(self) -> list[dict[str, Any]]:
        """The sheet parsed from JSON (its content is checked by the service)."""
        try:
            value = json.loads(self.cleaned_data["criteria"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"不是合法的 JSON：{exc.msg}（第 {exc.lineno} 行）") from None
        return value

    def to_input(self) -> RoundInput:
        """The cleaned data as the service's input."""
        d = self.cleaned_data
        return RoundInput(
            name=d["name"],
            kind=d["kind"],
            criteria=d["criteria"],
            per_app=d["per_app"],
            max_load=d["max_load"],
            mode=d["mode"],
            same_district=d["same_district"],
        )
