"""Administrators see the review records read-mostly; the pages and services do the work."""

from django.contrib import admin

from lianzhang.reviews.models import Assignment, Conflict, Decision, Expert, Objection, ReviewRound


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "title", "status", "available", "term_end")
    list_filter = ("status", "available")
    search_fields = ("name", "organisation")


@admin.register(ReviewRound)
class ReviewRoundAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "status", "mode", "seed", "created_at")
    list_filter = ("status", "kind")
    readonly_fields = ("seed", "draw_inputs", "status")


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("application", "expert", "affinity", "status", "origin")
    list_filter = ("status", "origin")
    readonly_fields = ("affinity", "reason")


admin.site.register(Conflict)
admin.site.register(Decision)
admin.site.register(Objection)
