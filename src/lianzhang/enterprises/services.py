"""Registry services: every page, API call, CLI command and test goes through these functions."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from lianzhang.accounts import audit
from lianzhang.accounts.models import Role
from lianzhang.accounts.permissions import Actor, guarded, in_area
from lianzhang.codes import credit_code_error, normalise_credit_code
from lianzhang.common.versioning import StaleEdit
from lianzhang.enterprises import tabular
from lianzhang.enterprises.models import Enterprise, NodeAssignment, Park
from lianzhang.enterprises.records import KNOWN_TAGS, EnterpriseRecord, YearFigures
from lianzhang.enterprises.writer import RegistryWriter
from lianzhang.regions.models import Region
from lianzhang.regions.services import district_of, resolve_division

# Fields an enterprise user may change on its own profile; recognitions and identity stay with officials.
ENTERPRISE_SELF_EDITABLE = frozenset({"short_name", "address", "business_scope", "products", "figures"})


class NotFound(Exception):
    """The record does not exist."""


@dataclass
class EnterpriseFilter:
    """The filters of the enterprise list, shared by the page, the API and exports."""

    q: str = ""
    division: str = ""
    node: str = ""
    tag: str = ""
    park: int | None = None
    ai: Literal["", "yes", "no"] = ""

    @classmethod
    def from_params(cls, params: Any) -> EnterpriseFilter:
        """Build a filter from a query-string mapping, ignoring malformed values."""
        park = params.get("park") or ""
        ai = params.get("ai") or ""
        return cls(
            q=(params.get("q") or "").strip()[:100],
            division=(params.get("division") or "").strip()[:12],
            node=(params.get("node") or "").strip()[:40],
            tag=(params.get("tag") or "").strip()[:30],
            park=int(park) if str(park).isdigit() else None,
            ai=ai if ai in {"yes", "no"} else "",
        )

    def as_params(self) -> dict[str, str]:
        """The non-empty filters as query-string parameters."""
        return {k: str(v) for k, v in dataclasses.asdict(self).items() if v not in ("", None)}


def visible_enterprises(actor: Actor) -> QuerySet[Enterprise]:
    """The enterprises the actor may see at all (the one scoping rule of the registry)."""
    qs = Enterprise.objects.all()
    if actor.role in {Role.CHAIN_OFFICE, Role.DEPARTMENT, Role.ADMIN}:
        return qs
    if actor.role == Role.DISTRICT and actor.region_code:
        return qs.filter(division__code__startswith=actor.region_code)
    if actor.role == Role.ENTERPRISE and actor.enterprise_id:
        return qs.filter(pk=actor.enterprise_id)
    return qs.none()


def _apply_filter(qs: QuerySet[Enterprise], flt: EnterpriseFilter) -> QuerySet[Enterprise]:
    if flt.q:
        qs = qs.filter(
            Q(name__icontains=flt.q)
            | Q(short_name__icontains=flt.q)
            | Q(credit_code__iexact=flt.q)
            | Q(products__icontains=flt.q)
        )
    if flt.division:
        qs = qs.filter(division__code__startswith=flt.division)
    if flt.node:
        qs = qs.filter(nodes__node=flt.node)
    if flt.tag:
        qs = qs.filter(tags__name=flt.tag)
    if flt.park:
        qs = qs.filter(park_id=flt.park)
    if flt.ai == "yes":
        qs = qs.filter(nodes__isnull=False)
    elif flt.ai == "no":
        qs = qs.filter(nodes__isnull=True)
    return qs.distinct() if (flt.node or flt.tag or flt.ai == "yes") else qs


@guarded("enterprise.list")
def list_enterprises(actor: Actor, flt: EnterpriseFilter | None = None) -> QuerySet[Enterprise]:
    """Enterprises visible to the actor, filtered, with division and tags ready for display."""
    qs = _apply_filter(visible_enterprises(actor), flt or EnterpriseFilter())
    return qs.select_related("division", "park").prefetch_related("tags", "nodes").order_by("name", "pk")


def _get_visible(actor: Actor, pk: int) -> Enterprise:
    try:
        enterprise = Enterprise.objects.select_related("division", "park").get(pk=pk)
    except Enterprise.DoesNotExist:
        raise NotFound(f"企业 {pk} 不存在") from None
    if not visible_enterprises(actor).filter(pk=pk).exists():
        raise PermissionDenied("该企业不在您的权限范围内")
    return enterprise


@guarded("enterprise.view")
def get_enterprise(actor: Actor, pk: int) -> Enterprise:
    """One enterprise the actor may see."""
    return _get_visible(actor, pk)


@guarded("enterprise.view")
def enterprise_detail(actor: Actor, pk: int) -> dict[str, Any]:
    """Profile, chain nodes with evidence, yearly figures and projects of one enterprise."""
    enterprise = _get_visible(actor, pk)
    return {
        "enterprise": enterprise,
        "tags": [t.name for t in enterprise.tags.all()],
        "nodes": list(enterprise.nodes.select_related("confirmed_by")),
        "years": list(enterprise.years.order_by("-year")),
        "projects": list(enterprise.projects.order_by("-submitted_on")),
        "can_edit": can_edit_enterprise(actor, enterprise),
        "can_confirm_nodes": actor.role in {Role.CHAIN_OFFICE, Role.ADMIN},
        "classification": enterprise.classifications.filter(chain="ai").first(),
    }


def can_edit_enterprise(actor: Actor, enterprise: Enterprise) -> bool:
    """Whether the actor may edit this enterprise (used to show or hide edit buttons)."""
    if actor.role in {Role.CHAIN_OFFICE, Role.ADMIN}:
        return True
    if actor.role == Role.DISTRICT:
        return in_area(actor, enterprise.division_id)
    return actor.role == Role.ENTERPRISE and actor.enterprise_id == enterprise.pk


def record_of(enterprise: Enterprise) -> EnterpriseRecord:
    """The enterprise as a plain record (for forms and exports), with its latest year's figures."""
    # Uses the prefetched years when the caller prefetched them (exports), one query otherwise.
    latest = max(enterprise.years.all(), key=lambda y: y.year, default=None)
    figures = []
    if latest is not None:
        figures.append(
            YearFigures(
                year=latest.year,
                revenue_fen=latest.revenue_fen,
                rd_spend_fen=latest.rd_spend_fen,
                employees=latest.employees,
                patents=latest.patents,
                ai_revenue_fen=latest.ai_revenue_fen,
            )
        )
    return EnterpriseRecord(
        credit_code=enterprise.credit_code,
        name=enterprise.name,
        division_code=enterprise.division_id,
        short_name=enterprise.short_name,
        address=enterprise.address,
        founded_on=enterprise.founded_on,
        registered_capital_fen=enterprise.registered_capital_fen,
        business_scope=enterprise.business_scope,
        products=enterprise.products,
        tags=[t.name for t in enterprise.tags.all()],
        park=enterprise.park.name if enterprise.park_id else "",
        figures=figures,
    )


