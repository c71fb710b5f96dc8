"""Forms of the web shell. They only parse input; services and `auth` decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
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


class TokenCreateForm(forms.Form):
    # No max_length / required here: the service validates and its messages go by the field.
    name = forms.CharField(
        label=_("Token name"), required=False,
        help_text=_("What the token is for, e.g. “Reporting script”."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 100}),
    )


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("Action"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    object_type = forms.CharField(
        label=_("Object type"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    object_id = forms.CharField(
        label=_("Object id"), required=False, max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


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
