"""Live figures a plan target can follow: counts the platform keeps itself, for the plan's city."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from lianzhang.enterprises.models import Enterprise, Park, Project
from lianzhang.enterprises.records import KNOWN_TAGS
from lianzhang.scenarios.models import Cooperation, Scenario


def _enterprises(city: str):
    return Enterprise.objects.filter(division__code__startswith=city)


def _ai_enterprises(city: str) -> int:
    # An enterprise is on the chain when the classifier says so or an officer placed it on a node.
    on_chain = Q(classifications__chain="ai", classifications__is_ai_chain=True) | Q(nodes__chain="ai")
    return _enterprises(city).filter(on_chain).distinct().count()


def _tagged(tag: str) -> Callable[[str], int]:
    return lambda city: _enterprises(city).filter(tags__name=tag).distinct().count()


def _scenarios(*statuses: str) -> Callable[[str], int]:
    return lambda city: Scenario.objects.filter(division__code__startswith=city, status__in=statuses).count()


def _matched_manufacturers(city: str) -> int:
    # 专栏5 counts local manufacturers served, not cooperations: one firm with two suppliers counts once.
    rows = Cooperation.objects.filter(manufacturer__division__code__startswith=city)
    return rows.values("manufacturer").distinct().count()


def _projects(status: str) -> Callable[[str], int]:
    return lambda city: Project.objects.filter(
        enterprise__division__code__startswith=city, status=status
    ).count()


# key → (label, unit, counter of the city given as a division-code prefix)
FIGURES: dict[str, tuple[str, str, Callable[[str], int]]] = {
    "ai_enterprises": ("企业库中的人工智能产业链企业数", "家", _ai_enterprises),
    "enterprises": ("企业库登记企业数", "家", lambda city: _enterprises(city).count()),
    "parks": ("产业园区数", "个", lambda city: Park.objects.filter(division__code__startswith=city).count()),
    "accepted_projects": ("已验收项目数", "个", _projects("accepted")),
    "approved_projects": ("已立项项目数", "个", _projects("approved")),
    "published_scenarios": (
        "已发布的应用场景数（含已遴选、签约、验收）",
        "个",
        _scenarios("published", "selected", "contracted", "accepted", "demonstration"),
    ),
    "demonstration_scenarios": ("已验收的示范应用场景数", "个", _scenarios("accepted", "demonstration")),
    "matched_manufacturers": ("技术对接服务的本地制造企业数", "家", _matched_manufacturers),
    **{f"tag:{tag}": (f"企业库中“{tag}”企业数", "家", _tagged(tag)) for tag in KNOWN_TAGS},
}

# Units a count can stand for; a target in 亿元 or % cannot follow a count of firms.
COUNT_UNITS = frozenset({"家", "个", "项", "户", "所", "座", "条", "款", "件", "名", "人", ""})


def choices() -> list[tuple[str, str]]:
    """(key, label) of every live figure, for forms."""
    return [(key, label) for key, (label, _, _) in FIGURES.items()]


def label(key: str) -> str:
    """The Chinese label of a live figure, or the key itself when unknown."""
    return FIGURES[key][0] if key in FIGURES else key


def value(key: str, city_code: str) -> int:
    """The figure's value now, for the city (a division-code prefix such as 4401)."""
    return FIGURES[key][2](city_code)


def fits_unit(key: str, unit: str) -> bool:
    """Whether a target written in `unit` can follow the figure (counts follow count units only)."""
    return key in FIGURES and unit.strip() in COUNT_UNITS