def _validate_record(record: EnterpriseRecord) -> dict[str, str]:
    errors: dict[str, str] = {}
    record.credit_code = normalise_credit_code(record.credit_code)
    if reason := credit_code_error(record.credit_code):
        errors["credit_code"] = reason
    if not record.name.strip():
        errors["name"] = "企业名称不能为空"
    if not Region.objects.filter(pk=record.division_code).exists():
        errors["division_code"] = f"未知的行政区划代码 {record.division_code!r}"
    unknown = [t for t in record.tags if t not in KNOWN_TAGS]
    if unknown:
        errors["tags"] = f"未知标签 {'、'.join(unknown)}（可用：{'、'.join(KNOWN_TAGS)}）"
    if record.park and not Park.objects.filter(name=record.park).exists():
        errors["park"] = f"未登记的园区 {record.park!r}"
    return errors


@guarded("enterprise.create")
def create_enterprise(actor: Actor, record: EnterpriseRecord) -> Enterprise:
    """Register a new enterprise; raises ValidationError naming each bad field."""
    errors = _validate_record(record)
    if not errors and not in_area(actor, record.division_code):
        errors["division_code"] = "只能登记本辖区内的企业"
    if not errors and Enterprise.objects.filter(credit_code=record.credit_code).exists():
        errors["credit_code"] = "该统一社会信用代码已登记"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        writer = RegistryWriter(actor)
        (enterprise,) = writer.create([record])
        writer.flush()
    return Enterprise.objects.get(pk=enterprise.pk)


@guarded("enterprise.edit")
def update_enterprise(actor: Actor, pk: int, version: int, record: EnterpriseRecord) -> Enterprise:
    """Save an edit made on `version`; raises StaleEdit if someone saved in between."""
    enterprise = _get_visible(actor, pk)
    if not can_edit_enterprise(actor, enterprise):
        raise PermissionDenied("您无权修改该企业")
    if actor.role == Role.ENTERPRISE:
        # Keep the fields an enterprise may not change exactly as they are.
        current = record_of(enterprise)
        for name in (f.name for f in dataclasses.fields(EnterpriseRecord)):
            if name not in ENTERPRISE_SELF_EDITABLE and name != "source_row":
                setattr(record, name, getattr(current, name))
    errors = _validate_record(record)
    if record.credit_code != enterprise.credit_code:
        errors.setdefault("credit_code", "统一社会信用代码登记后不可修改")
    # Only a move is checked: an enterprise user has no area, and its division is kept as it is.
    moved = record.division_code != enterprise.division_id
    if "division_code" not in errors and moved and not in_area(actor, record.division_code):
        errors["division_code"] = "不能把企业移出本辖区"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        writer = RegistryWriter(actor)
        writer.update(enterprise, record, version)
        writer.flush()
    return Enterprise.objects.get(pk=pk)


