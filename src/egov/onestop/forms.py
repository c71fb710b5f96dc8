"""Forms of the one-stop desk's pages (the counter's intake, the dossier's actions, the list's
filters). They only parse input: the services validate, and their messages are put next to the
fields (`egov.core.forms.apply_app_error`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.forms import EgovForm

from .models import ApplicantKind, Channel, ResultDelivery, ResultMedium


def _text(maxlength: int, **attrs):
    return forms.TextInput(attrs={"maxlength": maxlength, "autocomplete": "off", **attrs})


def _area(rows: int = 3, maxlength: int = 2000):
    return forms.Textarea(attrs={"rows": rows, "maxlength": maxlength})


# --- the desk's list ----------------------------------------------------------------------------


class ListFilterForm(EgovForm):
    q = forms.CharField(label=_("Dossier code or applicant"), required=False, max_length=100,
                        widget=_text(100, spellcheck="false"))
    procedure = forms.ChoiceField(label=_("Procedure"), required=False, choices=())

    def __init__(self, *args, procedures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", _("All procedures"))] + [
            (str(p.pk), f"{p.code} — {p.name}") for p in procedures]


class ProcedureSearchForm(EgovForm):
    """Step 1 of the intake: find the procedure by its code or words of its name (no JavaScript
    needed: the results are links)."""

    q = forms.CharField(label=_("Procedure code or name"), required=False, max_length=100,
                        widget=_text(100, autofocus=True, spellcheck="false"))


# --- intake at the counter ----------------------------------------------------------------------


class IntakeForm(EgovForm):
    """Phần tiếp nhận (Mẫu 01's fields): the applicant, an optional representative, the channel,
    the components checked off (each with its scanned file) and where the result goes.
    Component fields are added per procedure component: `comp_<id>` (provided) and
    `file_<id>` (the scan)."""

    # Own labels: the models' "Person" has another sense in the shared catalogue.
    applicant_kind = forms.ChoiceField(label=_("Applicant is"),
                                       choices=[(ApplicantKind.PERSON, _("an individual")),
                                                (ApplicantKind.ORGANISATION,
                                                 _("an organisation"))],
                                       initial=ApplicantKind.PERSON, widget=forms.RadioSelect)
    full_name = forms.CharField(label=_("Full name / organisation name"), required=False,
                                widget=_text(255, autocomplete="name"))
    personal_id = forms.CharField(
        label=_("Personal ID number / tax code"), required=False,
        help_text=_("12-digit personal identification number; for an organisation its tax "
                    "code."),
        widget=_text(20, inputmode="numeric", spellcheck="false"))
    address = forms.CharField(label=_("Address"), required=False, widget=_text(500))
    phone = forms.CharField(label=_("Phone"), required=False,
                            widget=_text(20, inputmode="tel", autocomplete="tel"))
    email = forms.CharField(label=_("E-mail"), required=False,
                            widget=_text(254, inputmode="email", autocomplete="email",
                                         spellcheck="false"))
    rep_name = forms.CharField(label=_("Representative's full name"), required=False,
                               widget=_text(255))
    rep_personal_id = forms.CharField(label=_("Representative's personal ID number"),
                                      required=False,
                                      widget=_text(20, inputmode="numeric", spellcheck="false"))
    rep_phone = forms.CharField(label=_("Representative's phone"), required=False,
                                widget=_text(20, inputmode="tel"))
    rep_authorisation = forms.CharField(label=_("Authorisation document"), required=False,
                                        help_text=_("E.g. the letter of authorisation."),
                                        widget=_text(255))
    request_content = forms.CharField(label=_("Request"), required=False, widget=_area(2))
    channel = forms.ChoiceField(label=_("Received how"), initial=Channel.COUNTER,
                                choices=[(Channel.COUNTER, Channel.COUNTER.label),
                                         (Channel.POST, Channel.POST.label)])
    result_delivery = forms.ChoiceField(label=_("Result delivered"),
                                        choices=ResultDelivery.choices,
                                        initial=ResultDelivery.COUNTER)
    copies = forms.IntegerField(label=_("Number of sets"), min_value=1, max_value=99, initial=1,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    refusal_reason = forms.CharField(
        label=_("Reason for refusal"), required=False, widget=_area(2),
        help_text=_("Only when you refuse: not within the competence, or not eligible "
                    "(Form 03)."))

    def __init__(self, *args, components=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.components = list(components)
        for c in self.components:
            self.fields[f"comp_{c.pk}"] = forms.BooleanField(label=c.name, required=False)
            self.fields[f"file_{c.pk}"] = forms.FileField(
                label=_("Scan of “%(name)s”") % {"name": c.name}, required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf,"
                                                                 "image/jpeg,image/png"}))

    def component_rows(self):
        """(component, checkbox bound field, file bound field) for the template."""
        return [(c, self[f"comp_{c.pk}"], self[f"file_{c.pk}"]) for c in self.components]

    def applicant(self) -> dict:
        d = self.cleaned_data
        return {"kind": d.get("applicant_kind") or ApplicantKind.PERSON,
                "full_name": d.get("full_name") or "", "personal_id": d.get("personal_id") or "",
                "address": d.get("address") or "", "phone": d.get("phone") or "",
                "email": d.get("email") or ""}

    def representative(self) -> dict:
        d = self.cleaned_data
        rep = {"full_name": d.get("rep_name") or "",
               "personal_id": d.get("rep_personal_id") or "",
               "phone": d.get("rep_phone") or "",
               "authorisation": d.get("rep_authorisation") or ""}
        return rep if any(rep.values()) else {}


# Names the services may give a field error under → the form's field.
INTAKE_FIELD_ALIASES = {
    "applicant.full_name": "full_name", "applicant.personal_id": "personal_id",
    "applicant.address": "address", "applicant.phone": "phone", "applicant.email": "email",
    "applicant.kind": "applicant_kind", "applicant.tax_code": "personal_id",
    "applicant": "full_name", "representative.full_name": "rep_name",
    "representative.personal_id": "rep_personal_id", "representative.phone": "rep_phone",
    "representative.authorisation": "rep_authorisation", "representative": "rep_name",
    "reason": "refusal_reason", "refuse_reason": "refusal_reason",
}


# --- actions on a dossier -----------------------------------------------------------------------


class NoteForm(EgovForm):
    """Forward, supplement received, accept: an optional note."""

    note = forms.CharField(label=_("Note"), required=False, widget=_area(2))


class ReasonForm(EgovForm):
    """Stop, withdraw, refuse: the reason is required (the service says so by the field)."""

    reason = forms.CharField(label=_("Reason"), required=False, widget=_area(2))


class SupplementRequestForm(EgovForm):
    """Everything missing at once (NĐ 118/2025 Điều 15): the components ticked and other items,
    one a line, with the reason."""

    items = forms.MultipleChoiceField(label=_("Missing components"), required=False,
                                      choices=(), widget=forms.CheckboxSelectMultiple)
    other_items = forms.CharField(label=_("Other items to supplement"), required=False,
                                  help_text=_("One item a line."), widget=_area(3))
    reason = forms.CharField(label=_("Reason"), required=False, widget=_area(2))

    def __init__(self, *args, components=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(c.name, c.name) for c in components]

    def item_list(self) -> list[str]:
        items = list(self.cleaned_data.get("items") or [])
        for line in (self.cleaned_data.get("other_items") or "").splitlines():
            if line.strip():
                items.append(line.strip())
        return items


class ApologiseForm(EgovForm):
    new_date = forms.DateField(label=_("New return date"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"},
                                                      format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Reason for the delay"), required=False, widget=_area(2))


class ResolveForm(EgovForm):
    medium = forms.ChoiceField(label=_("Result"), choices=ResultMedium.choices,
                               initial=ResultMedium.PAPER, widget=forms.RadioSelect)
    file = forms.FileField(label=_("Result PDF"), required=False,
                           help_text=_("For an electronic result: it is signed with the "
                                       "agency's signature."),
                           widget=forms.ClearableFileInput(attrs={"accept":
                                                                  "application/pdf,.pdf"}))
    number = forms.CharField(label=_("Result number"), required=False,
                             help_text=_("The number of the paper result (decision, "
                                         "certificate…)."), widget=_text(100))
    note = forms.CharField(label=_("Note"), required=False, widget=_area(2))


class ReturnForm(EgovForm):
    via = forms.ChoiceField(label=_("Returned via"), choices=ResultDelivery.choices,
                            initial=ResultDelivery.COUNTER)
    note = forms.CharField(label=_("Note"), required=False, widget=_area(2))
