"""Division lookups shared by forms, imports and reports."""

from __future__ import annotations

from django.db.models import QuerySet

from lianzhang.accounts.models import Role
from lianzhang.accounts.permissions import Actor, guarded
from lianzhang.regions.divisions import default_directory
from lianzhang.regions.models import Region


def resolve_division(text: str) -> tuple[str | None, str | None]:
    """Resolve a division code or name to a registered code, or explain why it cannot be."""
    division, reason = default_directory().resolve_or_error(text)
    if division is None:
        return None, reason
    if not Region.objects.filter(pk=division.code).exists():
        return None, f"区划 {division.full_name} 不在本平台的服务范围内"
    return division.code, None


def district_of(code: str) -> str:
    """The district a division counts under: its county, or its town where the city has no counties."""
    county = code[:6]
    # 东莞 and 中山 have no districts: their single county-level code ends in 00 and towns report directly.
    if county.endswith("00") and len(code) > 6:
        return code[:9]
    return county


@guarded("region.list")
def divisions_for(actor: Actor, *, levels: tuple[str, ...] = ("county", "town")) -> QuerySet[Region]:
    """Divisions the actor may file records under (district officers: their own area)."""
    qs = Region.objects.filter(level__in=levels)
    if actor.role == Role.DISTRICT and actor.region_code:
        qs = qs.filter(code__startswith=actor.region_code)
    return qs.order_by("code")
