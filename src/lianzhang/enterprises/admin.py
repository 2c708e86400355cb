"""Admin registrations of the registry (audited)."""

from django.contrib import admin

from lianzhang.accounts.admin import AuditedAdmin
from lianzhang.enterprises.models import Enterprise, EnterpriseYear, NodeAssignment, Park, Project, Tag


class YearInline(admin.TabularInline):
    model = EnterpriseYear
    extra = 0


class NodeInline(admin.TabularInline):
    model = NodeAssignment
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(AuditedAdmin):
    list_display = ("name", "credit_code", "division", "version")
    search_fields = ("name", "credit_code", "short_name")
    list_select_related = ("division",)
    autocomplete_fields = ("division", "park")
    inlines = (YearInline, NodeInline)


@admin.register(Park)
class ParkAdmin(AuditedAdmin):
    list_display = ("name", "division")
    search_fields = ("name",)
    autocomplete_fields = ("division",)


@admin.register(Project)
class ProjectAdmin(AuditedAdmin):
    list_display = ("name", "enterprise", "type", "status", "submitted_on")
    list_filter = ("status", "type")
    search_fields = ("name",)
    autocomplete_fields = ("enterprise",)


@admin.register(Tag)
class TagAdmin(AuditedAdmin):
    list_display = ("name",)
