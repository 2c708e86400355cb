"""Maturity levels (L1–L5) by explicit threshold rules; each entity keeps the rule that placed it."""

from __future__ import annotations

import operator
from collections.abc import Mapping

from lianzhang.evaluation.engine.framework import Condition, Level

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq}


def _holds(cond: Condition, score: float, pillars: Mapping[str, float], raw: Mapping[str, float]) -> bool:
    kind, _, ref = cond.subject.partition(".")
    value = score if kind == "score" else (pillars if kind == "pillar" else raw).get(ref)
    # A condition on an indicator or pillar left out of the run (no data at all) cannot be met.
    return value is not None and _OPS[cond.op](value, cond.value)


def place(
    levels: tuple[Level, ...], score: float, pillars: Mapping[str, float], raw: Mapping[str, float]
) -> dict[str, object] | None:
    """The highest level whose conditions all hold, with the rule text that placed the entity there."""
    for lv in levels:
        if all(_holds(c, score, pillars, raw) for c in lv.conditions):
            rule = (
                " 且 ".join(c.text for c in lv.conditions)
                if lv.conditions
                else "未达到更高等级的条件（兜底）"
            )
            return {"level": lv.level, "name": lv.name, "rule": rule}
    return None
