"""Review assignment, scoring and subsidy allocation engines, checked against plain recomputation."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from decimal import Decimal

import pytest

from lianzhang.reviews.engine import (
    ApplicantsError,
    Application,
    Expert,
    ProgrammeError,
    aggregate,
    allocate_by_rank,
    allocate_optimal,
    assign,
    load_programme,
    read_applicants_csv,
    same_org,
)
from lianzhang.reviews.engine.subsidy import read_applicants_xlsx

FIELDS = ("vision", "speech", "nlp", "robot", "chip", "health")
ORGS = (
    "华南理工大学",
    "中山大学",
    "广东工业大学",
    "甲视觉科技有限公司",
    "乙机器人有限公司",
    "丙芯片股份有限公司",
)


def random_instance(seed: int, experts: int = 60, applications: int = 25):
    """Experts and applications with shared organisations and registry links, so conflicts are common."""
    rng = random.Random(seed)
    pool = [
        Expert(
            id=f"e{i}",
            org=rng.choice(ORGS),
            fields=tuple(rng.sample(FIELDS, 2)),
            text=" ".join(rng.sample(FIELDS, 2)),
            related_enterprises=(f"a{rng.randrange(applications)}",) if rng.random() < 0.2 else (),
        )
        for i in range(experts)
    ]
    apps = [
        Application(
            id=f"a{j}",
            title=f"申请{j}",
            text=rng.choice(FIELDS),
            applicant_org=rng.choice(ORGS) + ("（广州分公司）" if rng.random() < 0.3 else ""),
            fields=(rng.choice(FIELDS),),
        )
        for j in range(applications)
    ]
    return pool, apps


def conflicted(expert: Expert, app: Application) -> bool:
    """The contract's conflicts, recomputed plainly: same organisation, or a registry link."""
    return same_org(expert.org, app.applicant_org) or app.id in expert.related_enterprises


