"""Forms of the incoming-document pages. They only parse input: the services validate and their
messages are put next to the fields (`apply_app_error`, `apply_assign_error`)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.core.forms import EgovForm

from .models import Channel, DocumentType, Secrecy, Urgency

# The types a clerk meets most, first in the select (công văn, quyết định, thông báo, kế hoạch,
# giấy mời, báo cáo, hướng dẫn, tờ trình); the rest follow in the catalogue's order.
COMMON_TYPES = ("CV", "QD", "TB", "KH", "GM", "BC", "HD", "TTR", "CD")


def type_choices() -> list[tuple[str, str]]:
    today = timezone.localdate()
    rows = list(DocumentType.objects.filter(valid_from__lte=today)
                .exclude(valid_to__lt=today).order_by("ordering", "name")
                .values_list("code", "name"))
    rank = {code: i for i, code in enumerate(COMMON_TYPES)}
    rows.sort(key=lambda r: rank.get(r[0], len(COMMON_TYPES)))
    return rows


def _date_input(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


def _text_input(maxlength: int, **attrs):
    return forms.TextInput(attrs={"maxlength": maxlength, "autocomplete": "off", **attrs})


class RegisterForm(EgovForm):
    """The clerk's registration desk: Phụ lục VI Part II §II fields, in the order a clerk reads
    them off the document (issuer, number, date, type, subject, signer, urgency…)."""

    file = forms.FileField(
        label=_("PDF file"), required=False,
        help_text=_("The scan or the electronic original; it is shown beside the form."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf",
                                               "autofocus": True,
                                               "data-pdf-preview": "doc-incoming-preview"}),
    )
    issuer_name = forms.CharField(label=_("Issuing agency"), required=False,
                                  widget=_text_input(200))
    number = forms.CharField(label=_("Number"), required=False,
                             widget=_text_input(11, inputmode="numeric"))
    notation = forms.CharField(label=_("Notation"), required=False,
                               help_text=_("E.g. QĐ-UBND"), widget=_text_input(30))
    issued_date = forms.DateField(label=_("Document date"), required=False,
                                  widget=_date_input())
    type_code = forms.ChoiceField(label=_("Document type"), required=False, choices=())
    subject = forms.CharField(label=_("Subject"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}))
    signer_name = forms.CharField(label=_("Signer"), required=False, widget=_text_input(50))
    signer_position = forms.CharField(label=_("Signer's position"), required=False,
                                      widget=_text_input(100))
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=Urgency.choices,
                                initial=Urgency.NORMAL)
    page_count = forms.IntegerField(label=_("Number of pages"), required=False, min_value=1,
                                    max_value=999,
                                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    due_date = forms.DateField(label=_("Reply due date"), required=False, widget=_date_input(),
                               help_text=_("If the document asks for an answer by a date."))
    channel = forms.ChoiceField(label=_("Received as"), required=False, choices=Channel.choices,
                                initial=Channel.PAPER)
    secrecy = forms.ChoiceField(
        label=_("Secrecy"), required=False, choices=Secrecy.choices, initial=Secrecy.NONE,
        help_text=_("Secret documents are not registered in eGov."),
    )
    issuer_electronic_id = forms.CharField(label=_("Issuer's electronic identifier"),
                                           required=False, widget=_text_input(13),
                                           help_text=_("E.g. 000.00.00.H41"))
    description = forms.CharField(label=_("Notes"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}))
    agency = forms.ChoiceField(label=_("Register for"), required=False, choices=())
    confirm_duplicate = forms.BooleanField(label=_("Register anyway"), required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_code"].choices = [("", "—")] + type_choices()
        self.fields["type_code"].initial = COMMON_TYPES[0]
        self.agencies = list(agencies)
        if len(self.agencies) > 1:
            self.fields["agency"].choices = [(str(a.pk), a.name) for a in self.agencies]
        else:
            del self.fields["agency"]

    def service_data(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items()
                if name not in {"file", "agency", "confirm_duplicate"}}
        return data

    def chosen_agency(self):
        if len(self.agencies) == 1:
            return self.agencies[0]
        wanted = self.cleaned_data.get("agency")
        for agency in self.agencies:
            if str(agency.pk) == wanted:
                return agency
        return None


def _unit_choices(units, blank=True):
    choices = [("", "—")] if blank else []
    return choices + [(str(u.pk), u.name) for u in units]


def _user_choices(users, blank=True):
    choices = [("", "—")] if blank else []
    return choices + [(str(u.pk), u.get_full_name()) for u in users]


class AssignForm(EgovForm):
    """Ý kiến chỉ đạo: one lead (a unit or a person) with its deadline, supporting units each
    with its own deadline (empty = the lead's; never later, services.assignments_deadlines) and
    informed units (no deadline). Units already assigned to the document are not offered."""

    instruction = forms.CharField(label=_("Instructions"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}))
    lead_unit = forms.ChoiceField(label=_("Lead unit"), required=False, choices=())
    lead_user = forms.ChoiceField(label=_("or lead person"), required=False, choices=())
    support_units = forms.MultipleChoiceField(label=_("Supporting units"), required=False,
                                              choices=(),
                                              widget=forms.CheckboxSelectMultiple)
    inform_units = forms.MultipleChoiceField(label=_("For information"), required=False,
                                             choices=(), widget=forms.CheckboxSelectMultiple)
    due_date = forms.DateField(label=_("Deadline"), required=False, widget=_date_input())

    def __init__(self, *args, units=(), people=(), with_lead=True, taken=(), **kwargs):
        super().__init__(*args, **kwargs)
        taken = {int(pk) for pk in taken}
        free = [u for u in units if u.pk not in taken]
        self.fields["lead_unit"].choices = _unit_choices(free)
        self.fields["lead_user"].choices = _user_choices(people)
        self.fields["support_units"].choices = _unit_choices(free, blank=False)
        self.fields["inform_units"].choices = _unit_choices(free, blank=False)
        self.support_due_names: dict[str, str] = {}
        for unit in free:
            name = f"support_due_{unit.pk}"
            self.fields[name] = forms.DateField(
                label=_("Deadline for %(unit)s") % {"unit": unit.name}, required=False,
                widget=_date_input())
            self.support_due_names[str(unit.pk)] = name
        self.with_lead = with_lead
        if not with_lead:  # adding units to the open lead: only their own deadlines
            del self.fields["lead_unit"]
            del self.fields["lead_user"]
            del self.fields["due_date"]
        if not people and with_lead:
            del self.fields["lead_user"]
        self.lines: list[str] = []  # form field of each assignment line, for error messages
        self.due_lines: list[str] = []  # form field of each line's deadline

    def support_rows(self) -> list[tuple]:
        """(checkbox, its deadline field) for each supporting unit offered."""
        boxes = list(self["support_units"])
        return [(box, self[self.support_due_names[str(box.data["value"])]]) for box in boxes]

    def clean(self):
        data = super().clean()
        if self.with_lead and data.get("lead_unit") and data.get("lead_user"):
            self.add_error("lead_user", _("Choose a lead unit or a lead person, not both."))
        return data

    def service_assignments(self) -> list[dict]:
        data = self.cleaned_data
        due = data.get("due_date")
        lines: list[dict] = []
        self.lines = []
        self.due_lines = []
        if self.with_lead:
            if data.get("lead_unit"):
                lines.append({"unit_id": int(data["lead_unit"]), "role": "lead",
                              "due_date": due})
                self.lines.append("lead_unit")
                self.due_lines.append("due_date")
            elif data.get("lead_user"):
                lines.append({"user_id": int(data["lead_user"]), "role": "lead",
                              "due_date": due})
                self.lines.append("lead_user")
                self.due_lines.append("due_date")
        for unit_id in data.get("support_units") or []:
            if unit_id == data.get("lead_unit"):
                continue
            name = self.support_due_names.get(str(unit_id), "due_date")
            # Empty: the lead's deadline (the service fills it in).
            own = data.get(name) if name != "due_date" else None
            lines.append({"unit_id": int(unit_id), "role": "support", "due_date": own})
            self.lines.append("support_units")
            self.due_lines.append(name if data.get(name) else "due_date")
        for unit_id in data.get("inform_units") or []:
            lines.append({"unit_id": int(unit_id), "role": "inform"})
            self.lines.append("inform_units")
            self.due_lines.append("due_date")
        return lines

    def apply_error(self, err) -> None:
        """Service errors "assignments.<i>.<field>" go to the form field of line i."""
        placed = False
        for name, messages in (err.fields or {}).items():
            target = None
            if name == "instruction":
                target = "instruction"
            elif name == "assignments":
                target = "lead_unit" if "lead_unit" in self.fields else None
            elif name.startswith("assignments."):
                parts = name.split(".")
                index = int(parts[1]) if parts[1].isdigit() else None
                if parts[-1] == "due_date":
                    target = (self.due_lines[index] if index is not None
                              and index < len(self.due_lines) else "due_date")
                elif index is not None and index < len(self.lines):
                    target = self.lines[index]
            for message in messages:
                if target and target in self.fields:
                    self.add_error(target, message)
                    placed = True
                else:
                    self.add_error(None, message)
                    placed = True
        if not placed:
            self.add_error(None, err.message)


class ReassignForm(EgovForm):
    to_user_id = forms.ChoiceField(label=_("Person"), required=False, choices=())
    instruction = forms.CharField(label=_("Instructions"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}))
    due_date = forms.DateField(label=_("Deadline"), required=False, widget=_date_input())

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user_id"].choices = _user_choices(people)


class CompleteForm(EgovForm):
    result = forms.CharField(label=_("Result"), required=False,
                             help_text=_("What was done. Issuing the reply linked to this "
                                         "document also completes it."),
                             widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}))


class ForwardForm(EgovForm):
    to_unit_id = forms.ChoiceField(label=_("To unit"), required=False, choices=())
    to_user_id = forms.ChoiceField(label=_("or to person"), required=False, choices=())
    reason = forms.CharField(label=_("Reason"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}))

    def __init__(self, *args, units=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit_id"].choices = _unit_choices(units)
        self.fields["to_user_id"].choices = _user_choices(people)


class ReturnForm(EgovForm):
    reason = forms.CharField(label=_("Reason"), required=False,
                             help_text=_("Why the work goes back (required)."),
                             widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}))


class ListFilterForm(EgovForm):
    state = forms.ChoiceField(label=_("State"), required=False, choices=())
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=())
    type = forms.ChoiceField(label=_("Document type"), required=False, choices=())
    arrival_from = forms.DateField(label=_("Arrived from"), required=False, widget=_date_input())
    arrival_to = forms.DateField(label=_("Arrived until"), required=False, widget=_date_input())
    # The dashboard's links (selectors.dashboard.handling_filter); shown as a note, not fields.
    handling = forms.ChoiceField(required=False, choices=(), widget=forms.HiddenInput)
    unit = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    agency = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    period_from = forms.DateField(required=False, widget=forms.HiddenInput)
    period_to = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        from .models import IncomingState

        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All"))] + list(IncomingState.choices)
        self.fields["urgency"].choices = ([("", _("All")), ("urgent_any", _("Any urgent"))]
                                          + list(Urgency.choices))
        self.fields["type"].choices = [("", _("All"))] + type_choices()
        from .selectors.reports import BUCKETS

        self.fields["handling"].choices = [("", "")] + [(b, b) for b in BUCKETS]
