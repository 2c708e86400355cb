"""Speed of review assignment (2,000 applications × 10,000 experts, 3 each, conflicts) and subsidy allocation.

    .venv/bin/python benchmarks/review_assign.py [--applications 2000] [--experts 10000]

Prints seconds for the optimal (min-cost flow) and draw modes, with conflict computation included, and
for a plain greedy baseline in the same run (every pair scored in Python, best pairs first); then the
time to allocate a 5,000-applicant subsidy programme by rank.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from collections import Counter

from lianzhang.reviews.engine import (
    Application,
    Expert,
    allocate_by_rank,
    assign,
    load_programme,
    read_applicants_csv,
    same_org,
)

FIELDS = [f"field{k}" for k in range(40)]
ORGS = [f"第{k}研究院" for k in range(300)] + [f"企业{k}有限公司" for k in range(700)]


def instance(n_apps: int, n_experts: int, seed: int = 1) -> tuple[list[Expert], list[Application]]:
    rng = random.Random(seed)
    experts = [
        Expert(
            id=f"e{i}",
            org=rng.choice(ORGS),
            fields=tuple(rng.sample(FIELDS, 3)),
            text=" ".join(rng.sample(FIELDS, 4)),
            related_enterprises=tuple(f"a{rng.randrange(n_apps)}" for _ in range(rng.choice((0, 0, 1, 2)))),
        )
        for i in range(n_experts)
    ]
    apps = [
        Application(
            id=f"a{j}",
            title=f"申请{j}",
            text=" ".join(rng.sample(FIELDS, 3)),
            applicant_org=rng.choice(ORGS),
            fields=tuple(rng.sample(FIELDS, 2)),
        )
        for j in range(n_apps)
    ]
    return experts, apps


def greedy_baseline(experts: list[Expert], apps: list[Application], per_app: int, max_load: int) -> int:
    """Score every pair by shared fields, then take the best pairs that break no conflict or load."""
    pairs = []
    for a in apps:
        wanted = set(a.fields)
        for e in experts:
            if same_org(e.org, a.applicant_org) or a.id in e.related_enterprises:
                continue
            overlap = len(wanted & set(e.fields))
            if overlap:
                pairs.append((overlap, a.id, e.id))
    pairs.sort(reverse=True)
    load: Counter[str] = Counter()
    got: Counter[str] = Counter()
    for _, app_id, expert_id in pairs:
        if got[app_id] < per_app and load[expert_id] < max_load:
            got[app_id] += 1
            load[expert_id] += 1
    return sum(got.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--experts", type=int, default=10000)
    parser.add_argument("--baseline-applications", type=int, default=200, help="the baseline is slow")
    args = parser.parse_args()
    experts, apps = instance(args.applications, args.experts)
    print(f"{len(apps):,} applications × {len(experts):,} experts, 3 reviewers each, at most 3 per expert")
    for mode in ("optimal", "draw"):
        start = time.perf_counter()
        result = assign(experts, apps, per_app=3, max_load=3, mode=mode, seed=7)
        seconds = time.perf_counter() - start
        print(
            f"  {mode:8s} {seconds:6.1f} s: {len(result.assignments):,} assignments, "
            f"{len(result.unassigned)} short, {result.conflicts_avoided:,} conflicts avoided"
        )
    n = args.baseline_applications
    start = time.perf_counter()
    made = greedy_baseline(experts, apps[:n], 3, 3)
    seconds = time.perf_counter() - start
    print(
        f"  greedy baseline over all pairs: {n} applications in {seconds:.1f} s ({made} assignments) "
        f"= about {seconds * len(apps) / n:.0f} s for all {len(apps):,}"
    )
    rng = random.Random(2)
    rows = "".join(
        f"E{k},企业{k},{rng.randrange(100_000, 20_000_000)},{rng.randrange(50, 100)}\n" for k in range(5000)
    )
    table = read_applicants_csv("applicant_id,name,cost_yuan,score\n" + rows)
    programme = load_programme(
        "rate: 0.3\ncap_per_enterprise_yuan: 2000000\nmax_count: 10\nbudget_yuan: 15000000\n"
    )
    start = time.perf_counter()
    allocation = allocate_by_rank(programme, table)
    seconds = time.perf_counter() - start
    funded = sum(a.funded for a in allocation.awards)
    print(f"subsidy allocation by rank, 5,000 applicants: {seconds * 1000:.0f} ms ({funded} funded)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
