"""Industry chain taxonomy: chains defined as YAML data and a validating loader."""

from lianzhang.taxonomy.loader import (
    CANONICAL_AI_NODE_IDS,
    CHAINS_DIR,
    Category,
    Chain,
    ChainNode,
    NationalCategory,
    NationalItem,
    TaxonomyError,
    chain_files,
    get_chain,
    list_chains,
    load_chain,
    parse_chain,
)

__all__ = [
    "CANONICAL_AI_NODE_IDS",
    "CHAINS_DIR",
    "Category",
    "Chain",
    "ChainNode",
    "NationalCategory",
    "NationalItem",
    "TaxonomyError",
    "chain_files",
    "get_chain",
    "list_chains",
    "load_chain",
    "parse_chain",
]
