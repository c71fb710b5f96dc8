"""Forms of the outgoing-document pages. They only parse input; services decide and their
errors are shown next to the fields (`apply_service_error`)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.forms import EgovForm
from egov.core.models import SignatureCapacity

from .models import ApprovalStep, Urgency


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


_EXTERNAL_LINE = re.compile(r"^(?P<name>.+?)\s*(?:<(?P<a>[^<>\s]+)>|[,;]\s*(?P<b>\S+@\S+))?\s*$")


def parse_external(text: str) -> tuple[list[dict], list[str]]:
    """One external recipient a line: "Name <e-mail>", "Name, e-mail" or just a name."""
    rows, bad = [], []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = _EXTERNAL_LINE.match(line)
        if not match:
            bad.append(line)
            continue
        rows.append({"name": match["name"].strip(" ,;"),
                     "email": (match["a"] or match["b"] or "").strip()})
    return rows, bad


class OutgoingDraftForm(EgovForm):
    type_code = forms.ChoiceField(label=_("Document type"))
    subject = forms.CharField(
        label=_("Subject"), required=False, max_length=500,
        help_text=_("Trích yếu, e.g. “Về việc phê duyệt kế hoạch …”; for a công văn “V/v …”."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    file = forms.FileField(label=_("Draft (.docx or .pdf)"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf"}))
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    signer_id = forms.ChoiceField(label=_("Signer"))
    signer_capacity = forms.ChoiceField(
        label=_("Signing capacity"), required=False,
        choices=[("", _("In own name"))] + list(SignatureCapacity.choices),
    )
    signer_position = forms.CharField(
        label=_("Signer's position"), required=False, max_length=100,
        help_text=_("Leave empty to use the signer's current position."),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices,
                                initial=Urgency.NORMAL)
    due_date = forms.DateField(label=_("Reply due date"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    field_abbreviation = forms.CharField(
        label=_("Field or unit abbreviation"), required=False, max_length=20,
        help_text=_("For a công văn: the abbreviation after the agency's, e.g. VP in "
                    "12/UBND-VP. Defaults to your unit's."),
    )
    recipients_units = forms.MultipleChoiceField(
        label=_("Recipient agencies in eGov"), required=False,
        help_text=_("They receive the document in their incoming queue when it is issued."),
        widget=forms.CheckboxSelectMultiple,  # a searchable checklist (egov/_checklist.html)
    )
    recipients_external = forms.CharField(
        label=_("Other recipients"), required=False,
        help_text=_("One per line: “Name <e-mail>”. Those with an e-mail address receive the PDF "
                    "by e-mail."),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    in_reply_to = forms.MultipleChoiceField(
        label=_("In reply to"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Issuing the reply completes the handling of these incoming documents."),
    )
    copies = forms.IntegerField(label=_("Number of copies"), required=False, min_value=1,
                                max_value=999, initial=1)
    # Phụ lục VI Part II §I.10: PageAmount has at most 3 digits.
    page_count = forms.IntegerField(label=_("Number of pages"), required=False, min_value=1,
                                    max_value=999)
    note = forms.CharField(label=_("Note on this version"), required=False, max_length=500)
    replaces_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, types=(), signers=(), agencies=(), replies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_code"].choices = [("", "—")] + [(t.code, t.name) for t in types]
        self.fields["signer_id"].choices = [("", "—")] + [
            (str(u.pk), u.get_full_name()) for u in signers]
        self.fields["recipients_units"].choices = [(str(u.pk), u.name) for u in agencies]
        self.fields["in_reply_to"].choices = [
            (str(d.pk), f"{d.arrival_number} — {d.code or ''} {d.subject[:120]}".strip())
            for d in replies]

    def clean(self):
        cleaned = super().clean()
        rows, bad = parse_external(cleaned.get("recipients_external", ""))
        if bad:
            self.add_error("recipients_external",
                           _("Write each recipient as “Name <e-mail>”: %(lines)s")
                           % {"lines": "; ".join(bad)})
        cleaned["_external"] = rows
        return cleaned

    def service_data(self) -> dict:
        c = self.cleaned_data
        data = {
            "type_code": c.get("type_code") or "",
            "subject": c.get("subject") or "",
            "signer_id": c.get("signer_id") or None,
            "signer_capacity": c.get("signer_capacity") or "",
            "signer_position": c.get("signer_position") or "",
            "urgency": c.get("urgency") or Urgency.NORMAL,
            "due_date": c.get("due_date"),
            "field_abbreviation": c.get("field_abbreviation") or "",
            "recipients": [{"unit_id": int(u)} for u in c.get("recipients_units") or []]
            + c.get("_external", []),
            "in_reply_to": [int(i) for i in c.get("in_reply_to") or []],
            "copies": c.get("copies") or 1,
            "page_count": c.get("page_count"),
            "note": c.get("note") or "",
        }
        if c.get("replaces_id"):
            data["replaces_id"] = c["replaces_id"]
        return data


# Service field names → form field names.
_FIELD_MAP = {"recipients": "recipients_units", "attachments": "attachments", "file": "file"}


def apply_service_error(form: forms.Form, err) -> None:
    """Put an AppError's field messages next to the form's fields, the rest at the top."""
    placed = False
    for name, messages in (getattr(err, "fields", None) or {}).items():
        target = name
        if name.startswith("recipients."):
            target = "recipients_external"
        target = _FIELD_MAP.get(target, target)
        if target in form.fields:
            for message in messages:
                form.add_error(target, message)
            placed = True
        else:
            for message in messages:
                form.add_error(None, message)
            placed = True
    if not placed:
        form.add_error(None, err.message)


class VersionForm(EgovForm):
    file = forms.FileField(label=_("New version (.docx or .pdf)"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf"}))
    note = forms.CharField(label=_("What changed"), required=False, max_length=500)


class CommentForm(EgovForm):
    text = forms.CharField(label=_("Comment"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReviewForm(EgovForm):
    step = forms.ChoiceField(choices=ApprovalStep.choices, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you return the draft."),
    )


class RecallForm(EgovForm):
    reason = forms.CharField(label=_("Reason for the recall"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))
