"""Forms of the public one-stop pages. They only parse: the services decide (and their field
errors come back onto these fields through egov.core.forms.apply_app_error)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.forms import EgovForm
from egov.onestop.models import ApplicantKind, ResultDelivery

KIND_CHOICES = [(ApplicantKind.PERSON, _("A person")),
                (ApplicantKind.ORGANISATION, _("An organisation"))]
DELIVERY_CHOICES = [(ResultDelivery.ONLINE, _("Online (an electronic result by e-mail)")),
                    (ResultDelivery.COUNTER, _("At the one-stop desk")),
                    (ResultDelivery.POST, _("By post (public postal service)"))]
COPY_KINDS = {"original": _("original"), "copy": _("copy"),
              "certified_copy": _("certified copy"), "presented": _("original to show")}


def component_field(index: int) -> str:
    return f"component_{index}"


class ApplyForm(EgovForm):
    kind = forms.ChoiceField(label=_("The applicant is"), choices=KIND_CHOICES,
                             initial=ApplicantKind.PERSON, widget=forms.RadioSelect,
                             required=False)
    full_name = forms.CharField(
        label=_("Full name (or the organisation's name)"), required=False, max_length=1000,
        widget=forms.TextInput(attrs={"autocomplete": "name"}))
    personal_id = forms.CharField(
        label=_("Personal identification number (or tax code)"), required=False,
        max_length=100,
        help_text=_("12 digits, as on the citizen identity card; an organisation gives its tax "
                    "code."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    phone = forms.CharField(
        label=_("Phone"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    email = forms.CharField(
        label=_("E-mail"), required=False, max_length=1000,
        help_text=_("A link is sent to this address: the application is sent when you open "
                    "it."),
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "email"}))
    address = forms.CharField(
        label=_("Address"), required=False, max_length=2000,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    agency = forms.ChoiceField(label=_("Receiving centre"), required=False, choices=())
    request_content = forms.CharField(
        label=_("Your request (optional)"), required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}))
    result_delivery = forms.ChoiceField(
        label=_("Receive the result"), choices=DELIVERY_CHOICES,
        initial=ResultDelivery.ONLINE, widget=forms.RadioSelect, required=False)

    def __init__(self, *args, centres=(), components=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("— choose —"))] + [
            (str(c.pk), c.name) for c in centres]
        if len(centres) == 1:
            self.fields["agency"].initial = str(centres[0].pk)
        self.component_fields = []
        for index, comp in enumerate(components):
            name = component_field(index)
            label = comp.name
            help_text = COPY_KINDS.get(comp.copy_kind, comp.copy_kind)
            if comp.count > 1:
                help_text = _("%(kind)s, %(count)s copies") % {"kind": help_text, "count": comp.count}
            if not comp.required:
                label = _("%(name)s (if any)") % {"name": comp.name}
            self.fields[name] = forms.FileField(
                label=label, required=False, help_text=help_text,
                widget=forms.ClearableFileInput(attrs={
                    "accept": "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"}))
            self.component_fields.append((name, comp))


class LookupForm(EgovForm):
    code = forms.CharField(
        label=_("Dossier code"), max_length=64,
        help_text=_("As printed on the receipt (Mẫu 01), e.g. 000.01.00.T99-260105-0001."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}))
    check = forms.RegexField(
        label=_("Last 4 digits of the phone number or ID number"), regex=r"^\d{4}$",
        max_length=4, error_messages={"invalid": _("Enter 4 digits.")},
        help_text=_("Of the phone number or personal ID number given when applying."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                      "maxlength": 4}))


class RateForm(EgovForm):
    satisfied = forms.TypedChoiceField(
        label=_("Are you satisfied with how your dossier was handled?"),
        choices=[("yes", _("Yes, satisfied")), ("no", _("No, not satisfied"))],
        coerce=lambda v: v == "yes", widget=forms.RadioSelect)
    score = forms.TypedChoiceField(
        label=_("Score (optional)"), required=False, empty_value=None, coerce=int,
        choices=[("", _("No score"))] + [(str(n), str(n)) for n in range(1, 6)],
        help_text=_("1 = very poor, 5 = very good."))
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
