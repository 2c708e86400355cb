"""Django admin for administrators; every change made here also lands in the audit log."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from lianzhang.accounts import audit
from lianzhang.accounts.models import AuditEntry, Department, Profile
from lianzhang.accounts.permissions import actor_for
from lianzhang.common.versioning import StaleEdit, VersionedModel

admin.site.site_header = "链长 · 系统管理"
admin.site.site_title = "链长系统管理"


class VersionCheckedForm(forms.ModelForm):
    """Admin form mixin: refuses to save when the record changed after the form was opened."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict:
        data = super().clean()
        seen = data.get("version")
        if self.instance.pk and seen:
            current = (
                type(self.instance)
                .objects.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current != seen:
                raise forms.ValidationError(
                    str(StaleEdit(str(self.instance._meta.verbose_name), seen, current))
                )
        return data


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes are audited and, for versioned models, checked for staleness."""

    form = VersionCheckedForm

    def get_exclude(self, request, obj=None):
        # `version` is not editable on the model; the form declares it as a hidden field instead.
        return [*(super().get_exclude(request, obj) or []), "version"]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if isinstance(obj, VersionedModel):
            context["adminform"].form.initial["version"] = obj.version
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change) -> None:
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        if change and form is not None and form.cleaned_data.get("version"):
            obj.version = form.cleaned_data["version"]
        super().save_model(request, obj, form, change)
        audit.record(
            actor_for(request.user),
            "update" if change else "create",
            obj,
            audit.diff(before, audit.snapshot(obj)),
        )

    def delete_model(self, request, obj) -> None:
        audit.record(actor_for(request.user), "delete", obj, audit.snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        actor = actor_for(request.user)
        for obj in queryset:
            audit.record(actor, "delete", obj, audit.snapshot(obj))
        super().delete_queryset(request, queryset)


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ("region", "enterprise")


class PlatformUserAdmin(UserAdmin):
    inlines = (ProfileInline,)
    list_display = ("username", "is_active", "is_staff", "last_login")

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        audit.record(
            actor_for(request.user), "update" if change else "create", obj, {"username": obj.username}
        )


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), PlatformUserAdmin)


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ("name", "short_name", "city")
    search_fields = ("name", "short_name", "aliases")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "model", "object_repr")
    list_filter = ("action", "model")
    search_fields = ("object_repr", "username", "object_id")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
