"""Plain records exchanged between importers, generators and the registry services (no Django)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class YearFigures:
    """One enterprise's figures for one year; money in fen (1 yuan = 100 fen)."""

    year: int
    revenue_fen: int | None = None
    rd_spend_fen: int | None = None
    employees: int | None = None
    patents: int | None = None
    ai_revenue_fen: int | None = None


@dataclass
class EnterpriseRecord:
    """One enterprise as read from a file or generated: validated values, not yet stored."""

    credit_code: str
    name: str
    division_code: str
    short_name: str = ""
    address: str = ""
    founded_on: date | None = None
    registered_capital_fen: int | None = None
    business_scope: str = ""
    products: str = ""
    tags: list[str] = field(default_factory=list)
    park: str = ""
    figures: list[YearFigures] = field(default_factory=list)
    # Where the record came from (file row number, 1-based counting the header as row 1).
    source_row: int | None = None


# The tags the registry recognises; imports refuse others so that filters stay meaningful.
KNOWN_TAGS: tuple[str, ...] = (
    "高新技术企业",
    "专精特新",
    "小巨人",
    "独角兽",
    "瞪羚",
    "上市",
    "链主",
)

# Project (项目库) workflow states in order; 终止 can be reached from any open state.
PROJECT_STATUSES: tuple[tuple[str, str], ...] = (
    ("submitted", "申报"),
    ("formal_check", "形式审查"),
    ("review", "评审"),
    ("approved", "立项"),
    ("accepted", "验收"),
    ("terminated", "终止"),
)

PROJECT_TYPES: tuple[tuple[str, str], ...] = (
    ("rnd", "技术攻关"),
    ("industrialisation", "产业化"),
    ("demonstration", "应用示范"),
    ("platform", "公共平台建设"),
    ("talent", "人才团队"),
)
