"""技术对接 subsidy by rule (专栏5): 30% of the matched cooperation's cost, capped per enterprise and year."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

RATE_PERCENT = 30
CAP_FEN = 200_000_000  # 2,000,000 yuan per enterprise per year
MAX_ENTERPRISES = 10  # per year


@dataclass(frozen=True)
class Cooperation:
    """One matched cooperation (records come in filing order): manufacturer, year, cost in fen."""

    id: str
    enterprise: str
    year: int
    cost_fen: int


@dataclass(frozen=True)
class Award:
    """The subsidy decided for one cooperation, with its reason."""

    cooperation: str
    enterprise: str
    amount_fen: int
    reason: str


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f} 元"


def compute_subsidies(
    records: Sequence[Cooperation],
    rate_percent: int = RATE_PERCENT,
    cap_fen: int = CAP_FEN,
    max_enterprises: int = MAX_ENTERPRISES,
) -> list[Award]:
    """Apply the rule in filing order: rate × cost, yearly cap per enterprise, at most N firms a year."""
    awards = []
    used: dict[tuple[str, int], int] = {}
    funded: dict[int, list[str]] = {}
    for rec in records:
        if rec.cost_fen < 0:
            raise ValueError(f"对接记录 {rec.id}：费用不能为负数")
        key = (rec.enterprise, rec.year)
        year_list = funded.setdefault(rec.year, [])
        if rec.enterprise not in year_list and len(year_list) >= max_enterprises:
            reason = f"{rec.year} 年已有 {max_enterprises} 家企业获得补助，名额已满"
            awards.append(Award(rec.id, rec.enterprise, 0, reason))
            continue
        # Integer arithmetic in fen, rounded down: a subsidy never exceeds the rate.
        due = rec.cost_fen * rate_percent // 100
        left = cap_fen - used.get(key, 0)
        amount = min(due, left)
        if amount <= 0:
            reason = f"该企业 {rec.year} 年补助已达上限 {_yuan(cap_fen)}"
        elif amount < due:
            reason = (
                f"按费用 {_yuan(rec.cost_fen)} 的 {rate_percent}% 应补 {_yuan(due)}，"
                f"受年度上限 {_yuan(cap_fen)} 限制，只补剩余额度 {_yuan(amount)}"
            )
        else:
            reason = f"按费用 {_yuan(rec.cost_fen)} 的 {rate_percent}% 补助"
        if amount > 0 and rec.enterprise not in year_list:
            year_list.append(rec.enterprise)
        used[key] = used.get(key, 0) + max(amount, 0)
        awards.append(Award(rec.id, rec.enterprise, max(amount, 0), reason))
    return awards


def yearly_counts(pairs: Sequence[tuple[int, str, str]]) -> dict[int, tuple[int, int]]:
    """Distinct (manufacturers, suppliers) matched per year, from (year, manufacturer, supplier) pairs."""
    years: dict[int, tuple[set[str], set[str]]] = {}
    for year, manufacturer, supplier in pairs:
        makers, suppliers = years.setdefault(year, (set(), set()))
        makers.add(manufacturer)
        suppliers.add(supplier)
    return {year: (len(m), len(s)) for year, (m, s) in sorted(years.items())}
