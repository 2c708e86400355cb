"""Forms of the plan pages; they only convert input, the services decide."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory

from lianzhang.plans import live
from lianzhang.plans.models import COMPARATOR_CHOICES, Target
from lianzhang.plans.services import RuleEdit, TargetEdit, TaskEdit, split_department_names

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TextField(forms.CharField):
    """A multi-line text whose line breaks are stored as \\n (browsers send \\r\\n)."""

    def __init__(self, *args, rows: int = 2, **kwargs) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        # Without this every untouched row of the review formset would count as changed.
        return text.replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else text


class PlanImportForm(forms.Form):
    """Upload of a plan document."""

    file = forms.FileField(label="规划文件（.txt、.docx 或 .pdf，简体或繁体）")
    city_code = forms.ChoiceField(label="所属城市", required=False)

    def __init__(self, *args, cities=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city_code"].choices = [("", "按正文自动判断"), *((c.code, c.name) for c in cities)]


class PlanHeaderForm(forms.Form):
    """The plan's title, city and period."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label="标题", max_length=300)
    city_code = forms.ChoiceField(label="所属城市")
    period_start = forms.IntegerField(label="起始年", required=False, min_value=1949, max_value=2100)
    period_end = forms.IntegerField(label="截止年", required=False, min_value=1949, max_value=2100)

    def __init__(self, *args, cities=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city_code"].choices = [(c.code, c.name) for c in cities]


class TaskRowForm(forms.Form):
    """One task of the review formset; departments are typed as '市科技局、市工信局'."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    number = forms.CharField(label="编号", max_length=40, required=False)
    title = forms.CharField(label="任务", max_length=300)
    lead = forms.CharField(label="牵头单位", max_length=600, required=False)
    cooperating = forms.CharField(label="配合单位", max_length=600, required=False)
    deadline = forms.DateField(label="完成期限", required=False, widget=DATE)
    text = TextField(label="任务内容", required=False)

    def to_edit(self, delete: bool) -> TaskEdit:
        """The row as a service edit."""
        d = self.cleaned_data
        return TaskEdit(
            id=d.get("id"),
            version=d.get("version"),
            delete=delete,
            number=d.get("number", ""),
            title=d.get("title", ""),
            text=d.get("text", ""),
            lead=split_department_names(d.get("lead", "")),
            cooperating=split_department_names(d.get("cooperating", "")),
            deadline=d.get("deadline"),
        )


class TargetRowForm(forms.Form):
    """One target of the review formset."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    metric = forms.CharField(label="指标", max_length=200)
    comparator = forms.ChoiceField(label="比较", choices=COMPARATOR_CHOICES)
    value = forms.FloatField(label="目标值")
    unit = forms.CharField(label="单位", max_length=20, required=False)
    deadline = forms.DateField(label="完成期限", required=False, widget=DATE)
    kind = forms.ChoiceField(label="类型", choices=Target.Kind.choices)
    text = TextField(label="原文", required=False, rows=1)

    def to_edit(self, delete: bool) -> TargetEdit:
        """The row as a service edit."""
        d = self.cleaned_data
        return TargetEdit(
            id=d.get("id"),
            version=d.get("version"),
            delete=delete,
            text=d.get("text", ""),
            metric=d.get("metric", ""),
            value=d.get("value"),
            unit=d.get("unit", ""),
            comparator=d.get("comparator", ">="),
            deadline=d.get("deadline"),
            kind=d.get("kind", "goal"),
        )


class RuleRowForm(forms.Form):
    """One numeric rule of the review formset."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    parameter = forms.CharField(label="参数", max_length=200, required=False)
    comparator = forms.ChoiceField(label="比较", choices=COMPARATOR_CHOICES)
    value = forms.FloatField(label="数值", required=False)
    unit = forms.CharField(label="单位", max_length=20, required=False)
    text = TextField(label="原文", rows=1)

    def to_edit(self, delete: bool) -> RuleEdit:
        """The row as a service edit."""
        d = self.cleaned_data
        return RuleEdit(
            id=d.get("id"),
            delete=delete,
            text=d.get("text", ""),
            parameter=d.get("parameter", ""),
            value=d.get("value"),
            unit=d.get("unit", ""),
            comparator=d.get("comparator", "="),
        )


TaskFormSet = formset_factory(TaskRowForm, extra=1, can_delete=True)
TargetFormSet = formset_factory(TargetRowForm, extra=1, can_delete=True)
RuleFormSet = formset_factory(RuleRowForm, extra=1, can_delete=True)


def edits_of(formset) -> list:
    """Service edits for every row of a valid formset that is filled in (blank extra rows are skipped)."""
    edits = []
    for form in formset.forms:
        if not form.has_changed():
            continue
        edits.append(form.to_edit(bool(form.cleaned_data.get("DELETE"))))
    return edits


class DepartmentMapForm(forms.Form):
    """Tie a name the directory does not know to a department (or create one by that exact name)."""

    NEW = "new"

    name = forms.CharField(widget=forms.HiddenInput, max_length=80)
    department = forms.ChoiceField(label="对应部门")

    def __init__(self, *args, departments=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [
            ("", "请选择…"),
            *((str(d.pk), d.name + (f"（{d.short_name}）" if d.short_name else "")) for d in departments),
            (self.NEW, "按此名称新建部门"),
        ]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class ReportForm(forms.Form):
    """A periodic progress report on a task."""

    department = forms.ChoiceField(label="报送部门")
    period = forms.CharField(
        label="报送期",
        max_length=10,
        help_text="季度写作 2026-Q3，月份写作 2026-07，半年写作 2026-H1，全年写作 2026",
    )
    percent = forms.IntegerField(label="完成进度（%）", min_value=0, max_value=100)
    narrative = TextField(label="工作进展", rows=5)
    files = MultipleFileField(label="附件（可多选）", required=False)

    def __init__(self, *args, departments=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(str(d.pk), d.name) for d in departments]
        if len(self.fields["department"].choices) == 1:
            # A department officer reports for their own department only: nothing to choose.
            self.fields["department"].widget = forms.HiddenInput()
            self.fields["department"].initial = self.fields["department"].choices[0][0]


class TargetValueForm(forms.Form):
    """An entered value of a target."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    value = forms.FloatField(label="当前值")
    as_of = forms.DateField(label="截至日期", widget=DATE)
    note = forms.CharField(label="说明（数据来源等）", max_length=300, required=False)


class TrackingForm(forms.Form):
    """How a target is followed."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    baseline_value = forms.FloatField(label="基期值", required=False)
    baseline_date = forms.DateField(label="基期日期", required=False, widget=DATE)
    deadline = forms.DateField(label="完成期限", required=False, widget=DATE)
    live_key = forms.ChoiceField(label="关联实时数据", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["live_key"].choices = [("", "不关联（使用填报值）"), *live.choices()]