@guarded("enterprise.delete")
def delete_enterprise(actor: Actor, pk: int, version: int) -> None:
    """Delete an enterprise without projects; refused when it changed since it was loaded."""
    enterprise = _get_visible(actor, pk)
    if enterprise.projects.exists():
        raise ValidationError("该企业有项目记录，不能删除；请先终止或转移项目")
    with transaction.atomic():
        deleted = Enterprise.objects.filter(pk=pk, version=version).delete()[0]
        if not deleted:
            raise ValidationError("该企业已被他人修改，请刷新后再删除")
        audit.record(actor, "delete", enterprise, audit.snapshot(enterprise))


@dataclass
class ImportReport:
    """What an import did, or would do: counts per outcome and every row error."""

    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_rows: list[int] = field(default_factory=list)
    errors: list[tabular.RowError] = field(default_factory=list)
    applied: bool = False
    file_error: str = ""

    @property
    def ok(self) -> bool:
        """True when the file had no errors at all."""
        return not self.errors and not self.file_error


LOOKUP_CHUNK = 5000  # keeps `IN (…)` lists under SQLite's bound-parameter limit


def _by_credit_code(codes: list[str]) -> dict[str, Enterprise]:
    """Registered enterprises for many credit codes, with tags and figures prefetched."""
    found: dict[str, Enterprise] = {}
    for start in range(0, len(codes), LOOKUP_CHUNK):
        chunk = Enterprise.objects.filter(credit_code__in=codes[start : start + LOOKUP_CHUNK])
        found.update((e.credit_code, e) for e in chunk.prefetch_related("tags", "years"))
    return found


def _area_errors(
    actor: Actor, records: list[EnterpriseRecord], existing: dict[str, Enterprise]
) -> list[tabular.RowError]:
    """Rows the actor may not write: outside its area, registered elsewhere, or in an unknown park."""
    parks = dict(Park.objects.values_list("name", "division_id"))
    errors = []
    for rec in records:
        row = rec.source_row or 0
        registered = existing.get(rec.credit_code)
        if not in_area(actor, rec.division_code):
            errors.append(tabular.RowError(row, "所在区划*", "不在您的管辖范围内", rec.division_code))
        elif registered is not None and not in_area(actor, registered.division_id):
            errors.append(
                tabular.RowError(row, "统一社会信用代码*", "该企业已登记在其他辖区", rec.credit_code)
            )
        elif rec.park and rec.park not in parks:
            errors.append(tabular.RowError(row, "所在园区", "未登记的园区", rec.park))
        elif rec.park and not in_area(actor, parks[rec.park]):
            errors.append(tabular.RowError(row, "所在园区", "该园区不在您的管辖范围内", rec.park))
    return errors


