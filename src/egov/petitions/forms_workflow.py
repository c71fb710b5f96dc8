"""Forms of the petition page's actions. They only parse input: the services validate, and their
messages are put next to the fields (views/actions.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.forms import EgovForm

from .grounds import COMPLEXITY_CRITERIA
from .models import ComplaintSubject, PetitionKind


def _text(maxlength: int = 255):
    return forms.TextInput(attrs={"maxlength": maxlength, "autocomplete": "off"})


def _area(rows: int = 3, maxlength: int = 2000):
    return forms.Textarea(attrs={"rows": rows, "maxlength": maxlength})


YES_NO = [("", _("Not decided")), ("yes", _("Yes")), ("no", _("No"))]


def yes_no(value: str):
    return {"yes": True, "no": False}.get(value or "")


class NoteForm(EgovForm):
    note = forms.CharField(label=_("Note (not shown to the public)"), required=False,
                           widget=_area())

    def data_for_service(self) -> dict:
        return {"note": self.cleaned_data.get("note") or ""}


class ClassifyForm(EgovForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *PetitionKind.choices],
                             required=False)
    eligible = forms.ChoiceField(label=_("Eligible for processing"), choices=YES_NO,
                                 required=False)
    ineligible_reason = forms.CharField(label=_("Why not eligible"), required=False,
                                        widget=_area(2))
    competent = forms.ChoiceField(label=_("Within competence"), choices=YES_NO, required=False)
    anonymous = forms.BooleanField(label=_("Anonymous or pseudonymous"), required=False)
    duplicate_code = forms.CharField(label=_("Duplicate of (petition code)"), required=False,
                                     widget=_text(64))
    signers = forms.IntegerField(label=_("Number of signers"), required=False, min_value=1,
                                 initial=1)
    complexity_reasons = forms.MultipleChoiceField(
        label=_("Complexity criteria (one: complex; two or more: especially complex)"),
        choices=list(COMPLEXITY_CRITERIA.items()), required=False,
        widget=forms.CheckboxSelectMultiple)
    remote_area = forms.BooleanField(label=_("Remote area (vùng sâu, vùng xa)"), required=False)
    complaint_subject = forms.ChoiceField(label=_("Complaint about"),
                                          choices=[("", "—"), *ComplaintSubject.choices],
                                          required=False)
    decision_known_on = forms.DateField(
        label=_("Decision received or known on"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Complaints: the limitation period runs from this day."))
    limitation_excuse = forms.CharField(
        label=_("Good reason for a late complaint"), required=False, widget=_area(2),
        help_text=_("Illness, natural disaster, travel… (Luật Khiếu nại, Art.9)."))
    note = forms.CharField(label=_("Note (not shown to the public)"), required=False,
                           widget=_area(2))

    def __init__(self, *args, petition=None, **kwargs):
        super().__init__(*args, **kwargs)
        if petition is not None and not self.is_bound:
            self.initial.update({
                "kind": petition.kind,
                "eligible": {True: "yes", False: "no"}.get(petition.eligible, ""),
                "competent": {True: "yes", False: "no"}.get(petition.competent, ""),
                "anonymous": petition.anonymous, "signers": petition.signers,
                "complexity_reasons": petition.complexity_reasons,
                "remote_area": petition.remote_area,
                "complaint_subject": petition.complaint_subject,
                "decision_known_on": petition.decision_known_on,
                "ineligible_reason": petition.ineligible_reason,
                "duplicate_code": petition.duplicate_of.code if petition.duplicate_of_id
                else ""})

    def data_for_service(self) -> dict:
        d = self.cleaned_data
        return {"kind": d.get("kind") or "", "eligible": yes_no(d.get("eligible")),
                "ineligible_reason": d.get("ineligible_reason") or "",
                "competent": yes_no(d.get("competent")), "anonymous": bool(d.get("anonymous")),
                "signers": d.get("signers") or 1,
                "complexity_reasons": list(d.get("complexity_reasons") or []),
                "remote_area": bool(d.get("remote_area")),
                "complaint_subject": d.get("complaint_subject") or "",
                "decision_known_on": d.get("decision_known_on"),
                "limitation_excuse": d.get("limitation_excuse") or "",
                "note": d.get("note") or ""}


class SplitForm(EgovForm):
    part1_kind = forms.ChoiceField(label=_("Part 1: kind"), required=False,
                                   choices=[("", "—"), *PetitionKind.choices])
    part1_content = forms.CharField(label=_("Part 1: content"), required=False,
                                    widget=_area(4, 20000))
    part2_kind = forms.ChoiceField(label=_("Part 2: kind"), required=False,
                                   choices=[("", "—"), *PetitionKind.choices])
    part2_content = forms.CharField(label=_("Part 2: content"), required=False,
                                    widget=_area(4, 20000))
    part3_kind = forms.ChoiceField(label=_("Part 3 (optional): kind"), required=False,
                                   choices=[("", "—"), *PetitionKind.choices])
    part3_content = forms.CharField(label=_("Part 3 (optional): content"), required=False,
                                    widget=_area(4, 20000))

    def data_for_service(self) -> dict:
        d = self.cleaned_data
        parts = []
        for i in (1, 2, 3):
            kind, content = d.get(f"part{i}_kind") or "", d.get(f"part{i}_content") or ""
            if i < 3 or kind or content:
                parts.append({"kind": kind, "content": content})
        return {"parts": parts}


class AssignForm(EgovForm):
    unit = forms.TypedChoiceField(label=_("Handling unit"), required=False, coerce=int,
                                  empty_value=None)
    handler = forms.TypedChoiceField(label=_("Handler"), required=False, coerce=int,
                                     empty_value=None)
    note = forms.CharField(label=_("Note (not shown to the public)"), required=False,
                           widget=_area(2))

    def __init__(self, *args, units=(), officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + [(u.pk, str(u)) for u in units]
        self.fields["handler"].choices = [("", "—")] + [(u.pk, str(u)) for u in officers]

    def data_for_service(self) -> dict:
        d = self.cleaned_data
        return {"unit_id": d.get("unit"), "handler_id": d.get("handler"),
                "note": d.get("note") or ""}


class NotAcceptForm(EgovForm):
    ground = forms.ChoiceField(label=_("Legal ground"), choices=(), required=False)
    note = forms.CharField(label=_("Note (not shown to the public)"), required=False,
                           widget=_area(2))

    def __init__(self, *args, grounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ground"].choices = [("", "—")] + list((grounds or {}).items())

    def data_for_service(self) -> dict:
        return {"ground": self.cleaned_data.get("ground") or "",
                "note": self.cleaned_data.get("note") or ""}


class TransferForm(EgovForm):
    mode = forms.ChoiceField(label=_("How"), initial="forward", widget=forms.RadioSelect,
                             choices=[("forward", _("Forward the letter (transfer slip)")),
                                      ("guide", _("Guide the petitioner (guidance)"))])
    to = forms.CharField(label=_("Competent body"), required=False, widget=_text(255))
    note = forms.CharField(label=_("Note (not shown to the public)"), required=False,
                           widget=_area(2))

    def data_for_service(self) -> dict:
        d = self.cleaned_data
        return {"mode": d.get("mode") or "forward", "to": d.get("to") or "",
                "note": d.get("note") or ""}


class ExtendForm(EgovForm):
    days = forms.IntegerField(label=_("Days of extension (at most 30)"), required=False,
                              min_value=1, max_value=30)
    decision_number = forms.CharField(label=_("Decision number"), required=False,
                                      widget=_text(64))
    reason = forms.CharField(label=_("Reason"), required=False, widget=_area(2))

    def data_for_service(self) -> dict:
        d = self.cleaned_data
        return {"days": d.get("days"), "decision_number": d.get("decision_number") or "",
                "reason": d.get("reason") or ""}


class ReasonForm(EgovForm):
    reason = forms.CharField(label=_("Reason"), required=False, widget=_area(2))

    def data_for_service(self) -> dict:
        return {"reason": self.cleaned_data.get("reason") or ""}


class FileForm(ReasonForm):
    management_check = forms.BooleanField(
        label=_("Turn it into a check for management purposes (anonymous denunciation)"),
        required=False)

    def data_for_service(self) -> dict:
        return {"reason": self.cleaned_data.get("reason") or "",
                "management_check": bool(self.cleaned_data.get("management_check"))}


class ResolveForm(EgovForm):
    summary = forms.CharField(label=_("Result"), required=False, widget=_area(4, 8000))
    document_id = forms.IntegerField(
        label=_("Issued decision or conclusion (document number in the Documents module)"),
        required=False, min_value=1)

    def data_for_service(self) -> dict:
        d = self.cleaned_data
        return {"summary": d.get("summary") or "", "document_id": d.get("document_id")}