@pytest.mark.parametrize("mode", ["optimal", "draw"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_assignments_never_cross_a_conflict_or_exceed_the_load(mode: str, seed: int) -> None:
    pool, apps = random_instance(seed)
    result = assign(pool, apps, per_app=3, max_load=2, mode=mode, seed=seed)
    experts = {e.id: e for e in pool}
    applications = {a.id: a for a in apps}
    for a in result.assignments:
        assert not conflicted(experts[a.expert], applications[a.application]), a
        assert a.reason
    assert max(Counter(a.expert for a in result.assignments).values()) <= 2
    pairs = [(a.application, a.expert) for a in result.assignments]
    assert len(pairs) == len(set(pairs)), "an expert reviews an application once"
    per_app = Counter(a.application for a in result.assignments)
    short = {s.application for s in result.unassigned}
    assert all(per_app[a.id] == 3 or a.id in short for a in apps)
    assert result.conflicts_avoided > 0


def test_a_draw_is_reproducible_from_its_seed_and_differs_with_another() -> None:
    pool, apps = random_instance(5)
    first = assign(pool, apps, per_app=3, max_load=3, mode="draw", seed=42)
    again = assign(pool, apps, per_app=3, max_load=3, mode="draw", seed=42)
    other = assign(pool, apps, per_app=3, max_load=3, mode="draw", seed=43)
    pairs = [(a.application, a.expert) for a in first.assignments]
    assert pairs == [(a.application, a.expert) for a in again.assignments]
    assert pairs != [(a.application, a.expert) for a in other.assignments]


def test_the_optimal_assignment_has_at_least_the_affinity_of_a_draw() -> None:
    pool, apps = random_instance(7)
    optimal = assign(pool, apps, per_app=2, max_load=2, mode="optimal")
    draw = assign(pool, apps, per_app=2, max_load=2, mode="draw", seed=7)
    assert len(optimal.assignments) >= len(draw.assignments)
    assert sum(a.affinity for a in optimal.assignments) >= sum(a.affinity for a in draw.assignments)


def test_a_declined_expert_is_replaced_and_never_drawn_again_for_that_application() -> None:
    pool, apps = random_instance(9)
    first = assign(pool, apps, per_app=3, max_load=3, mode="draw", seed=11)
    declined = (first.assignments[0].application, first.assignments[0].expert)
    second = assign(pool, apps, per_app=3, max_load=3, mode="draw", seed=11, declined=[declined])
    assert declined not in {(a.application, a.expert) for a in second.assignments}
    assert Counter(a.application for a in second.assignments)[declined[0]] == 3


def test_too_few_eligible_experts_is_explained_not_hidden() -> None:
    pool = [Expert(id="e1", org="甲视觉科技有限公司"), Expert(id="e2", org="中山大学")]
    apps = [Application(id="a1", title="视觉", applicant_org="甲视觉科技有限公司")]
    result = assign(pool, apps, per_app=2, max_load=1)
    assert [(a.application, a.expert) for a in result.assignments] == [("a1", "e2")]
    (short,) = result.unassigned
    assert short.application == "a1" and "回避" in short.reason


def test_five_or_more_reviewers_drop_the_highest_and_lowest_score() -> None:
    five = aggregate([90, 80, 85, 60, 99])
    assert five.score == Decimal("85.00") and five.dropped == (Decimal(60), Decimal(99))
    four = aggregate([90, 80, 85, 60])
    assert four.score == Decimal("78.75") and four.dropped == ()
    assert aggregate([95, 55, 90]).disagreement and not aggregate([80, 82, 81]).disagreement


PROGRAMME = """
id: ai-tech-matching
name: 技术对接补助
year: 2025
rate_percent: 30
cap_per_enterprise_yuan: 2000000
max_count: 10
budget_yuan: 20000000
"""


def applicants_csv(rows: list[tuple[str, int, int]]) -> str:
    return "applicant_id,name,cost_yuan,score\n" + "".join(f"{i},{i}公司,{c},{s}\n" for i, c, s in rows)


def test_each_amount_is_30_percent_under_the_cap_and_states_its_rule() -> None:
    programme = load_programme(PROGRAMME)
    result = allocate_by_rank(
        programme, read_applicants_csv(applicants_csv([("A", 5_200_000, 90), ("B", 9_000_000, 80)]))
    )
    a, b = result.awards
    assert (a.amount_fen, b.amount_fen) == (156_000_000, 200_000_000)
    assert "30% × 5,200,000 元 = 1,560,000 元" in a.rule
    assert "2,000,000" in b.rule and "上限" in b.rule


def test_at_most_ten_enterprises_a_year_in_rank_order() -> None:
    programme = load_programme(PROGRAMME.replace("20000000", "100000000"))
    rows = [(f"E{k:02d}", 1_000_000, 100 - k) for k in range(12)]
    result = allocate_by_rank(programme, read_applicants_csv(applicants_csv(rows)))
    funded = [a.applicant_id for a in result.awards if a.funded]
    assert funded == [f"E{k:02d}" for k in range(10)]
    assert all(a.amount_fen == 30_000_000 for a in result.awards if a.funded)


def test_the_budget_runs_out_and_the_last_award_is_what_remains() -> None:
    programme = load_programme(PROGRAMME.replace("20000000", "2500000"))
    rows = [("A", 5_000_000, 90), ("B", 5_000_000, 80), ("C", 5_000_000, 70)]
    result = allocate_by_rank(programme, read_applicants_csv(applicants_csv(rows)))
    assert [a.amount_fen for a in result.awards] == [150_000_000, 100_000_000, 0]
    assert sum(a.amount_fen for a in result.awards) == 250_000_000


def test_the_optimal_choice_never_breaks_the_budget_count_or_cap() -> None:
    programme = load_programme(PROGRAMME.replace("max_count: 10", "max_count: 3"))
    rng = random.Random(3)
    rows = [(f"E{k}", rng.randrange(100_000, 9_000_000), rng.randrange(60, 100)) for k in range(15)]
    best = allocate_optimal(programme, read_applicants_csv(applicants_csv(rows)))
    funded = [a for a in best.awards if a.funded]
    assert len(funded) <= 3 and sum(a.amount_fen for a in funded) <= 2_000_000_000
    assert all(a.amount_fen <= 200_000_000 for a in funded)


def test_an_enterprise_granted_earlier_this_year_takes_no_new_place() -> None:
    programme = load_programme(PROGRAMME.replace("max_count: 10", "max_count: 1"))
    table = (
        "applicant_id,name,cost_yuan,score,granted_yuan\n"
        "A,甲,1000000,90,300000\nB,乙,1000000,80,0\nC,丙,1000000,70,0\n"
    )
    applicants = read_applicants_csv(table)
    for result in (allocate_by_rank(programme, applicants), allocate_optimal(programme, applicants)):
        funded = {a.applicant_id: a.amount_fen for a in result.awards if a.funded}
        assert funded == {"A": 30_000_000, "B": 30_000_000}, result.method


@pytest.mark.parametrize("rate", ["rate: 0.3", "rate: 30%", "rate_percent: 30"])
def test_the_rate_may_be_written_as_a_fraction_or_a_percentage(rate: str) -> None:
    programme = load_programme(f"{rate}\ncap_per_enterprise_yuan: 2000000\nmax_count: 10\n")
    assert programme.rate_label == "30%" and programme.cap_fen == 200_000_000


def test_bad_programmes_and_tables_name_the_key_row_and_column() -> None:
    with pytest.raises(ProgrammeError, match="rate_percent"):
        load_programme("cap_per_enterprise_yuan: 2000000\n")
    with pytest.raises(ProgrammeError, match="eligibility"):
        load_programme("rate: 0.3\neligibility: {colour: red}\n")
    with pytest.raises(ApplicantsError) as caught:
        read_applicants_csv("applicant_id,cost_yuan,score\nA,12.345,90\nB,,80\n")
    where = {(e.row, e.column) for e in caught.value.errors}
    assert where == {(2, "cost_yuan"), (3, "cost_fen/cost_yuan")}


def test_an_xlsx_table_reads_like_the_csv(tmp_path) -> None:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["applicant_id", "name", "cost_yuan", "score"])
    sheet.append(["A", "甲", 5200000, 90])
    buffer = io.BytesIO()
    book.save(buffer)
    (applicant,) = read_applicants_xlsx(buffer.getvalue())
    assert (applicant.id, applicant.cost_fen, applicant.score) == ("A", 520_000_000, Decimal(90))


def test_the_engines_import_without_django_settings() -> None:
    code = "import lianzhang.reviews.engine, sys; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, env={"PATH": ""})
