"""Demo evaluation data: the default frameworks, synthetic reported values, and runs for two years."""

from __future__ import annotations

import random

from django.db.models import Max

from lianzhang.accounts.permissions import SYSTEM
from lianzhang.enterprises.models import EnterpriseYear
from lianzhang.evaluation import services
from lianzhang.evaluation.models import EvaluationRun
from lianzhang.regions.models import Region

DEMO_CITY = "4401"
# Plausible ranges for the reported district indicators (synthetic; clearly demo data).
REPORTED_RANGES = {
    "compute_power": (5, 400),
    "public_platforms": (1, 25),
    "innovation_centres": (2, 60),
    "smart_factory_rate": (15, 70),
    "policy_funds": (500, 30000),
    "ai_talent": (800, 60000),
    "approval_days": (12, 60),
}


def load_demo_evaluation(seed: int = 2023) -> None:
    """Install frameworks, report demo values for Guangzhou's districts and run the evaluations once."""
    services.ensure_default_frameworks()
    if EvaluationRun.objects.exists():
        return
    latest = EnterpriseYear.objects.aggregate(latest=Max("year"))["latest"]
    if latest is None:
        return
    rng = random.Random(seed)
    districts = list(
        Region.objects.filter(parent_id=DEMO_CITY, level=Region.Level.COUNTY).values_list("code", flat=True)
    )
    # A fixed strength per district so the two years are related, as real districts are.
    strength = {code: rng.uniform(0.2, 1.0) for code in districts}
    indicators = list(REPORTED_RANGES)
    for year in (latest - 1, latest):
        growth = 1.0 if year == latest else 0.85
        lines = [",".join(["id", *indicators])]
        for code in districts:
            cells = []
            for indicator in indicators:
                lo, hi = REPORTED_RANGES[indicator]
                share = min(1.0, max(0.0, strength[code] + rng.gauss(0, 0.12)))
                if indicator == "approval_days":  # a cost: strong districts approve faster
                    cells.append(round((lo + (hi - lo) * (1 - share)) / growth, 1))
                else:
                    cells.append(round((lo + (hi - lo) * share) * growth, 1))
            lines.append(",".join([code, *map(str, cells)]))
        # Through the import service, so the demo values are audited like any reported values.
        services.import_values(SYSTEM, "district", year, "\n".join(lines).encode(), "演示数据（合成）.csv")
    for year in (latest - 1, latest):
        services.run_evaluation(SYSTEM, "district-ai", year, DEMO_CITY)
    services.run_evaluation(SYSTEM, "enterprise-merit", latest, DEMO_CITY, {"draws": 500})
