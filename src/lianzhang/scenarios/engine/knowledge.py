"""The problem → capability → chain node knowledge that links demands written as problems to suppliers."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

KNOWLEDGE_FILE = Path(__file__).resolve().parent.parent / "data" / "capabilities.yaml"


class KnowledgeError(ValueError):
    """The capability knowledge file is invalid; the message names the entry and field."""


@dataclass(frozen=True)
class Capability:
    """One deliverable capability, the words suppliers offer it with and the problems demands describe."""

    id: str
    name: str
    nodes: tuple[str, ...]
    offers: tuple[str, ...]
    problems: tuple[str, ...]
    weak: tuple[str, ...] = ()


@dataclass(frozen=True)
class Knowledge:
    """All capabilities plus the words that tell trading from delivering."""

    version: str
    capabilities: tuple[Capability, ...]
    trade: tuple[str, ...]
    make: tuple[str, ...]
    places: tuple[str, ...] = ()

    def capability(self, cap_id: str) -> Capability:
        """Return the capability with this id or raise KeyError."""
        for cap in self.capabilities:
            if cap.id == cap_id:
                return cap
        raise KeyError(f"没有能力 {cap_id}")


def _terms(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) and str(v).strip() for v in value):
        raise KnowledgeError(f"{where}：应为非空词语的列表")
    return tuple(str(v).strip() for v in value)


def parse_knowledge(
    data: Any, label: str = "capabilities", node_ids: Iterable[str] | None = None
) -> Knowledge:
    """Validate parsed YAML data and build the Knowledge; node ids are checked when given."""
    if not isinstance(data, dict):
        raise KnowledgeError(f"{label}：顶层应为映射")
    known = set(node_ids) if node_ids is not None else None
    caps: list[Capability] = []
    seen: set[str] = set()
    for index, entry in enumerate(data.get("capabilities") or [], start=1):
        where = f"{label} 第 {index} 个能力"
        if not isinstance(entry, dict):
            raise KnowledgeError(f"{where}：应为映射")
        cap_id = str(entry.get("id") or "").strip()
        if not cap_id:
            raise KnowledgeError(f"{where}：缺少 id")
        where = f"{label} 能力 {cap_id}"
        if cap_id in seen:
            raise KnowledgeError(f"{where}：id 重复")
        seen.add(cap_id)
        nodes = _terms(entry.get("nodes"), f"{where} 的 nodes")
        if known is not None:
            unknown = [n for n in nodes if n not in known]
            if unknown:
                raise KnowledgeError(f"{where} 的 nodes：产业链没有节点 {'、'.join(unknown)}")
        offers = _terms(entry.get("offers"), f"{where} 的 offers")
        if not offers:
            raise KnowledgeError(f"{where}：offers 不能为空")
        caps.append(
            Capability(
                id=cap_id,
                name=str(entry.get("name") or cap_id),
                nodes=nodes,
                offers=offers,
                problems=_terms(entry.get("problems"), f"{where} 的 problems"),
                weak=_terms(entry.get("weak"), f"{where} 的 weak"),
            )
        )
    if not caps:
        raise KnowledgeError(f"{label}：没有任何能力")
    return Knowledge(
        version=str(data.get("version") or ""),
        capabilities=tuple(caps),
        trade=_terms(data.get("trade"), f"{label} 的 trade"),
        make=_terms(data.get("make"), f"{label} 的 make"),
        places=_terms(data.get("places"), f"{label} 的 places"),
    )


@functools.lru_cache(maxsize=4)
def load_knowledge(path: str | None = None) -> Knowledge:
    """Load and validate the shipped knowledge file (or another one), checking nodes against the AI chain."""
    from lianzhang.taxonomy import get_chain

    file = Path(path) if path else KNOWLEDGE_FILE
    # The C loader when libyaml is there: the file is large and loads with every matching process.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(file.read_text(encoding="utf-8"), Loader=loader)
    return parse_knowledge(data, file.name, node_ids=get_chain("ai").nodes)
