"""Synthetic, clearly labelled demo data for trying every page of the platform."""

from lianzhang.demo.generator import (
    DemoAssignment,
    DemoData,
    DemoEnterprise,
    DemoPark,
    DemoProject,
    NodeSpec,
    PlaceSpec,
    generate,
)

__all__ = [
    "DemoAssignment",
    "DemoData",
    "DemoEnterprise",
    "DemoPark",
    "DemoProject",
    "NodeSpec",
    "PlaceSpec",
    "generate",
]
