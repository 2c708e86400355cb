"""Demo data for the chain pages: a synthetic province reference, one stored analysis, a few leads."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from lianzhang.accounts.permissions import SYSTEM
from lianzhang.chains import services
from lianzhang.chains.models import STAGE_ORDER, ReferencePopulation
from lianzhang.chains.synthetic import population_batch
from lianzhang.common.chains import platform_chain

# Districts of other Guangdong cities (深圳, 珠海, 佛山, 惠州): the reference is the rest of the province.
REFERENCE_DISTRICTS = ("440303", "440304", "440305", "440402", "440604", "440606", "441302")
REFERENCE_RECORDS = 20_000
# (place on the list, district team, stage reached)
LEADS = ((0, "440106", "negotiation"), (1, "440111", "contact"), (2, "440106", "lead"))


def load_demo_chains(seed: int = 2023) -> None:
    """Import a synthetic reference, run the analysis and open a few leads, unless a reference exists."""
    if ReferencePopulation.objects.exists():
        return
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "province.parquet"
        table = population_batch(
            platform_chain("ai"),
            REFERENCE_RECORDS,
            seed=seed,
            id_prefix="91440000DM",
            districts=REFERENCE_DISTRICTS,
            name_suffix="（演示）",
        )
        pq.write_table(table, source)
        reference = services.import_reference(SYSTEM, source, "广东省人工智能企业（演示，合成数据）")
    analysis = services.run_analysis(SYSTEM, reference.pk, top=50)
    for place, team, stage in LEADS:
        if place >= len(analysis.candidates):
            break
        c = analysis.candidates[place]
        candidate = services.claim_candidate(
            SYSTEM, services.CandidateInput(c["id"], c["name"], c["node"], team, c["score"], c["reason"])
        )
        for step in STAGE_ORDER[1 : STAGE_ORDER.index(stage) + 1]:
            candidate = services.advance_candidate(SYSTEM, candidate.pk, candidate.version, step)
        if place == 0:
            services.record_referral(
                SYSTEM, candidate.pk, ambassador="陈招商（演示）", organisation="省人工智能产业协会",
                referred_on=date(2025, 3, 18),
            )  # fmt: skip
