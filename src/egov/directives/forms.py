"""Forms of the directive pages. They only parse input: the services validate, and their
messages are put next to the fields (`apply_error`). A party (lead, supporting unit, person
informed) is sent as "u<id>" (a unit) or "p<id>" (a person)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core.forms import EgovForm

from .models import Bucket, Priority, Recurrence, SourceKind

BUCKET_LABELS = [
    (Bucket.OPEN_LATE.value, pgettext_lazy("directive status", "Not done, overdue")),
    (Bucket.OPEN_ON_TIME.value, pgettext_lazy("directive status", "Not done, in time")),
    (Bucket.DONE_LATE.value, pgettext_lazy("directive status", "Done late")),
    (Bucket.DONE_ON_TIME.value, pgettext_lazy("directive status", "Done on time")),
    ("cancelled", _("Cancelled")),
]


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


def _area(rows: int = 3, maxlength: int = 5000):
    return forms.Textarea(attrs={"rows": rows, "maxlength": maxlength})


def _date(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


def party_spec(value: str) -> dict | None:
    """"u12" → {"unit_id": 12}; "p7" → {"user_id": 7}; anything else → None."""
    value = (value or "").strip()
    if len(value) < 2 or len(value) > 12 or not value[1:].isdigit():
        return None
    if value[0] == "u":
        return {"unit_id": int(value[1:])}
    if value[0] == "p":
        return {"user_id": int(value[1:])}
    return None


# --- lists --------------------------------------------------------------------------------------


class ListFilterForm(EgovForm):
    bucket = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), *BUCKET_LABELS])
    unit = forms.TypedChoiceField(label=_("Lead unit"), required=False, coerce=int,
                                  empty_value=None)
    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        help_text=_("Code or words of the title."),
                        widget=forms.TextInput(attrs={"type": "search", "maxlength": 200}))
    due_from = forms.DateField(label=_("Deadline from"), required=False, widget=_date())
    due_to = forms.DateField(label=_("Deadline to"), required=False, widget=_date())

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All")), *((u.pk, u.name) for u in units)]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("due_from"), cleaned.get("due_to")
        if start and end and end < start:
            self.add_error("due_to", _("The end date is before the start date."))
        return cleaned


# --- giving a directive -------------------------------------------------------------------------


class GiveForm(EgovForm):
    title = forms.CharField(label=_("Title of the directive"), required=False,
                            widget=_area(2, 500),
                            help_text=_("What is to be done, in one sentence."))
    content = forms.CharField(label=_("Content"), required=False, widget=_area(5, 20000))
    guidance = forms.CharField(label=_("Leader's guidance (ý kiến chỉ đạo)"), required=False,
                               widget=_area(3, 5000))
    lead = forms.ChoiceField(label=_("Lead (chủ trì)"), required=False, widget=forms.RadioSelect,
                             help_text=_("One unit, or one person (the unit is their post's)."))
    support = forms.MultipleChoiceField(
        label=_("Supporting units (phối hợp)"), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each may have its own deadline, not after the directive's."))
    inform = forms.MultipleChoiceField(label=_("For information (để biết)"), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    due_date = forms.DateField(label=_("Deadline"), required=False, widget=_date())
    recurrence = forms.ChoiceField(label=_("Recurrence"), choices=Recurrence.choices,
                                   initial=Recurrence.NONE, required=False)
    recurrence_day = forms.IntegerField(
        label=_("Report due on day"), required=False,
        help_text=_("Recurring reports: the day (1–28) after the end of each period."),
        widget=forms.NumberInput(attrs={"min": 1, "max": 28}))
    recurrence_until = forms.DateField(label=_("Recurring until"), required=False,
                                       widget=_date())
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices,
                                 initial=Priority.NORMAL, required=False)
    source_kind = forms.ChoiceField(label=_("Source"), choices=SourceKind.choices,
                                    initial=SourceKind.NONE, required=False)
    source_code = forms.CharField(
        label=_("Number and notation of the source document"), required=False, max_length=42,
        help_text=_("For an incoming or outgoing document, e.g. 123/UBND-VP."),
        widget=forms.TextInput(attrs={"maxlength": 42, "autocomplete": "off"}))
    source_text = forms.CharField(
        label=_("Source reference"), required=False, max_length=500,
        help_text=_("E.g. the meeting conclusion's number and date."),
        widget=forms.TextInput(attrs={"maxlength": 500}))
    source_document_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, leads=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = list(leads)
        self.fields["support"].choices = list(units)
        self.fields["inform"].choices = list(units)
        self.support_due_errors: dict[str, list[str]] = {}

    def support_dues(self) -> dict[str, str]:
        """The own deadlines typed beside the supporting units ("support_due_u12")."""
        return {value: (self.data.get(f"support_due_{value}") or "").strip()[:10]
                for value, _label in self.fields["support"].choices}

    def service_data(self) -> dict:
        c = self.cleaned_data
        dues = self.support_dues()
        support = []
        for value in c.get("support") or []:
            spec = party_spec(value)
            if spec is not None:
                if dues.get(value):
                    spec["due_date"] = dues[value]
                support.append(spec)
        return {
            "title": c.get("title") or "", "content": c.get("content") or "",
            "guidance": c.get("guidance") or "",
            "lead": party_spec(c.get("lead") or "") or {},
            "support": support,
            "inform": [s for s in (party_spec(v) for v in c.get("inform") or []) if s],
            "due_date": c.get("due_date"), "priority": c.get("priority") or Priority.NORMAL,
            "recurrence": c.get("recurrence") or Recurrence.NONE,
            "recurrence_day": c.get("recurrence_day"),
            "recurrence_until": c.get("recurrence_until"),
            "source_kind": c.get("source_kind") or SourceKind.NONE,
            "source_text": c.get("source_text") or "",
        }



# --- the actions of the directive page ----------------------------------------------------------


class ProgressForm(EgovForm):
    percent = forms.IntegerField(label=_("Progress (%)"), required=False,
                                 widget=forms.NumberInput(attrs={"min": 0, "max": 100}))
    text = forms.CharField(label=_("What was done"), required=False, widget=_area(4))
    files = MultipleFileField(label=_("Files"), required=False)

    def clean_percent(self):
        value = self.cleaned_data.get("percent")
        if value is None:
            raise forms.ValidationError(_("Enter the progress, from 0 to 100."))
        if not 0 <= value <= 100:
            raise forms.ValidationError(_("Enter the progress, from 0 to 100."))
        return value


class ExtensionRequestForm(EgovForm):
    reason = forms.CharField(label=_("Reason"), required=False, widget=_area(3))
    proposed_date = forms.DateField(label=_("Proposed deadline"), required=False,
                                    widget=_date())


DECISIONS = [("approve", _("Approve")), ("refuse", _("Refuse"))]


class ExtensionDecideForm(EgovForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, required=False,
                                 widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, widget=_area(2))

    def clean_decision(self):
        value = self.cleaned_data.get("decision")
        if value not in ("approve", "refuse"):
            raise forms.ValidationError(_("Approve or refuse the request."))
        return value


class CompletionForm(EgovForm):
    result_text = forms.CharField(label=_("Result"), required=False, widget=_area(4))
    files = MultipleFileField(label=_("Files"), required=False)
    result_code = forms.CharField(
        label=_("Issued outgoing document (number and notation)"), required=False,
        max_length=42, help_text=_("If the result is a document issued by your agency."),
        widget=forms.TextInput(attrs={"maxlength": 42, "autocomplete": "off"}))


class NoteForm(EgovForm):
    note = forms.CharField(label=_("Note"), required=False, widget=_area(2))


class ReturnForm(EgovForm):
    note = forms.CharField(label=_("What is missing"), required=False, widget=_area(3))

    def clean_note(self):
        value = (self.cleaned_data.get("note") or "").strip()
        if not value:
            raise forms.ValidationError(_("Say why the report is returned."))
        return value


class CancelForm(EgovForm):
    reason = forms.CharField(label=_("Reason"), required=False, widget=_area(2))
    confirm = forms.BooleanField(label=_("I confirm the cancellation; this cannot be undone."),
                                 required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("confirm"):
            self.add_error("confirm", _("Tick the box to confirm."))
        return cleaned


class SplitForm(EgovForm):
    title = forms.CharField(label=_("Title of the part"), required=False, widget=_area(2, 500))
    content = forms.CharField(label=_("Content"), required=False, widget=_area(3, 20000))
    lead = forms.ChoiceField(label=_("Carried out by"), required=False)
    due_date = forms.DateField(label=_("Deadline"), required=False, widget=_date())
    weight = forms.IntegerField(
        label=_("Weight"), required=False, initial=1,
        help_text=_("How much this part counts in the directive's progress (1–100)."),
        widget=forms.NumberInput(attrs={"min": 1, "max": 100}))

    def __init__(self, *args, leads=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [("", "—"), *leads]
