"""Admin views of the open data tables (read-mostly: the workflow lives in the services)."""

from django.contrib import admin

from lianzhang.opendata.models import DataRequest, Dataset, Release, Resource


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("title", "department", "licence", "update_frequency", "published_at")
    search_fields = ("title", "description", "tags")
    list_filter = ("department", "licence")


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ("dataset", "label", "status", "preparer", "approver", "published_at")
    list_filter = ("status",)
    # Status, files and reports change only through the workflow, which checks and audits each step.
    readonly_fields = (
        "status",
        "raw_path",
        "processed_path",
        "processed_sha256",
        "scan_report",
        "policy",
        "processing_report",
        "preparer",
        "processed_by",
        "approver",
        "progress_stage",
        "progress_done",
        "progress_total",
        "submitted_at",
        "approved_at",
        "published_at",
    )


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("release", "format", "size", "rows", "sha256")
    readonly_fields = ("release", "format", "path", "size", "sha256", "rows")


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    list_display = ("title", "enterprise", "department", "status", "created_at")
    list_filter = ("status", "department")
