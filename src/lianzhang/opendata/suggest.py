"""Suggested de-identification actions per column, from a scan report (pure: no Django)."""

from __future__ import annotations

from typing import Any

# A column made of one kind of identifier: what to do with it by default.
BY_TYPE = {
    "id_card": {"action": "drop"},
    "passport": {"action": "drop"},
    "bank_card": {"action": "drop"},
    "plate": {"action": "drop"},
    "ip": {"action": "drop"},
    "mobile": {"action": "mask", "keep_head": 3, "keep_tail": 0},
    "phone": {"action": "mask", "keep_head": 3, "keep_tail": 0},
    "email": {"action": "mask", "keep_head": 1, "keep_tail": 0},
    "person_name": {"action": "pseudonymise"},
    "address": {"action": "generalise", "to": "district"},
}
BY_QUASI = {
    "birth_date": {"action": "generalise", "to": "year"},
    "date": {"action": "generalise", "to": "year"},
    "age": {"action": "generalise", "to": "band", "band": 10},
}
ACTION_LABELS = {
    "keep": "保留",
    "drop": "删除列",
    "mask": "掩码",
    "pseudonymise": "假名化（密钥散列）",
    "generalise": "泛化",
    "redact": "文本中抹除",
}
TYPE_LABELS = {
    "id_card": "身份证号",
    "mobile": "手机号",
    "phone": "固定电话",
    "email": "电子邮箱",
    "bank_card": "银行卡号",
    "uscc": "统一社会信用代码",
    "passport": "护照/通行证",
    "plate": "车牌号",
    "person_name": "姓名",
    "address": "详细地址",
    "ip": "IP 地址",
}
QUASI_LABELS = {
    "birth_date": "出生日期",
    "date": "日期",
    "age": "年龄",
    "sex": "性别",
    "area_code": "区划代码",
}


def suggest(column: dict[str, Any], direct: frozenset[str] | set[str]) -> dict[str, Any]:
    """The suggested rule for one scanned column, plus whether it is a quasi-identifier and why."""
    found = [t for t, n in sorted(column["types"].items(), key=lambda kv: -kv[1]) if t in direct and n]
    quasi = column.get("quasi_identifier", "")
    if len(found) > 1:
        # Several kinds in one column is free text (notes, complaints): cut the identifiers out.
        rule, reason = {"action": "redact"}, "含多种个人信息，疑为自由文本"
    elif found:
        rule = dict(BY_TYPE.get(found[0], {"action": "drop"}))
        reason = f"直接标识符：{TYPE_LABELS.get(found[0], found[0])}"
    elif quasi in BY_QUASI:
        rule, reason = dict(BY_QUASI[quasi]), f"准标识符：{QUASI_LABELS.get(quasi, quasi)}"
    elif quasi:
        rule, reason = {"action": "keep"}, f"准标识符：{QUASI_LABELS.get(quasi, quasi)}"
    else:
        rule, reason = {"action": "keep"}, ""
    return {"rule": rule, "quasi": bool(quasi) and rule["action"] != "drop", "reason": reason}


def suggested_policy(report: dict[str, Any], direct: frozenset[str] | set[str], k: int = 5) -> dict[str, Any]:
    """A whole policy (without secret) suggested from a scan report."""
    columns, quasi = {}, []
    for column in report.get("columns", []):
        advice = suggest(column, direct)
        columns[column["name"]] = advice["rule"]
        if advice["quasi"]:
            quasi.append(column["name"])
    return {"columns": columns, "quasi_identifiers": quasi, "k": k, "suppress": "values"}
