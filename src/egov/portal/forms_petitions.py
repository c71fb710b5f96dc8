"""Forms of the public petition pages. They only parse: the intake service decides, and its
field errors come back onto these fields (egov.core.forms.apply_app_error)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.forms import EgovForm
from egov.petitions.models import PetitionKind

ATTACHMENTS = ("attachment_1", "attachment_2", "attachment_3")
ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


class PetitionForm(EgovForm):
    full_name = forms.CharField(label=_("Full name"), required=False, max_length=1000,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    personal_id = forms.CharField(
        label=_("Personal identification number"), required=False, max_length=100,
        help_text=_("12 digits, as on the citizen identity card (optional)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=100,
                            widget=forms.TextInput(attrs={"type": "tel",
                                                          "autocomplete": "tel"}))
    email = forms.CharField(label=_("E-mail"), required=False, max_length=1000,
                            widget=forms.TextInput(attrs={"type": "email",
                                                          "autocomplete": "email"}))
    address = forms.CharField(label=_("Address"), required=False, max_length=2000,
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    agency = forms.ChoiceField(label=_("Send to"), required=False, choices=())
    kind = forms.ChoiceField(
        label=_("Kind of petition"), required=False,
        choices=[("", _("I do not know: the officer will decide"))] + list(PetitionKind.choices),
        help_text=_("A complaint asks to review a decision or act that harms your rights; a "
                    "denunciation reports a breach of the law; a proposal or feedback gives "
                    "an opinion."))
    content = forms.CharField(label=_("Content"), required=False, max_length=40000,
                              widget=forms.Textarea(attrs={"rows": 8}))
    attachment_1 = forms.FileField(label=_("Attachment 1 (optional)"), required=False,
                                   widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    attachment_2 = forms.FileField(label=_("Attachment 2 (optional)"), required=False,
                                   widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    attachment_3 = forms.FileField(label=_("Attachment 3 (optional)"), required=False,
                                   widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(str(a.pk), a.name) for a in agencies]
        if agencies:
            self.fields["agency"].initial = str(agencies[0].pk)


class PetitionLookupForm(EgovForm):
    code = forms.CharField(
        label=_("Petition code"), max_length=64,
        help_text=_("As printed on the receipt (Mẫu 02/TCD)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}))
    check = forms.CharField(
        label=_("Check code"), max_length=16,
        help_text=_("The 8 characters given with the code."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}))
