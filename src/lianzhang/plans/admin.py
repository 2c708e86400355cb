"""Admin registrations of plans (audited); day-to-day work goes through the plan pages."""

from django.contrib import admin

from lianzhang.accounts.admin import AuditedAdmin
from lianzhang.plans.models import Plan, ProgressReport, Target, Task, TaskDepartment


class TaskDepartmentInline(admin.TabularInline):
    model = TaskDepartment
    extra = 0
    autocomplete_fields = ("department",)


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    list_display = ("title", "city", "period_start", "period_end", "status", "created_at")
    list_filter = ("status", "city")
    search_fields = ("title", "source_name")
    exclude = ("source_text",)


@admin.register(Task)
class TaskAdmin(AuditedAdmin):
    list_display = ("number", "title", "plan", "deadline")
    list_filter = ("plan",)
    search_fields = ("title", "number")
    inlines = (TaskDepartmentInline,)


@admin.register(Target)
class TargetAdmin(AuditedAdmin):
    list_display = ("metric", "comparator", "value", "unit", "deadline", "plan", "live_key")
    list_filter = ("plan", "kind")
    search_fields = ("metric", "text")


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = ("task", "department", "period", "percent", "submitted_at")
    list_filter = ("period", "department")

    # Reports are the departments' statements: administrators read them, nobody rewrites them here.
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
