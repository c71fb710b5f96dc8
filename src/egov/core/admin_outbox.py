"""Admin screens of the outbox: the messages (read-only: what was sent, to whom, when, and why a
send failed) and the editable message templates (checked for template syntax on save)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.template import TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

from .models_outbox import MessageTemplate, OutboundMessage
from .outbox import template_check


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
    list_display = ("id", "channel", "recipient", "template_code", "state", "attempts",
                    "created_at", "sent_at", "delivered_at")
    list_filter = ("state", "channel", "module")
    search_fields = ("key", "recipient", "object_id", "provider_id")
    show_full_result_count = False  # never COUNT(*) over the whole outbox
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
