"""Forms of the staff intake pages (desk intake, reception sessions). They only parse: the
services check, and their field errors come back onto these fields
(egov.core.forms.apply_app_error)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.forms import EgovForm

from .models import Channel, PetitionKind, SessionKind
from .services.reception import REFUSAL_GROUNDS

ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
KIND_CHOICES = [("", _("Not decided yet"))] + list(PetitionKind.choices)
DESK_CHANNELS = [(Channel.RECEPTION, Channel.RECEPTION.label),
                 (Channel.ONESTOP, Channel.ONESTOP.label), (Channel.POST, Channel.POST.label)]


def parse_others(text: str) -> list[dict]:
    """One person a line: "name; personal ID; address; role" (the later parts optional)."""
    out = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split(";")]
        if not any(parts):
            continue
        parts += [""] * (4 - len(parts))
        out.append({"full_name": parts[0], "personal_id": parts[1], "address": parts[2],
                    "role": parts[3]})
    return out


class IdentityFields(forms.Form):
    full_name = forms.CharField(label=_("Full name"), required=False, max_length=1000)
    personal_id = forms.CharField(
        label=_("Personal identification number"), required=False, max_length=100,
        help_text=_("12 digits."), widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                                  "autocomplete": "off"}))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=100,
                            widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.CharField(label=_("E-mail"), required=False, max_length=1000,
                            widget=forms.TextInput(attrs={"type": "email"}))
    address = forms.CharField(label=_("Address"), required=False, max_length=2000)
    others = forms.CharField(
        label=_("Representatives and people with the same content"), required=False,
        max_length=20000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One person a line: full name; personal ID; address; role."))

    def identity(self) -> dict:
        d = self.cleaned_data
        return {k: d.get(k, "") for k in ("full_name", "personal_id", "phone", "email",
                                           "address")}


class DeskIntakeForm(EgovForm, IdentityFields):
    agency = forms.ChoiceField(label=_("Receiving agency"), required=False, choices=())
    channel = forms.ChoiceField(label=_("Received"), choices=DESK_CHANNELS,
                                initial=Channel.RECEPTION, required=False)
    kind = forms.ChoiceField(label=_("Kind of petition"), choices=KIND_CHOICES,
                             required=False)
    subject = forms.CharField(label=_("Subject (optional)"), required=False, max_length=1000)
    respondent = forms.CharField(label=_("Person or body concerned (optional)"),
                                 required=False, max_length=1000)
    content = forms.CharField(label=_("Content"), required=False, max_length=40000,
                              widget=forms.Textarea(attrs={"rows": 8}))
    oral = forms.BooleanField(
        label=_("Oral content written down by the officer (read back and signed)"),
        required=False)
    letter_scan = forms.FileField(
        label=_("Scan of the handwritten letter (kept with the identity)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    attachment = forms.FileField(label=_("Other attachment (not identifying)"),
                                 required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    document = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(str(a.pk), a.name) for a in agencies]


class SessionForm(EgovForm):
    agency = forms.ChoiceField(label=_("Agency"), required=False, choices=())
    kind = forms.ChoiceField(label=_("Kind of session"), choices=SessionKind.choices,
                             initial=SessionKind.REGULAR)
    day = forms.DateField(label=_("Day"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), required=False, max_length=1000)
    leader = forms.ChoiceField(label=_("Leader receiving citizens"), required=False,
                               choices=())
    note = forms.CharField(label=_("Note"), required=False, max_length=4000)

    def __init__(self, *args, agencies=(), leaders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(str(a.pk), a.name) for a in agencies]
        self.fields["leader"].choices = [("", _("— none —"))] + [
            (str(u.pk), u.full_name or u.username) for u in leaders]


# The grounds for refusing a visitor in the reader's language (the register keeps the Vietnamese
# wording of services.reception.REFUSAL_GROUNDS). Luật Tiếp công dân 2013 Art.9; NĐ 154/2026 Art.4.
REFUSAL_LABELS = {
    "drunk": _("Drunk, under the influence of stimulants, or mentally ill or otherwise unable "
               "to understand (Luật TCD, Art.9.1)"),
    "threat": _("Threatens, insults or breaks the rules of the reception place "
                "(Luật TCD, Art.9.2)"),
    "settled": _("The matter was settled lawfully, checked, reviewed and answered in writing "
                 "(Luật TCD, Art.9.3)"),
    "weapons": _("Carries weapons, explosives or support tools (NĐ 154/2026, Art.4)"),
    "security": _("Refuses the security check (NĐ 154/2026, Art.4)"),
    "recording": _("Records sound or images without permission (NĐ 154/2026, Art.4)"),
    "incitement": _("Incites or draws others in (NĐ 154/2026, Art.4)"),
    "capacity": _("No legal capacity and no lawful representative (NĐ 154/2026, Art.4)"),
    "representative": _("A representative without papers proving it (NĐ 154/2026, Art.4)"),
    "scope": _("The content is outside citizen reception (NĐ 154/2026, Art.4)"),
    "answered": _("The proposal or feedback was already answered and brings nothing new "
                  "(NĐ 154/2026, Art.4)"),
    "court": _("A court judgment or decision in force covers the matter "
               "(NĐ 154/2026, Art.4)"),
    "elsewhere": _("Another competent body is handling the matter (NĐ 154/2026, Art.4)"),
}
_GROUND_BY_TEXT = {text: key for key, text in REFUSAL_GROUNDS.items()}


def refusal_label(text: str) -> str:
    """The stored (Vietnamese) ground of a refusal in the reader's language."""
    key = _GROUND_BY_TEXT.get(text)
    return str(REFUSAL_LABELS[key]) if key in REFUSAL_LABELS else text


