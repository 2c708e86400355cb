"""Admin views of 择优支持: programmes editable (audited); applications and runs read-only, since
confirmed runs are published and later caps are computed from them."""

from django.contrib import admin

from lianzhang.accounts.admin import AuditedAdmin
from lianzhang.subsidies.models import AllocationRun, Application, Programme


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listing and viewing only: changes go through the services, which check and audit them."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdmin):
    list_display = ("name", "year", "rate_bp", "cap_fen", "max_count", "budget_fen", "status")
    list_filter = ("year", "status")
    search_fields = ("name",)


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("programme", "enterprise", "title", "cost_fen", "score", "rank", "source", "decided_run")
    list_filter = ("programme",)
    search_fields = ("enterprise__name", "title")


@admin.register(AllocationRun)
class AllocationRunAdmin(ReadOnlyAdmin):
    list_display = ("programme", "mode", "status", "funded_count", "total_fen", "notice_start", "created_at")
    list_filter = ("status", "mode")