@guarded("enterprise.import")
def import_enterprises(
    actor: Actor,
    source: str | Path | BinaryIO,
    filename: str,
    *,
    apply: bool = True,
    skip_invalid: bool = False,
    max_bytes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a CSV/XLSX file: all-or-nothing by default, or skipping (and listing) invalid rows."""
    from django.conf import settings

    report = ImportReport()
    try:
        parsed = tabular.read_enterprise_file(
            source, filename, resolve_division, max_bytes=max_bytes or settings.MAX_UPLOAD_BYTES
        )
    except tabular.FileRejected as exc:
        report.file_error = str(exc)
        return report
    report.total_rows = parsed.total_rows
    existing = _by_credit_code([r.credit_code for r in parsed.records])
    errors = [*parsed.errors, *_area_errors(actor, parsed.records, existing)]
    report.errors = sorted(errors, key=lambda e: e.row)
    bad_rows = {e.row for e in report.errors}
    report.skipped_rows = sorted(bad_rows)
    if not apply or (report.errors and not skip_invalid):
        return report
    good = [r for r in parsed.records if r.source_row not in bad_rows]
    new = [r for r in good if r.credit_code not in existing]
    known = [r for r in good if r.credit_code in existing]
    try:
        with transaction.atomic():
            writer = RegistryWriter(actor)
            for start in range(0, len(new), 500):
                writer.create(new[start : start + 500])
                if progress:
                    progress(min(start + 500, len(new)), len(good))
            report.created = len(new)
            for done, rec in enumerate(known, start=len(new) + 1):
                if writer.update(existing[rec.credit_code], rec, None):
                    report.updated += 1
                else:
                    report.unchanged += 1
                if progress and (done % 200 == 0 or done == len(good)):
                    progress(done, len(good))
            writer.flush()
    except StaleEdit:
        report.created = report.updated = report.unchanged = 0
        report.file_error = "导入期间有企业被他人修改，本次导入未写入任何数据，请重新导入。"
        return report
    report.applied = True
    return report


@guarded("enterprise.export")
def export_enterprises(
    actor: Actor, flt: EnterpriseFilter | None, target: Path | BinaryIO, fmt: Literal["xlsx", "csv"]
) -> int:
    """Write the filtered list the actor can see to CSV or XLSX; returns the number of rows."""
    qs = list_enterprises(actor, flt).prefetch_related("years")
    count = 0

    def records() -> Iterable[EnterpriseRecord]:
        nonlocal count
        for enterprise in qs.iterator(chunk_size=500):
            count += 1
            yield record_of(enterprise)

    tabular.write_enterprise_file(records(), target, fmt)
    return count


@guarded("node.confirm")
def confirm_node(actor: Actor, enterprise_pk: int, node: str, *, chain: str = "ai") -> NodeAssignment:
    """Confirm (or add by hand) an enterprise's place on a chain node."""
    from django.utils import timezone

    from lianzhang.taxonomy import get_chain

    if chain not in actor.chains and actor.role != Role.ADMIN:
        raise PermissionDenied(f"您不负责产业链 {chain}")
    if node not in get_chain(chain).nodes:
        raise ValidationError({"node": f"产业链 {chain} 没有节点 {node!r}"})
    enterprise = _get_visible(actor, enterprise_pk)
    assignment, created = NodeAssignment.objects.get_or_create(
        enterprise=enterprise, chain=chain, node=node, defaults={"source": NodeAssignment.Source.MANUAL}
    )
    assignment.confirmed_by_id = actor.user_id
    assignment.confirmed_at = timezone.now()
    if created:
        assignment.confidence = 1.0
    assignment.save()
    audit.record(actor, "confirm_node", enterprise, {"node": [None, node], "created": created})
    return assignment


@guarded("dashboard.view")
def registry_summary(actor: Actor) -> dict[str, Any]:
    """Counts for the dashboard: by chain node, by district, by tag, and totals."""
    from lianzhang.taxonomy import get_chain

    qs = visible_enterprises(actor)
    chain = get_chain("ai")
    node_counts = dict(
        NodeAssignment.objects.filter(enterprise__in=qs, chain="ai")
        .values_list("node")
        .annotate(n=Count("enterprise", distinct=True))
    )
    by_node = [
        {"id": n.id, "name": n.name, "layer": n.layer, "count": node_counts.get(n.id, 0)}
        for n in chain.nodes.values()
    ]
    per_division = qs.values_list("division_id").annotate(n=Count("id"))
    district_counts: dict[str, int] = {}
    # A district officer's own area is one district: break it down by town instead.
    group = (lambda code: code) if actor.role == Role.DISTRICT else district_of
    for code, n in per_division:
        key = group(code)
        district_counts[key] = district_counts.get(key, 0) + n
    names = dict(Region.objects.filter(pk__in=district_counts).values_list("code", "full_name"))
    by_district = [
        {"code": code, "name": names.get(code, code), "count": n}
        for code, n in sorted(district_counts.items(), key=lambda item: -item[1])
    ]
    by_tag = [
        {"name": row["tags__name"], "count": row["n"]}
        for row in qs.filter(tags__isnull=False).values("tags__name").annotate(n=Count("id")).order_by("-n")
    ]
    total = qs.count()
    ai_total = qs.filter(nodes__chain="ai").distinct().count()
    return {
        "total": total,
        "ai_total": ai_total,
        "by_node": by_node,
        "by_district": by_district,
        "by_tag": by_tag,
    }


@guarded("enterprise.list")
def districts_in_registry(actor: Actor) -> list[Region]:
    """The districts (or towns, where a city has no districts) holding enterprises the actor can see."""
    divisions = visible_enterprises(actor).values_list("division_id", flat=True).distinct()
    codes = {district_of(code) for code in divisions}
    return list(Region.objects.filter(pk__in=codes).order_by("code"))


@guarded("park.list")
def list_parks(actor: Actor) -> QuerySet[Park]:
    """Parks with the number of enterprises the actor can see in each."""
    visible = visible_enterprises(actor)
    parks = Park.objects.select_related("division").order_by("name")
    if actor.role == Role.DISTRICT and actor.region_code:
        parks = parks.filter(division__code__startswith=actor.region_code)
    return parks.annotate(enterprise_count=Count("enterprise", filter=Q(enterprise__in=visible)))
