"""Petition mailboxes in the Django admin (i11-mail): where to connect, the password's source
(an environment variable or a secrets file, never the password itself), and the polling state —
last poll, last success, the last error and failures in a row, the next poll. Holders of
`petitions.manage_rules` manage them; the imported messages are listed read-only (they hold no
identity: no sender, no subject, no text)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from egov.core import policy

from .models_mail import Mailbox, MailMessage
from .services.mail import mailbox_poll_soon

MANAGE = "petitions.manage_rules"


class ManageMixin:
    def _manages(self, request) -> bool:
        return policy.can(request.user, MANAGE)

    def has_module_permission(self, request):
        return self._manages(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._manages(request) or super().has_view_permission(request, obj)


@admin.register(Mailbox)
class MailboxAdmin(ManageMixin, admin.ModelAdmin):
    list_display = ("address", "agency", "active", "last_poll_at", "last_success_at",
                    "failures", "error_short", "next_poll_at")
    list_filter = ("active",)
    search_fields = ("address", "host", "username")
    autocomplete_fields = ()
    raw_id_fields = ("agency",)
    readonly_fields = ("uidvalidity", "last_uid", "last_poll_at", "last_success_at",
                       "failures", "last_error", "lease_until")
    fieldsets = (
        (None, {"fields": ("agency", "address", "active", "folder", "mark_seen",
                           "poll_seconds")}),
        (_("Server"), {"fields": ("host", "port", "security", "username", "password_env",
                                  "password_file")}),
        (_("Polling"), {"fields": ("next_poll_at", "last_poll_at", "last_success_at",
                                   "failures", "last_error", "uidvalidity", "last_uid",
                                   "lease_until")}),
    )
    actions = ["poll_now"]

    def has_add_permission(self, request):
        return self._manages(request) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._manages(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # imported messages point at it: deactivate instead

    @admin.display(description=_("last error"))
    def error_short(self, obj: Mailbox) -> str:
        return (obj.last_error or "")[:120]

    @admin.action(description=_("Poll now"))
    def poll_now(self, request, queryset):
        for mailbox in queryset:
            mailbox_poll_soon(mailbox)
        self.message_user(request, gettext("The mailboxes will be polled by the next "
                                           "background pass."), messages.SUCCESS)


@admin.register(MailMessage)
class MailMessageAdmin(ManageMixin, admin.ModelAdmin):
    list_display = ("mailbox", "uid", "outcome", "petition", "auto_reason", "received_at",
                    "imported_at")
    list_filter = ("outcome",)
    list_select_related = ("mailbox", "petition")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
