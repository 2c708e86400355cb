"""Divisions are reference data: searchable in the admin, not editable there."""

from django.contrib import admin

from lianzhang.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "full_name", "level")
    list_filter = ("level",)
    search_fields = ("code", "name", "full_name")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
