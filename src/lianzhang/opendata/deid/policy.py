"""De-identification policy: what to do with each column, read from YAML and checked before any output."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ACTIONS = ("drop", "mask", "pseudonymise", "generalise", "redact", "keep")
GENERALISE_TO = {"year", "month", "band", "district", "town"}
SECRET_ENV = "LIANZHANG_DEID_SECRET"
DEFAULT_K = 5


class PolicyError(ValueError):
    """A policy that cannot be applied; the message names the column, action or setting at fault."""


@dataclass(frozen=True)
class ColumnRule:
    """The action for one column and its parameters."""

    column: str
    action: str
    keep_head: int = 1
    keep_tail: int = 1
    to: str = ""
    band: int = 10


@dataclass
class Policy:
    """Per-column rules, quasi-identifiers, k and the pseudonymisation secret."""

    rules: dict[str, ColumnRule]
    quasi_identifiers: list[str] = field(default_factory=list)
    k: int = DEFAULT_K
    suppress: str = ""  # "", "values" (blank the quasi-identifiers of rare rows) or "rows" (drop them)
    secret: bytes = b""

    def rule(self, column: str) -> ColumnRule:
        """The rule for a column; columns the policy does not name are kept (the rescan still guards them)."""
        return self.rules.get(column) or ColumnRule(column, "keep")


def load_policy(path: Path, header: list[str]) -> Policy:
    """Read and check a policy against a table's header; raise PolicyError with a precise message."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"无法读取策略文件 {path}：{exc}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"策略文件 {path.name} 不是合法的 YAML：{exc}") from None
    return parse_policy(data, header)


def parse_policy(data: Any, header: list[str]) -> Policy:
    """Check a policy mapping (as loaded from YAML) against a table's header."""
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise PolicyError("策略应包含 columns：列名到处理方式的映射")
    unknown_keys = set(data) - {"columns", "quasi_identifiers", "k", "suppress", "secret", "secret_env"}
    if unknown_keys:
        raise PolicyError(f"策略含未知设置：{'、'.join(sorted(map(str, unknown_keys)))}")
    rules = {}
    for column, spec in data["columns"].items():
        rules[str(column)] = _rule(str(column), spec, header)
    quasi = data.get("quasi_identifiers") or []
    if not isinstance(quasi, list):
        raise PolicyError("quasi_identifiers 应为列名列表")
    for column in quasi:
        if column not in header:
            raise PolicyError(f"准标识符列“{column}”不在文件中")
        if rules.get(column, ColumnRule(column, "keep")).action == "drop":
            raise PolicyError(f"准标识符列“{column}”已被删除（drop），不能再做 k-匿名检查")
    k = data.get("k", DEFAULT_K)
    if not isinstance(k, int) or isinstance(k, bool) or k < 2:
        raise PolicyError(f"k 应为不小于 2 的整数，实际为 {k!r}")
    suppress = data.get("suppress") or ""
    if suppress is True:
        suppress = "values"
    if suppress not in ("", "values", "rows"):
        raise PolicyError(f"suppress 应为 values 或 rows，实际为 {suppress!r}")
    secret = str(data.get("secret") or os.environ.get(str(data.get("secret_env") or SECRET_ENV), ""))
    if any(r.action == "pseudonymise" for r in rules.values()) and len(secret) < 16:
        raise PolicyError(
            f"假名化需要至少 16 个字符的数据集密钥：在策略中设置 secret，或设置环境变量 "
            f"{data.get('secret_env') or SECRET_ENV}"
        )
    return Policy(rules, [str(q) for q in quasi], k, suppress, secret.encode("utf-8"))


def _rule(column: str, spec: Any, header: list[str]) -> ColumnRule:
    if column not in header:
        raise PolicyError(f"策略中的列“{column}”不在文件中（文件的列：{'、'.join(header)}）")
    if isinstance(spec, str):
        spec = {"action": spec}
    if not isinstance(spec, dict) or "action" not in spec:
        raise PolicyError(f"列“{column}”的处理方式应写为动作名或含 action 的映射")
    action = spec["action"]
    if action == "pseudonymize":
        action = "pseudonymise"
    if action == "generalize":
        action = "generalise"
    if action not in ACTIONS:
        raise PolicyError(f"列“{column}”的处理方式“{action}”未知，可用：{'、'.join(ACTIONS)}")
    extra = set(spec) - {"action", "keep_head", "keep_tail", "to", "band"}
    if extra:
        raise PolicyError(f"列“{column}”含未知参数：{'、'.join(sorted(map(str, extra)))}")
    head, tail, band = spec.get("keep_head", 1), spec.get("keep_tail", 1), spec.get("band", 10)
    for label, value in (("keep_head", head), ("keep_tail", tail), ("band", band)):
        bad = not isinstance(value, int) or isinstance(value, bool) or value < 0
        if bad or (label == "band" and value < 1):
            raise PolicyError(f"列“{column}”的 {label} 应为非负整数（band 至少为 1），实际为 {value!r}")
    to = str(spec.get("to", ""))
    if action == "generalise" and to not in GENERALISE_TO:
        raise PolicyError(
            f"列“{column}”的泛化目标 to 应为 year、month（日期）、band（年龄）、district、town（地址），"
            f"实际为“{to}”"
        )
    return ColumnRule(column, action, head, tail, to, band)
