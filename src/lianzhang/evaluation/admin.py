"""Admin views of evaluation records: framework versions and runs are read-only, since runs cite them."""

from django.contrib import admin

from lianzhang.accounts.admin import AuditedAdmin
from lianzhang.evaluation.models import EvaluationFramework, EvaluationRun, FrameworkVersion, IndicatorValue


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listing and viewing only: changing a cited record would break the provenance of results."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EvaluationFramework)
class EvaluationFrameworkAdmin(ReadOnlyAdmin):
    list_display = ("key", "name", "entity", "created_at")


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(ReadOnlyAdmin):
    list_display = ("framework", "number", "note", "created_by", "created_at")
    list_filter = ("framework",)


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "framework_version", "year", "scope", "created_by", "created_at")
    list_filter = ("year",)
    exclude = ("inputs", "result")


@admin.register(IndicatorValue)
class IndicatorValueAdmin(AuditedAdmin):
    list_display = ("entity", "entity_key", "year", "indicator", "value", "source_name", "imported_at")
    list_filter = ("entity", "year", "indicator")
    search_fields = ("entity_key",)
