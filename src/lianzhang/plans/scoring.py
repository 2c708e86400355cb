"""Compare a parse with hand annotations: task recall, department F1 and target F1 (with comparator)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from lianzhang.plans.textnorm import normalize

_COMPARATOR_ALIASES = {
    "~": "~",
    "≈": "~",
    "约": "~",
    ">=": ">=",
    "≥": ">=",
    "<=": "<=",
    "≤": "<=",
    ">": ">",
    "<": "<",
    "=": "=",
    "==": "=",
}
_MONEY_SCALE = {
    "元": 1,
    "万元": 10_000,
    "亿元": 100_000_000,
    "千元": 1000,
    "百万元": 1_000_000,
    "千万元": 10_000_000,
    "万亿元": 10**12,
}


@dataclass
class Score:
    """Matching figures of one document."""

    tasks_gold: int = 0
    tasks_found: int = 0
    tasks_matched: int = 0
    dept_tp: int = 0
    dept_fp: int = 0
    dept_fn: int = 0
    targets_gold: int = 0
    targets_found: int = 0
    targets_matched: int = 0
    targets_optional_matched: int = 0
    deadline_agree: int = 0
    missed_tasks: list[str] = field(default_factory=list)
    department_errors: list[str] = field(default_factory=list)
    missed_targets: list[str] = field(default_factory=list)
    extra_targets: list[str] = field(default_factory=list)

    @property
    def task_recall(self) -> float:
        """Share of annotated tasks that were found."""
        return self.tasks_matched / self.tasks_gold if self.tasks_gold else 1.0

    @property
    def department_f1(self) -> float:
        """F1 over (task, role, department) triples."""
        return _f1(self.dept_tp, self.dept_fp, self.dept_fn)

    @property
    def target_precision(self) -> float:
        """Share of found targets that match an annotated one (borderline matches count as right)."""
        found = self.targets_found
        return (self.targets_matched + self.targets_optional_matched) / found if found else 1.0

    @property
    def target_recall(self) -> float:
        """Share of required (non-borderline) annotated targets that were found."""
        return self.targets_matched / self.targets_gold if self.targets_gold else 1.0

    @property
    def target_f1(self) -> float:
        """Harmonic mean of target precision and recall."""
        p, r = self.target_precision, self.target_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        """Figures for printing and for the docs."""
        matched = self.targets_matched + self.targets_optional_matched
        return {
            "tasks": f"{self.tasks_matched}/{self.tasks_gold} (found {self.tasks_found})",
            "task_recall": round(self.task_recall, 3),
            "department_f1": round(self.department_f1, 3),
            "target_precision": round(self.target_precision, 3),
            "target_recall": round(self.target_recall, 3),
            "target_f1": round(self.target_f1, 3),
            "deadline_agreement": f"{self.deadline_agree}/{matched}",
        }


def _f1(tp: int, fp: int, fn: int) -> float:
    if tp == 0:
        return 1.0 if fp == 0 and fn == 0 else 0.0
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    return 2 * precision * recall / (precision + recall)


def norm_number(number: str) -> str:
    """A task number without bracket, dot and space differences: 三.（一）.1 = 三.(一).1 = 三(一)1."""
    return re.sub(r"[\s.．、()（）]", "", normalize(str(number)))


def norm_title(title: str) -> str:
    """A title without punctuation and quotes, Simplified."""
    return re.sub(r"[\W_]", "", normalize(title))


def norm_name(name: str) -> str:
    """A department name as written, Simplified and without spaces."""
    return re.sub(r"\s", "", normalize(name))


def _same_title(a: str, b: str) -> bool:
    a, b = norm_title(a), norm_title(b)
    if not a or not b:
        return False
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


def match_tasks(gold: list[dict], found: list[dict]) -> dict[int, int]:
    """Gold index → found index, by number first and by title where numbers disagree."""
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for gi, g in enumerate(gold):
        for fi, f in enumerate(found):
            if fi in used:
                continue
            if norm_number(g.get("number", "")) == norm_number(f.get("number", "")) and (
                not g.get("title") or not f.get("title") or _same_title(g["title"], f["title"])
            ):
                pairs[gi] = fi
                used.add(fi)
                break
    for gi, g in enumerate(gold):
        if gi in pairs:
            continue
        for fi, f in enumerate(found):
            if fi not in used and _same_title(g.get("title", ""), f.get("title", "")):
                pairs[gi] = fi
                used.add(fi)
                break
    return pairs


def _triples(task: dict, key: int) -> set[tuple[int, str, str]]:
    return {(key, "lead", norm_name(n)) for n in task.get("lead", [])} | {
        (key, "cooperating", norm_name(n)) for n in task.get("cooperating", [])
    }


def base_amount(target: dict) -> tuple[float, str] | None:
    """(value, unit) in base units: 100 亿元 → (1e10, 元); counts and percentages as they are."""
    try:
        value = float(target["value"])
    except (KeyError, TypeError, ValueError):
        return None
    unit = normalize(str(target.get("unit") or ""))
    if unit in _MONEY_SCALE:
        return value * _MONEY_SCALE[unit], "元"
    if unit.startswith("万") and len(unit) > 1:
        return value * 10_000, unit[1:]
    if unit in ("%", "％"):
        return value, "%"
    return value, unit


def _comparator(value: str | None) -> str:
    return _COMPARATOR_ALIASES.get(str(value or "=").strip(), str(value))


def _same_target(g: dict, f: dict) -> bool:
    a, b = base_amount(g), base_amount(f)
    if a is None or b is None or a[1] != b[1] or abs(a[0] - b[0]) > 1e-6 * max(abs(a[0]), 1):
        return False
    return _comparator(g.get("comparator")) == _comparator(f.get("comparator"))


def score(found: dict, gold: dict) -> Score:
    """Score a parse (the --json shape) against a gold annotation file's contents."""
    result = Score()
    gold_tasks = gold.get("tasks", [])
    found_tasks = found.get("tasks", [])
    pairs = match_tasks(gold_tasks, found_tasks)
    result.tasks_gold, result.tasks_found, result.tasks_matched = (
        len(gold_tasks),
        len(found_tasks),
        len(pairs),
    )
    gold_triples: set = set()
    found_triples: set = set()
    found_to_gold = {fi: gi for gi, fi in pairs.items()}
    for gi, task in enumerate(gold_tasks):
        gold_triples |= _triples(task, gi)
        if gi not in pairs:
            result.missed_tasks.append(f"{task.get('number')} {task.get('title')}")
    for fi, task in enumerate(found_tasks):
        found_triples |= _triples(task, found_to_gold.get(fi, -1 - fi))
    result.dept_tp = len(gold_triples & found_triples)
    result.dept_fp = len(found_triples - gold_triples)
    result.dept_fn = len(gold_triples - found_triples)
    for key, role, name in sorted(gold_triples ^ found_triples, key=str):
        side = "missing" if (key, role, name) in gold_triples else "extra"
        label = gold_tasks[key].get("number") if 0 <= key < len(gold_tasks) else f"unmatched#{-1 - key}"
        result.department_errors.append(f"{side}: {label} {role} {name}")

    gold_targets = gold.get("targets", [])
    found_targets = found.get("targets", [])
    required = [t for t in gold_targets if not t.get("borderline")]
    optional = [t for t in gold_targets if t.get("borderline")]
    result.targets_gold, result.targets_found = len(required), len(found_targets)
    used: set[int] = set()
    for group, counter in ((required, "targets_matched"), (optional, "targets_optional_matched")):
        for g in group:
            # Prefer a candidate with the same deadline, so restated targets pair up in order.
            candidates = [i for i, f in enumerate(found_targets) if i not in used and _same_target(g, f)]
            candidates.sort(
                key=lambda i: (str(found_targets[i].get("deadline")) != str(g.get("deadline")), i)
            )
            if candidates:
                used.add(candidates[0])
                setattr(result, counter, getattr(result, counter) + 1)
                if str(found_targets[candidates[0]].get("deadline")) == str(g.get("deadline")):
                    result.deadline_agree += 1
            elif group is required:
                result.missed_targets.append(
                    f"{g.get('text')} ({g.get('value')}{g.get('unit')} {g.get('comparator')})"
                )
    for i, f in enumerate(found_targets):
        if i not in used:
            result.extra_targets.append(
                f"{f.get('text')} ({f.get('value')}{f.get('unit')} {f.get('comparator')})"
            )
    return result
