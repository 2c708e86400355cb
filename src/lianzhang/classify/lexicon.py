"""The engine's supplementary knowledge for a chain: term weights, aliases, name cues, national rules."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

LEXICON_DIR = Path(__file__).parent / "data"
MODES = ("device", "software", "system")
NATIONAL_CODES = ("1.5.1", "1.5.2", "1.5.3", "none")


class LexiconError(ValueError):
    """A lexicon file is invalid."""


@dataclass(frozen=True)
class Lexicon:
    """What the classifier knows about a chain beyond its YAML: all optional, empty for unknown chains."""

    generic_node: str | None = None
    weights: MappingProxyType[str, float] = field(default_factory=lambda: MappingProxyType({}))
    aliases: MappingProxyType[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    name_cues: MappingProxyType[str, MappingProxyType[str, float]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    national_rules: MappingProxyType[str, MappingProxyType[str, str]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    national_terms: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))


def _code(value: Any, where: str) -> str:
    text = "none" if value is None else str(value).strip()
    if text not in NATIONAL_CODES:
        raise LexiconError(f"{where}: 国家分类代码 {value!r} 应为 {'、'.join(NATIONAL_CODES)} 之一")
    return text


def parse_lexicon(data: Any, label: str = "lexicon") -> Lexicon:
    """Validate parsed YAML data and build a Lexicon."""
    if data is None:
        return Lexicon()
    if not isinstance(data, dict):
        raise LexiconError(f"{label}: 顶层应为映射")
    weights: dict[str, float] = {}
    for term, weight in (data.get("weights") or {}).items():
        if not isinstance(weight, (int, float)) or not 0 < float(weight) <= 1:
            raise LexiconError(f"{label}: weights 中 {term!r} 的权重应在 (0, 1] 之间")
        weights[str(term)] = float(weight)
    aliases = {
        str(node): tuple(str(t) for t in (terms or [])) for node, terms in (data.get("aliases") or {}).items()
    }
    cues: dict[str, MappingProxyType[str, float]] = {}
    for node, mapping in (data.get("name_cues") or {}).items():
        if not isinstance(mapping, dict):
            raise LexiconError(f"{label}: name_cues 中 {node!r} 应为 词: 权重 的映射")
        cues[str(node)] = MappingProxyType({str(t): float(w) for t, w in mapping.items()})
    national = data.get("national") or {}
    rules: dict[str, MappingProxyType[str, str]] = {}
    for node, mapping in (national.get("rules") or {}).items():
        checked = {}
        for mode, value in (mapping or {}).items():
            if mode not in (*MODES, "default"):
                raise LexiconError(
                    f"{label}: national.rules 中 {node!r} 的 {mode!r} 不是 device/software/system/default"
                )
            checked[str(mode)] = _code(value, f"{label}: national.rules.{node}.{mode}")
        rules[str(node)] = MappingProxyType(checked)
    terms = {
        str(term): _code(value, f"{label}: national.terms.{term}")
        for term, value in (national.get("terms") or {}).items()
    }
    generic = data.get("generic_node")
    return Lexicon(
        generic_node=str(generic) if generic else None,
        weights=MappingProxyType(weights),
        aliases=MappingProxyType(aliases),
        name_cues=MappingProxyType(cues),
        national_rules=MappingProxyType(rules),
        national_terms=MappingProxyType(terms),
    )


@functools.lru_cache(maxsize=16)
def load_lexicon(chain_id: str, directory: str | None = None) -> Lexicon:
    """Return the lexicon shipped for a chain id, or an empty one when there is none."""
    path = Path(directory or LEXICON_DIR) / f"{chain_id}.yaml"
    if not path.is_file():
        return Lexicon()
    return parse_lexicon(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
