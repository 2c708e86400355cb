"""Lianzhang (链长): public service platform for an AI industry chain under the chain-chief system."""

__version__ = "0.1.0"