class VisitForm(EgovForm, IdentityFields):
    summary = forms.CharField(label=_("Content (summary, or the statement written down)"),
                              required=False, max_length=40000,
                              widget=forms.Textarea(attrs={"rows": 5}))
    kind = forms.ChoiceField(label=_("Kind of petition"), choices=KIND_CHOICES,
                             required=False)
    people = forms.IntegerField(label=_("People with the same content"), required=False,
                                min_value=1, max_value=10000)
    oral = forms.BooleanField(label=_("Oral content written down (read back and signed)"),
                              required=False)
    previous_body = forms.CharField(label=_("Body that already handled it"), required=False,
                                    max_length=1000)
    competent = forms.NullBooleanField(
        label=_("Within competence"), required=False,
        widget=forms.Select(choices=[("unknown", _("Not decided")), ("true", _("Yes")),
                                     ("false", _("No"))]))
    guided_to = forms.CharField(label=_("Guided to (body, guidance letter number)"),
                                required=False, max_length=1000)
    forwarded_to = forms.CharField(label=_("Forwarded to (body, forwarding number)"),
                                   required=False, max_length=1000)
    follow_up = forms.CharField(label=_("Follow-up of the result"), required=False,
                                max_length=4000)
    note = forms.CharField(label=_("Note"), required=False, max_length=4000)
    outcome = forms.ChoiceField(
        label=_("Outcome of the visit"), required=False, initial="petition",
        choices=[("petition", _("Receive the petition (creates a petition)")),
                 ("attach", _("About an existing petition")),
                 ("guided", _("Guided or answered orally (no petition)")),
                 ("refused", _("Refused"))],
        widget=forms.RadioSelect)
    petition_code = forms.CharField(label=_("Code of the existing petition"), required=False,
                                    max_length=100)
    refusal_ground = forms.ChoiceField(
        label=_("Ground for refusing (NĐ 154/2026, Điều 4)"), required=False,
        choices=[("", _("— choose —"))] + [(k, REFUSAL_LABELS[k]) for k in REFUSAL_GROUNDS])
    letter_scan = forms.FileField(
        label=_("Scan of the handwritten letter (kept with the identity)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
