"""Writing validated enterprise records to the registry, fast enough for imports of many thousands."""

from __future__ import annotations

from typing import Any

from lianzhang.accounts import audit
from lianzhang.accounts.models import AuditEntry
from lianzhang.accounts.permissions import Actor
from lianzhang.enterprises.classification import apply_classifications
from lianzhang.enterprises.models import Enterprise, EnterpriseYear, Park, Tag
from lianzhang.enterprises.records import EnterpriseRecord, YearFigures

# Edits to these fields change what the classifier reads, so they trigger a new classification.
CLASSIFIED_FIELDS = frozenset({"name", "business_scope", "products"})
FIGURE_FIELDS = ("revenue_fen", "rd_spend_fen", "employees", "patents", "ai_revenue_fen")


class RegistryWriter:
    """Writes validated records: new enterprises in batches, changed ones one by one, unchanged not at all.

    Imports of thousands of rows spend their time here, so lookups (parks, tags) are loaded once and
    new rows, their tags, figures and audit entries go to the database with bulk inserts.
    """

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.park_ids = dict(Park.objects.values_list("name", "pk"))
        self.tags = {tag.name: tag for tag in Tag.objects.all()}
        self.audit: list = []

    def _tag(self, name: str) -> Tag:
        if name not in self.tags:
            self.tags[name] = Tag.objects.get_or_create(name=name)[0]
        return self.tags[name]

    def _values(self, record: EnterpriseRecord) -> dict[str, Any]:
        return {
            "credit_code": record.credit_code,
            "name": record.name.strip(),
            "short_name": record.short_name.strip(),
            "division_id": record.division_code,
            "address": record.address.strip(),
            "founded_on": record.founded_on,
            "registered_capital_fen": record.registered_capital_fen,
            "business_scope": record.business_scope.strip(),
            "products": record.products.strip(),
            "park_id": self.park_ids.get(record.park) if record.park else None,
        }

    def create(self, records: list[EnterpriseRecord]) -> list[Enterprise]:
        """Insert new enterprises with their tags and figures."""
        rows = [Enterprise(**self._values(r)) for r in records]
        Enterprise.objects.bulk_create(rows, batch_size=500)
        if rows and rows[0].pk is None:  # backends that cannot return ids from bulk inserts
            ids = dict(
                Enterprise.objects.filter(credit_code__in=[r.credit_code for r in rows]).values_list(
                    "credit_code", "pk"
                )
            )
            for row in rows:
                row.pk = ids[row.credit_code]
        through = Enterprise.tags.through
        through.objects.bulk_create(
            [
                through(enterprise_id=row.pk, tag_id=self._tag(t).pk)
                for row, r in zip(rows, records, strict=True)
                for t in r.tags
            ],
            batch_size=1000,
        )
        EnterpriseYear.objects.bulk_create(
            [
                EnterpriseYear(enterprise_id=row.pk, year=f.year, **{k: getattr(f, k) for k in FIGURE_FIELDS})
                for row, r in zip(rows, records, strict=True)
                for f in r.figures
            ],
            batch_size=1000,
        )
        for row, r in zip(rows, records, strict=True):
            self.audit.append(audit.entry(self.actor, "create", row, {**self._values(r), "tags": r.tags}))
        apply_classifications(rows)
        return rows

    def update(self, enterprise: Enterprise, record: EnterpriseRecord, version: int | None) -> bool:
        """Apply a record to an existing enterprise; returns whether anything changed."""
        values = self._values(record)
        # Raw values, not audit.snapshot(): the snapshot turns dates into text, which never equals the
        # record's date and would report every re-imported founding date as changed.
        before = {name: getattr(enterprise, name) for name in values}
        changes = audit.diff(before, values)
        before_tags = sorted(t.name for t in enterprise.tags.all())
        if sorted(record.tags) != before_tags:
            changes["tags"] = [before_tags, sorted(record.tags)]
        if version is not None:
            # The editor's version, not the one just loaded, decides whether the edit is stale.
            enterprise.version = version
        if changes or version is not None:
            for name, value in values.items():
                setattr(enterprise, name, value)
            enterprise.save()
            if "tags" in changes:
                enterprise.tags.set([self._tag(t) for t in record.tags])
        if CLASSIFIED_FIELDS & changes.keys() or not enterprise.classifications.exists():
            apply_classifications([enterprise])
        changes.update(self._update_figures(enterprise, record.figures))
        if changes:
            self.audit.append(audit.entry(self.actor, "update", enterprise, changes))
        return bool(changes)

    def _update_figures(self, enterprise: Enterprise, figures: list[YearFigures]) -> dict[str, Any]:
        years = {row.year: row for row in enterprise.years.all()}
        changes: dict[str, Any] = {}
        for fig in figures:
            values = {k: getattr(fig, k) for k in FIGURE_FIELDS}
            row = years.get(fig.year)
            if row is None:
                EnterpriseYear.objects.create(enterprise=enterprise, year=fig.year, **values)
                changes[f"figures.{fig.year}"] = [None, values]
                continue
            before = {k: getattr(row, k) for k in FIGURE_FIELDS}
            if before != values:
                for k, v in values.items():
                    setattr(row, k, v)
                row.save()
                changes[f"figures.{fig.year}"] = [before, values]
        return changes

    def flush(self) -> None:
        """Write the collected audit entries."""
        AuditEntry.objects.bulk_create(self.audit, batch_size=1000)
        self.audit = []
