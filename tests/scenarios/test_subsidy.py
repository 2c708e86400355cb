"""技术对接 subsidies by rule: 30%, 2,000,000 yuan a year per enterprise, at most 10 enterprises a year."""

from __future__ import annotations

import pytest

from lianzhang.scenarios.engine.subsidy import CAP_FEN, Cooperation, compute_subsidies, yearly_counts


def test_a_cooperation_gets_thirty_percent_of_its_cost_in_fen():
    [award] = compute_subsidies([Cooperation("c1", "e1", 2024, 1_000_000_01)])
    assert award.amount_fen == 30_000_000  # 30% of 1,000,000.01 yuan, rounded down to the fen
    assert "30%" in award.reason


def test_the_yearly_cap_per_enterprise_limits_later_cooperations():
    records = [
        Cooperation("c1", "e1", 2024, 500_000_000),  # due 1,500,000 yuan
        Cooperation("c2", "e1", 2024, 500_000_000),  # due 1,500,000, only 500,000 left
        Cooperation("c3", "e1", 2024, 100_000),
        Cooperation("c4", "e1", 2025, 100_000),  # a new year starts a new cap
    ]
    amounts = [a.amount_fen for a in compute_subsidies(records)]
    assert amounts == [150_000_000, CAP_FEN - 150_000_000, 0, 30_000]
    reasons = [a.reason for a in compute_subsidies(records)]
    assert "剩余额度" in reasons[1] and "已达上限" in reasons[2]


def test_at_most_ten_enterprises_are_funded_in_a_year():
    records = [Cooperation(f"c{i}", f"e{i}", 2024, 1_000_000) for i in range(12)]
    records.append(Cooperation("again", "e0", 2024, 1_000_000))
    awards = compute_subsidies(records)
    assert [a.amount_fen > 0 for a in awards] == [True] * 10 + [False, False, True]
    assert "名额已满" in awards[10].reason


def test_a_negative_cost_is_refused_with_the_record_id():
    with pytest.raises(ValueError, match="对接记录 bad"):
        compute_subsidies([Cooperation("bad", "e1", 2024, -1)])


def test_yearly_counts_are_distinct_manufacturers_and_suppliers():
    pairs = [(2024, "m1", "s1"), (2024, "m1", "s2"), (2024, "m2", "s1"), (2025, "m3", "s3")]
    assert yearly_counts(pairs) == {2024: (2, 2), 2025: (1, 1)}
