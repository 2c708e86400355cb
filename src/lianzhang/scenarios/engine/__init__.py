"""Pure matching engine for scenario demands and supplier capabilities (no Django)."""

from lianzhang.scenarios.engine.knowledge import Capability, Knowledge, KnowledgeError, load_knowledge
from lianzhang.scenarios.engine.matching import (
    NEED,
    OFFER,
    Analyzer,
    Index,
    Match,
    Record,
    get_analyzer,
    rank_demands,
    rank_suppliers,
)

__all__ = [
    "NEED",
    "OFFER",
    "Analyzer",
    "Capability",
    "Index",
    "Knowledge",
    "KnowledgeError",
    "Match",
    "Record",
    "get_analyzer",
    "load_knowledge",
    "rank_demands",
    "rank_suppliers",
]
