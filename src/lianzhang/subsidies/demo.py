"""A demo 择优支持 programme made through the services (invented figures; the rule follows the
Dongguan plan's 专栏5: 30% of the cost, at most 2,000,000 yuan a firm a year, at most 10 firms a year)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lianzhang.accounts.permissions import SYSTEM
from lianzhang.enterprises.models import Enterprise
from lianzhang.subsidies import services
from lianzhang.subsidies.models import Programme

DEMO_NAME = "人工智能技术合作项目择优支持（演示）"
DEMO_YEAR = 2025
FIRST_ROUND = 6  # applications decided and published in the first batch; the rest wait for the second
APPLICANTS = 25
WORK = ("视觉质检联合研发", "智能排产系统采购", "语音客服系统改造", "设备预测性维护", "仓储机器人集成")


def _ranked(enterprises: list[Enterprise], start: int) -> list[dict]:
    rows = []
    for i, enterprise in enumerate(enterprises, start=start):
        # Invented but varied: costs from 1.8 to 8.8 million yuan, scores from 58 to 97.
        cost_yuan = 1_800_000 + (i * 1_370_000) % 7_000_000
        rows.append(
            {
                "enterprise_id": enterprise.pk,
                "title": f"{WORK[i % len(WORK)]}（演示）",
                "requested_fen": cost_yuan * 100,
                "score": Decimal(97 - (i * 7) % 40) - Decimal("0.5") * (i % 2),
            }
        )
    rows.sort(key=lambda r: -r["score"])
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def load_demo_subsidies() -> None:
    """Load the demo programme once: a confirmed first batch with its 公示, and a second batch pending."""
    if Programme.objects.filter(name=DEMO_NAME).exists():
        return
    enterprises = list(
        Enterprise.objects.filter(nodes__isnull=False).distinct().order_by("credit_code")[:APPLICANTS]
    )
    if len(enterprises) < APPLICANTS:
        return
    programme = services.create_programme(
        SYSTEM,
        services.ProgrammeInput(
            name=DEMO_NAME,
            year=DEMO_YEAR,
            rate_bp=3000,
            cap_fen=2_000_000 * 100,
            max_count=10,
            budget_fen=15_000_000 * 100,
            eligibility={"min_score": "60", "min_age_years": 1},
            basis=(
                "支持本地企业与人工智能技术企业开展项目合作，联合进行产品研发或购买技术解决方案的，"
                "择优按企业采购技术服务或投入研发所产生的费用的30%给予补贴，每家企业每年不超过200万，"
                "每年支持不超过10家企业。（演示数据，依据东莞市新一代人工智能产业发展规划专栏5编写）"
            ),
        ),
    )
    programme = services.set_programme_status(SYSTEM, programme.pk, programme.version, "open")
    first = _ranked(enterprises[:FIRST_ROUND], 0)
    services.add_ranked_applicants(SYSTEM, programme.pk, first, source="专家评审第1轮")
    run = services.run_allocation(SYSTEM, programme.pk, "rank")
    services.confirm_run(SYSTEM, run.pk, run.version, date(2025, 11, 3), date(2025, 11, 10))
    second = _ranked(enterprises[FIRST_ROUND:], FIRST_ROUND)
    services.add_ranked_applicants(SYSTEM, programme.pk, second, source="专家评审第2轮")
