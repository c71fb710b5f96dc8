"""Admin screens of the outbox: the messages (read-only: what was sent, to whom, when, and why a
send failed) and the editable message templates (checked for template syntax on save)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.template import TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

from .models_outbox import MessageTemplate, OutboundMessage
from .outbox import CONFIDENTIAL_MODULES, masked_recipient, template_check


class MessageTemplateForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES)

    class Meta:
        model = MessageTemplate
        fields = ["code", "channel", "language", "subject", "body", "legal_basis", "notes"]

    def _checked(self, name: str) -> str:
        text = self.cleaned_data.get(name) or ""
        try:
            template_check(text)
        except TemplateSyntaxError as exc:
            raise forms.ValidationError(_("Template error: %(error)s"),
                                        params={"error": exc}) from exc
        return text

    def clean_subject(self) -> str:
        return self._checked("subject")

    def clean_body(self) -> str:
        return self._checked("body")


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ("code", "channel", "language", "subject", "updated_at")
    list_filter = ("channel", "language")
    search_fields = ("code", "subject", "body")


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "recipient_shown", "template_code", "state", "attempts",
                    "created_at", "sent_at", "delivered_at")
    list_filter = ("state", "channel", "module")
    search_fields = ("key", "recipient", "object_id", "provider_id")
    show_full_result_count = False  # never COUNT(*) over the whole outbox
    # The recipient of a confidential module's message (egov.core.outbox.CONFIDENTIAL_MODULES)
    # is shown masked, and such messages are not found by their recipient.
    readonly_fields = [{"recipient": "recipient_shown", "last_error": "last_error_shown"}.get(
        f.name, f.name) for f in OutboundMessage._meta.fields]
    fields = readonly_fields

    @admin.display(description=_("recipient"))
    def recipient_shown(self, obj) -> str:
        return masked_recipient(obj)

    @admin.display(description=_("last error"))
    def last_error_shown(self, obj) -> str:
        # A refusal from the mail server may quote the address.
        if obj.module in CONFIDENTIAL_MODULES and obj.recipient:
            return (obj.last_error or "").replace(obj.recipient, "[…]")
        return obj.last_error

    def get_search_results(self, request, queryset, search_term):
        if not CONFIDENTIAL_MODULES or not search_term:
            return super().get_search_results(request, queryset, search_term)
        from django.db.models import Q

        open_rows, may_dup = super().get_search_results(
            request, queryset.exclude(module__in=CONFIDENTIAL_MODULES), search_term)
        hidden = queryset.filter(module__in=CONFIDENTIAL_MODULES)
        for term in search_term.split():
            hidden = hidden.filter(Q(key__icontains=term) | Q(object_id__icontains=term)
                                   | Q(provider_id__icontains=term))
        return open_rows | hidden, may_dup

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
