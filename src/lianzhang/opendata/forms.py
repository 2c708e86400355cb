"""Forms of the open data pages: dataset metadata, upload, per-column policy, data requests and answers."""

from __future__ import annotations

from typing import Any

from django import forms

from lianzhang.opendata.models import DataRequest, Dataset
from lianzhang.opendata.services import FIELD_TYPES
from lianzhang.opendata.suggest import ACTION_LABELS

ACTION_CHOICES = tuple(ACTION_LABELS.items())
GENERALISE_CHOICES = (
    ("", "—"),
    ("year", "日期→年"),
    ("month", "日期→年月"),
    ("band", "年龄→区间"),
    ("district", "地址→区县"),
    ("town", "地址→镇街"),
)
SUPPRESS_CHOICES = (("", "不抑制（仅报告）"), ("values", "抑制小类的准标识符值"), ("rows", "删除小类所在行"))


def split_list(text: str) -> list[str]:
    """Comma- or 、-separated text as a list."""
    return [t.strip() for t in text.replace("，", ",").replace("、", ",").split(",") if t.strip()]


def parse_schema(text: str) -> list[dict[str, str]]:
    """Field schema typed one field a line: 字段名|类型|说明."""
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        out.append(
            {
                "name": parts[0],
                "type": parts[1] if len(parts) > 1 and parts[1] else "string",
                "description": parts[2] if len(parts) > 2 else "",
            }
        )
    return out


def schema_text(schema: list[dict[str, Any]]) -> str:
    """The schema as the form shows it."""
    return "\n".join(f"{f['name']}|{f.get('type', 'string')}|{f.get('description', '')}" for f in schema)


class DatasetForm(forms.Form):
    title = forms.CharField(label="数据集名称", max_length=200)
    department_id = forms.TypedChoiceField(label="发布部门", coerce=int)
    description = forms.CharField(label="描述", widget=forms.Textarea)
    licence = forms.ChoiceField(label="许可协议", choices=Dataset.Licence.choices)
    update_frequency = forms.ChoiceField(label="更新频率", choices=Dataset.Frequency.choices)
    tags = forms.CharField(label="标签（逗号分隔）", required=False)
    nodes = forms.CharField(label="产业链节点编号（逗号分隔，可空）", required=False)
    schema = forms.CharField(
        label=f"字段说明（每行一个：字段名|类型|说明；类型：{'、'.join(FIELD_TYPES)}）",
        widget=forms.Textarea,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, departments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department_id"].choices = [(d.pk, d.name) for d in departments]


class UploadForm(forms.Form):
    file = forms.FileField(label="原始数据文件（CSV、XLSX 或 JSON；仅用于脱敏处理，不会公开）")
    label = forms.CharField(label="版本号（可空，默认 v1、v2 …）", max_length=40, required=False)
    notes = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)


def policy_from_post(post: Any, columns: list[str]) -> dict[str, Any]:
    """The policy mapping from the per-column form (field names carry the column's index)."""
    rules: dict[str, Any] = {}
    quasi = []
    for i, name in enumerate(columns):
        action = post.get(f"action_{i}", "keep")
        rule: dict[str, Any] = {"action": action}
        if action == "mask":
            rule["keep_head"] = _int(post.get(f"head_{i}"), 1)
            rule["keep_tail"] = _int(post.get(f"tail_{i}"), 1)
        if action == "generalise":
            rule["to"] = post.get(f"to_{i}", "")
            if rule["to"] == "band":
                rule["band"] = _int(post.get(f"band_{i}"), 10)
        rules[name] = rule
        if post.get(f"quasi_{i}") and action != "drop":
            quasi.append(name)
    policy: dict[str, Any] = {"columns": rules, "quasi_identifiers": quasi, "k": _int(post.get("k"), 5)}
    if post.get("suppress"):
        policy["suppress"] = post.get("suppress")
    return policy


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


class RequestForm(forms.Form):
    title = forms.CharField(label="需求名称", max_length=200)
    department_id = forms.TypedChoiceField(label="提请部门", coerce=int)
    description = forms.CharField(label="需要哪些数据（范围、字段、时间段）", widget=forms.Textarea)
    purpose = forms.CharField(label="用途（用于什么产品或研究）", widget=forms.Textarea)

    def __init__(self, *args: Any, departments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department_id"].choices = [(d.pk, d.name) for d in departments]


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label="答复结果", choices=[c for c in DataRequest.Status.choices if c[0] != DataRequest.Status.OPEN]
    )
    answer = forms.CharField(label="答复内容", widget=forms.Textarea)
    dataset_id = forms.TypedChoiceField(
        label="对应的已发布数据集（标为已开放时必选）", coerce=int, required=False, empty_value=None
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, datasets: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset_id"].choices = [("", "—")] + [(d.pk, d.title) for d in datasets]
