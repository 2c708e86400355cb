"""The platform's chains: the shipped YAML files plus the folders named in LIANZHANG_CHAIN_DIRS."""

from __future__ import annotations

from django.conf import settings

from lianzhang.taxonomy import Chain, get_chain


def platform_chain(chain_id: str = "ai") -> Chain:
    """Load a chain as configured for this deployment (extra chain folders included)."""
    return get_chain(chain_id, extra_dirs=tuple(settings.CONFIG.chain_dirs))


def node_names(chain_id: str = "ai") -> dict[str, str]:
    """Node id → display name of a chain."""
    return {node.id: node.name for node in platform_chain(chain_id).nodes.values()}
