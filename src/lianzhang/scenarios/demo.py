"""Demo scenarios and supplier profiles, made through the services (fictitious, written for the demo)."""

from __future__ import annotations

from datetime import date

from lianzhang.accounts.permissions import SYSTEM
from lianzhang.enterprises.models import Enterprise
from lianzhang.scenarios import services
from lianzhang.scenarios.models import Scenario, SupplierProfile

DEMO_PROFILES = 60  # AI enterprises of the demo registry that get a checked capability profile

# (title, problem as a manufacturer or office would write it, budget in yuan, steps to take)
DEMO_SCENARIOS = (
    (
        "五金件外观检测（演示）",
        "冲压五金件靠人工目检，划痕、压伤经常漏检，返工和客诉多。",
        800_000,
        "publish",
    ),
    (
        "注塑车间设备停机预警（演示）",
        "两百台注塑机经常突然停机，只能坏了再修，备件库存压资金。",
        1_200_000,
        "publish",
    ),
    (
        "成品仓盘点提速（演示）",
        "月底盘点要停发货一天，人工点数账实不符，错发漏发时有发生。",
        600_000,
        "publish",
    ),
    (
        "售后热线排队（演示）",
        "家电售后热线高峰排队十几分钟，大量重复咨询占用客服。",
        500_000,
        "publish",
    ),
    (
        "社区独居老人看护（演示）",
        "社区独居老人夜间摔倒无人知晓，网格员上门频次有限。",
        300_000,
        "demonstration",
    ),
    (
        "路口早晚高峰拥堵（演示）",
        "新城主干道几个路口早晚高峰排长队，信号灯配时固定不变。",
        2_000_000,
        "review",
    ),
    (
        "门诊病历书写负担（演示）",
        "门诊量大，医生一半时间在写病历，患者候诊时间长。",
        900_000,
        "draft",
    ),
)


def _profiles() -> None:
    enterprises = (
        Enterprise.objects.filter(nodes__isnull=False)
        .exclude(products="")
        .distinct()
        .order_by("credit_code")[:DEMO_PROFILES]
    )
    for enterprise in enterprises:
        profile = services.save_supplier_profile(
            SYSTEM,
            enterprise.pk,
            services.ProfileInput(
                products=enterprise.products,
                solutions=enterprise.business_scope[:500],
                case_count=enterprise.pk % 30,
                nodes=list(enterprise.nodes.values_list("node", flat=True)),
            ),
        )
        services.check_supplier_profile(SYSTEM, profile.pk, profile.version)


def load_demo_scenarios() -> None:
    """Load the demo scenarios and profiles once (nothing happens when scenarios exist)."""
    if Scenario.objects.exists() or not Enterprise.objects.exists():
        return
    if not SupplierProfile.objects.exists():
        _profiles()
    owners = list(Enterprise.objects.order_by("-credit_code")[: len(DEMO_SCENARIOS)])
    for (title, text, budget, goal), owner in zip(DEMO_SCENARIOS, owners, strict=False):
        scenario = services.create_scenario(
            SYSTEM,
            services.ScenarioInput(
                title=title,
                description=text,
                division_code=owner.division_id,
                budget_fen=budget * 100,
                deadline=date(2026, 12, 31),
                owner_name=owner.name,
            ),
        )
        if goal == "draft":
            continue
        scenario = services.submit_scenario(SYSTEM, scenario.pk, scenario.version)
        if goal == "review":
            continue
        scenario = services.review_scenario(SYSTEM, scenario.pk, scenario.version, True)
        scenario = services.publish_scenario(SYSTEM, scenario.pk, scenario.version)
        if goal == "demonstration":
            supplier = SupplierProfile.objects.order_by("pk").first()
            if supplier is None:
                continue
            bidder = _as_enterprise(supplier.enterprise_id)
            solution = "毫米波跌倒检测与远程看护平台"
            application = services.apply_to_scenario(bidder, scenario.pk, solution, budget * 80)
            services.select_application(SYSTEM, scenario.pk, scenario.version, {application.pk: 90})
            scenario.refresh_from_db()
            scenario = services.contract_scenario(SYSTEM, scenario.pk, scenario.version, [("试点上线", None)])
            services.complete_milestone(SYSTEM, scenario.milestones.get().pk, date(2025, 9, 30))
            scenario = services.accept_scenario(SYSTEM, scenario.pk, scenario.version, date(2025, 10, 15))
            services.count_as_demonstration(SYSTEM, scenario.pk, scenario.version)


def _as_enterprise(enterprise_id: int):
    from lianzhang.accounts.models import Role
    from lianzhang.accounts.permissions import Actor

    return Actor(user_id=None, username="演示企业", role=Role.ENTERPRISE, enterprise_id=enterprise_id)
