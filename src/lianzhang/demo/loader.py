"""Load the synthetic demo registry and one login per role into the database (idempotent)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from lianzhang.accounts.models import Department, Role
from lianzhang.accounts.permissions import SYSTEM
from lianzhang.accounts.services import NewUser, create_user
from lianzhang.chains.demo import load_demo_chains
from lianzhang.common.chains import platform_chain
from lianzhang.demo.generator import NodeSpec, PlaceSpec, generate
from lianzhang.enterprises.models import (
    Enterprise,
    Park,
    Project,
    ProjectStatusChange,
)
from lianzhang.enterprises.writer import RegistryWriter
from lianzhang.evaluation.demo import load_demo_evaluation
from lianzhang.opendata.demo import load_demo_opendata
from lianzhang.plans.demo import load_demo_plan
from lianzhang.regions.models import Region
from lianzhang.reviews.demo import load_demo_reviews
from lianzhang.scenarios.demo import load_demo_scenarios
from lianzhang.subsidies.demo import load_demo_subsidies

DEMO_PASSWORD = "lianzhang-demo"
DEMO_CITIES = ("4401", "4419", "4420")  # 广州, 东莞, 中山
# The district officers' areas: 天河区 and, in a city without districts, 松山湖.
HOME_DISTRICT = "440106"
OTHER_DISTRICT = "441900401"
DEPARTMENTS = (
    ("科学技术局", "科技局"),
    ("工业和信息化局", "工信局"),
    ("发展和改革委员会", "发改委"),
    ("商务局", "商务局"),
    ("政务服务数据管理局", "政数局"),
)
BATCH = 1000
TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class DemoSummary:
    """What `ensure_demo` found or created."""

    enterprises: int = 0
    projects: int = 0
    parks: int = 0
    created: bool = False
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def describe(self) -> str:
        """One line for the command line."""
        state = "已生成" if self.created else "已存在"
        counts = f"企业 {self.enterprises} 家，项目 {self.projects} 个，园区 {self.parks} 个"
        return f"演示数据{state}：{counts}（均为虚构）"


def _places() -> list[PlaceSpec]:
    towns = Region.objects.filter(level=Region.Level.TOWN, code__regex=r"^(4401|4419|4420)").select_related(
        "parent"
    )
    places = []
    for town in towns.order_by("code"):
        county = town.parent
        city = Region.objects.get(pk=town.code[:4]).name
        prefix = county.name if county and county.name != city else ""
        places.append(PlaceSpec(code=town.code, name=f"{prefix}{town.name}", city=city))
    return places


def _nodes() -> list[NodeSpec]:
    return [
        NodeSpec(id=n.id, name=n.name, layer=n.layer, keywords=n.keywords)
        for n in platform_chain().nodes.values()
    ]


def _at(day) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=TZ)


def _load_departments() -> None:
    for city_code in DEMO_CITIES:
        city = Region.objects.get(pk=city_code)
        for full, short in DEPARTMENTS:
            Department.objects.get_or_create(
                city=city,
                name=f"{city.name}{full}",
                defaults={
                    "short_name": f"市{short}",
                    "aliases": f"市{full}\n市{short}\n{city.name[:-1]}市{short}",
                },
            )


def _load_registry(n_enterprises: int, seed: int, progress: Callable[[int, int], None] | None) -> None:
    data = generate(_nodes(), _places(), n_enterprises=n_enterprises, seed=seed)
    Park.objects.bulk_create(
        [
            Park(
                name=p.name,
                division_id=p.division_code,
                description=p.description,
                focus_nodes=",".join(p.nodes),
            )
            for p in data.parks
        ]
    )
    # The same writer as imports: enterprises, tags, figures, an audit entry each, and the chain
    # classification the engine gives their business scope (the generator's own labels are not used).
    writer = RegistryWriter(SYSTEM)
    total = len(data.enterprises)
    for start in range(0, total, BATCH):
        chunk = data.enterprises[start : start + BATCH]
        rows = writer.create([d.record for d in chunk])
        _load_projects(rows, chunk)
        writer.flush()
        if progress:
            progress(min(start + BATCH, total), total)


def _load_projects(rows: list[Enterprise], chunk: list) -> None:
    pairs = [(row, p) for row, d in zip(rows, chunk, strict=True) for p in d.projects]
    projects = Project.objects.bulk_create(
        [
            Project(
                enterprise_id=row.pk,
                name=p.name,
                type=p.type,
                budget_fen=p.budget_fen,
                status=p.status,
                description=p.description,
                submitted_on=p.history[0][1],
            )
            for row, p in pairs
        ]
    )
    if projects and projects[0].pk is None:
        ids = {
            (e, n): pk
            for e, n, pk in Project.objects.filter(enterprise__in=rows).values_list(
                "enterprise_id", "name", "pk"
            )
        }
        for project in projects:
            project.pk = ids[(project.enterprise_id, project.name)]
    ProjectStatusChange.objects.bulk_create(
        [
            ProjectStatusChange(
                project_id=project.pk,
                from_status=p.history[i - 1][0] if i else "",
                to_status=status,
                at=_at(day),
            )
            for project, (_, p) in zip(projects, pairs, strict=True)
            for i, (status, day) in enumerate(p.history)
        ]
    )


def _persona_enterprise() -> Enterprise:
    """A well-filled AI enterprise in the home district, for the enterprise persona."""
    candidates = (
        Enterprise.objects.filter(
            division__code__startswith=HOME_DISTRICT, nodes__isnull=False, projects__isnull=False
        )
        .distinct()
        .order_by("credit_code")
    )
    return candidates.first() or Enterprise.objects.order_by("credit_code").first()


def _ensure_users() -> list[tuple[str, str, str]]:
    department = Department.objects.get(city_id="4401", name="广州市科学技术局")
    enterprise = _persona_enterprise()
    home = Region.objects.get(pk=HOME_DISTRICT)
    other = Region.objects.get(pk=OTHER_DISTRICT)
    personas = [
        NewUser("chain", DEMO_PASSWORD, Role.CHAIN_OFFICE, "链长办演示用户"),
        NewUser("dept", DEMO_PASSWORD, Role.DEPARTMENT, "科技局演示用户", department_id=department.pk),
        NewUser("district", DEMO_PASSWORD, Role.DISTRICT, "天河区演示用户", region_code=home.code),
        NewUser("district2", DEMO_PASSWORD, Role.DISTRICT, "松山湖演示用户", region_code=other.code),
        NewUser("enterprise", DEMO_PASSWORD, Role.ENTERPRISE, "企业演示用户", enterprise_id=enterprise.pk),
        NewUser("expert", DEMO_PASSWORD, Role.EXPERT, "专家演示用户"),
        NewUser("admin", DEMO_PASSWORD, Role.ADMIN, "管理员演示用户"),
    ]
    scopes = {
        "chain": "全部产业链企业与项目",
        "dept": department.name,
        "district": home.full_name,
        "district2": other.full_name,
        "enterprise": enterprise.name,
        "expert": "分配给本人的评审",
        "admin": "用户、角色、设置与分类体系（/admin/）",
    }
    existing = set(get_user_model().objects.values_list("username", flat=True))
    for persona in personas:
        if persona.username not in existing:
            create_user(SYSTEM, persona)
    labels = dict(Role.choices)
    return [(p.username, labels[p.role], scopes[p.username]) for p in personas]


def ensure_demo(
    *, n_enterprises: int = 3000, seed: int = 2023, progress: Callable[[int, int], None] | None = None
) -> DemoSummary:
    """Load the demo registry if the database has none, then make sure every persona exists."""
    summary = DemoSummary()
    with transaction.atomic():
        _load_departments()
        if not Enterprise.objects.exists():
            _load_registry(n_enterprises, seed, progress)
            summary.created = True
        summary.logins = _ensure_users()
        load_demo_plan()
        load_demo_evaluation(seed)
        load_demo_chains(seed)
        load_demo_scenarios()
        load_demo_reviews()
        load_demo_subsidies()
        load_demo_opendata()
    summary.enterprises = Enterprise.objects.count()
    summary.projects = Project.objects.count()
    summary.parks = Park.objects.count()
    return summary
