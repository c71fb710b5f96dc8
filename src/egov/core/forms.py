"""Forms of the web shell. They only parse input; services and `auth` decide.

Every form of eGov derives from `EgovForm` / `EgovModelForm`: their text values pass through
`egov.core.text.clean_text` (control characters removed, bidirectional controls refused next to
the field), the same cleaning as the API's input schemas. Passwords are never altered."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .text import UnsafeText, clean_text


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return type(value)(clean_text(v) for v in value)
    return value


class CleanTextMixin:
    """Cleans every text value after the fields' own cleaning (see the module doc)."""

    def _clean_fields(self) -> None:
        super()._clean_fields()  # type: ignore[misc]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            if name not in self.cleaned_data or isinstance(field.widget, forms.PasswordInput):
                continue
            try:
                self.cleaned_data[name] = _clean(self.cleaned_data[name])
            except UnsafeText as err:
                self.add_error(name, str(err))  # type: ignore[attr-defined]


class EgovForm(CleanTextMixin, forms.Form):
    pass


class EgovModelForm(CleanTextMixin, forms.ModelForm):
    pass


class LoginForm(EgovForm):
    username = forms.CharField(
        label=_("Username"), max_length=150,
        widget=forms.TextInput(attrs={
            "autocomplete": "username", "autocapitalize": "none", "spellcheck": "false",
            "autofocus": True,
        }),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenCreateForm(EgovForm):
    # No max_length / required here: the service validates and its messages go by the field.
    name = forms.CharField(
        label=_("Token name"), required=False,
        help_text=_("What the token is for, e.g. “Reporting script”."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 100}),
    )


class AuditFilterForm(EgovForm):
    """Event type and object type are selects of labels (a select is searchable by typing,
    without JavaScript); the values stay codes, so old links with `action=auth.` still work."""

    actor = forms.CharField(
        label=_("Actor"), required=False, max_length=150,
        help_text=_("Part of the name or username."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    action = forms.CharField(label=_("Event"), required=False, max_length=100,
                             widget=forms.Select)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=100,
                                  widget=forms.Select)
    object_id = forms.CharField(
        label=_("Object id"), required=False, max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .audit_labels import action_choices, object_type_choices

        data = self.data if self.is_bound else {}
        self.fields["action"].widget.choices = action_choices(
            str(data.get("action", "")).strip()[:100])
        self.fields["object_type"].widget.choices = object_type_choices(
            str(data.get("object_type", "")).strip().lower()[:100])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


def apply_app_error(form: forms.Form, err) -> None:
    """Show an AppError on a form: field messages next to their fields, the rest at the top."""
    placed = False
    for name, msgs in (getattr(err, "fields", None) or {}).items():
        if name in form.fields:
            for msg in msgs:
                form.add_error(name, msg)
            placed = True
    if not placed:
        form.add_error(None, err.message)
