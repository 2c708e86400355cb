"""Forms of the registry pages; they only convert input, the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from lianzhang.enterprises.models import Project
from lianzhang.enterprises.records import KNOWN_TAGS, EnterpriseRecord, YearFigures

WAN = Decimal(1_000_000)  # fen in 1 万元


def wan_to_fen(value: Decimal | None) -> int | None:
    """Convert an amount in 万元 to integer fen."""
    return None if value is None else int(value * WAN)


def fen_to_wan(value: int | None) -> Decimal | None:
    """Convert integer fen to 万元 for display in forms (plain digits, never exponent notation)."""
    if value is None:
        return None
    wan = (Decimal(value) / WAN).normalize()
    return wan.quantize(Decimal(1)) if wan == wan.to_integral_value() else wan


def _money(label: str) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, min_value=0, max_digits=14, decimal_places=6)


class EnterpriseForm(forms.Form):
    """Create or edit an enterprise; `version` carries the edited version for optimistic locking."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, min_length=18)
    name = forms.CharField(label="企业名称", max_length=200)
    short_name = forms.CharField(label="简称", max_length=60, required=False)
    division_code = forms.ChoiceField(label="所在区划")
    address = forms.CharField(label="地址", max_length=300, required=False)
    founded_on = forms.DateField(
        label="成立日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    registered_capital_wan = _money("注册资本（万元）")
    business_scope = forms.CharField(label="经营范围", required=False, widget=forms.Textarea)
    products = forms.CharField(label="主要产品", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    tags = forms.MultipleChoiceField(
        label="标签",
        required=False,
        choices=[(t, t) for t in KNOWN_TAGS],
        widget=forms.CheckboxSelectMultiple,
    )
    park = forms.ChoiceField(label="所在园区", required=False)
    year = forms.IntegerField(label="数据年度", required=False, min_value=1949, max_value=2100)
    revenue_wan = _money("营业收入（万元）")
    rd_spend_wan = _money("研发投入（万元）")
    employees = forms.IntegerField(label="从业人员", required=False, min_value=0)
    patents = forms.IntegerField(label="专利数", required=False, min_value=0)
    ai_revenue_wan = _money("人工智能营业收入（万元）")

    def __init__(self, *args, divisions=(), parks=(), locked=frozenset(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division_code"].choices = [(r.code, r.full_name) for r in divisions]
        self.fields["park"].choices = [("", "—"), *((p.name, p.name) for p in parks)]
        for name in locked:
            self.fields[name].disabled = True

    def clean(self) -> dict:
        data = super().clean()
        has_figures = any(
            data.get(k) is not None
            for k in ("revenue_wan", "rd_spend_wan", "employees", "patents", "ai_revenue_wan")
        )
        if has_figures and not data.get("year"):
            self.add_error("year", "填写年度数据时必须注明年度")
        return data

    def to_record(self) -> EnterpriseRecord:
        """The cleaned input as a registry record (money in fen)."""
        d = self.cleaned_data
        figures = []
        if d.get("year"):
            figures.append(
                YearFigures(
                    year=d["year"],
                    revenue_fen=wan_to_fen(d.get("revenue_wan")),
                    rd_spend_fen=wan_to_fen(d.get("rd_spend_wan")),
                    employees=d.get("employees"),
                    patents=d.get("patents"),
                    ai_revenue_fen=wan_to_fen(d.get("ai_revenue_wan")),
                )
            )
        return EnterpriseRecord(
            credit_code=d["credit_code"],
            name=d["name"],
            division_code=d["division_code"],
            short_name=d.get("short_name", ""),
            address=d.get("address", ""),
            founded_on=d.get("founded_on"),
            registered_capital_fen=wan_to_fen(d.get("registered_capital_wan")),
            business_scope=d.get("business_scope", ""),
            products=d.get("products", ""),
            tags=list(d.get("tags") or []),
            park=d.get("park") or "",
            figures=figures,
        )

    @staticmethod
    def initial_from(record: EnterpriseRecord, version: int) -> dict:
        """Form initial values for an existing enterprise."""
        initial = {
            "version": version,
            "credit_code": record.credit_code,
            "name": record.name,
            "short_name": record.short_name,
            "division_code": record.division_code,
            "address": record.address,
            "founded_on": record.founded_on,
            "registered_capital_wan": fen_to_wan(record.registered_capital_fen),
            "business_scope": record.business_scope,
            "products": record.products,
            "tags": record.tags,
            "park": record.park,
        }
        if record.figures:
            fig = record.figures[0]
            initial.update(
                year=fig.year,
                revenue_wan=fen_to_wan(fig.revenue_fen),
                rd_spend_wan=fen_to_wan(fig.rd_spend_fen),
                employees=fig.employees,
                patents=fig.patents,
                ai_revenue_wan=fen_to_wan(fig.ai_revenue_fen),
            )
        return initial


class ImportForm(forms.Form):
    """Upload of an enterprise file."""

    file = forms.FileField(label="文件（.xlsx 或 .csv）")
    mode = forms.ChoiceField(
        label="出错时",
        choices=[("all", "整批不导入（推荐）"), ("skip", "跳过出错的行，导入其余行")],
        initial="all",
        widget=forms.RadioSelect,
    )


class ProjectForm(forms.Form):
    """File a new project."""

    enterprise_id = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label="项目名称", max_length=200)
    type = forms.ChoiceField(label="项目类型", choices=Project.Type.choices)
    budget_wan = forms.DecimalField(
        label="总投资（万元）", min_value=Decimal("0.01"), max_digits=14, decimal_places=4
    )
    description = forms.CharField(label="项目简介", required=False, widget=forms.Textarea)


class TransitionForm(forms.Form):
    """One workflow step on a project."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    to_status = forms.ChoiceField(choices=Project.Status.choices)
    comment = forms.CharField(label="意见", required=False, max_length=500)
