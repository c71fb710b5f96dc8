"""The upward-sync endpoints of directives in the Django admin: holders of `directives.manage`
add and edit them (the token is named by an environment variable, never stored); the queued
and sent changes are listed read-only, with their attempts and last error."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from egov.core import policy

from .models import SyncChange, SyncTarget
from .plugins.base import names as adapter_names

MANAGE = "directives.manage"


class ManageMixin:
    def _manages(self, request) -> bool:
        return policy.can(request.user, MANAGE)

    def has_module_permission(self, request):
        return self._manages(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._manages(request) or super().has_view_permission(request, obj)


@admin.register(SyncTarget)
class SyncTargetAdmin(ManageMixin, admin.ModelAdmin):
    list_display = ("name", "agency", "adapter", "url", "token_env", "active")
    list_filter = ("active", "adapter")
    search_fields = ("name", "url")
    raw_id_fields = ("agency",)

    def has_add_permission(self, request):
        return self._manages(request) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._manages(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # changes point at it: deactivate instead

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "adapter":
            from django import forms

            return forms.ChoiceField(choices=[(n, n) for n in adapter_names()],
                                     label=_("adapter"), required=True)
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(SyncChange)
class SyncChangeAdmin(ManageMixin, admin.ModelAdmin):
    list_display = ("idempotency_key", "target", "directive", "state", "attempts",
                    "next_attempt_at", "sent_at", "error_short")
    list_filter = ("state", "target")
    list_select_related = ("target", "directive")
    search_fields = ("idempotency_key", "directive__code")
    show_full_result_count = False
    readonly_fields = ("target", "directive", "event", "idempotency_key", "payload", "state",
                       "attempts", "next_attempt_at", "leased_until", "last_error",
                       "created_at", "sent_at")

    @admin.display(description=_("last error"))
    def error_short(self, obj: SyncChange) -> str:
        return (obj.last_error or "")[:120]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
