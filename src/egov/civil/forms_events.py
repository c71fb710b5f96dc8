"""Forms of the registrar's pages for the other events (issue 13): the marital-status
certificate, the recognition of parents and children, guardianship and its end, the change,
correction or supplement of data, the noted divorce, adoption and court-declared death, and the
re-registration of a birth, marriage or death. As in forms.py they only parse input: the services
(services/events.py, services/events_notes.py) check everything and their messages are put next
to the fields.

Some parties are always records of the registry (the person whose status is certified, the
child recognised, the ward, the spouses of a divorce…): `REF_ONLY` — the form offers only the
search and the record number for them, never the fields of a new record."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.errors import AppError
from egov.core.forms import EgovForm

from .forms import (
    _PARENT,
    _PERSON,
    BIGINT,
    FOREIGN_ELEMENT,
    FOREIGN_ID,
    MODE_EXISTING,
    REGISTERED_ON,
    BirthForm,
    DeathForm,
    MarriageForm,
    PartyForm,
    _date,
    fee_exemption_field,
)
from .models import PartyRole

CHANGE_FIELD_CHOICES = [
    ("full_name", _("Full name")), ("birth_date", _("Date of birth")),
    ("birth_place", _("Place of birth")), ("hometown", _("Home town (quê quán)")),
    ("ethnicity", _("Ethnicity")), ("nationality", _("Nationality")),
    ("personal_id", _("Personal ID"))]
CHANGE_TYPE_CHOICES = [
    ("change", _("Change (thay đổi) — the name or the ethnicity")),
    ("correction", _("Correction (cải chính) — data written wrong")),
    ("supplement", _("Supplement (bổ sung) — data missing"))]


class EventForm(PartyForm):
    """A form of one of the other events; `REF_ONLY` parties are records of the registry."""

    REF_ONLY: tuple[str, ...] = ()
    registered_on = REGISTERED_ON["registered_on"]()
    fee_exemption = fee_exemption_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for party in self.REF_ONLY:
            self.fields[f"{party}_mode"] = forms.ChoiceField(
                choices=[(MODE_EXISTING, MODE_EXISTING)], initial=MODE_EXISTING,
                required=False, widget=forms.HiddenInput)
            self.fields[f"{party}_id"] = forms.IntegerField(
                label=_("Record number"), required=False, min_value=1, max_value=BIGINT,
                help_text=_("Find the person below, or type the number of their record."))
            self.fields[f"{party}_q"] = forms.CharField(
                label=_("Find by name or personal ID"), required=False, max_length=200,
                widget=forms.TextInput(attrs={"type": "search", "maxlength": 200}))
        if self.REF_ONLY:
            # Such a party is always "a person in the registry", whatever was posted.
            modes = {f"{party}_mode": MODE_EXISTING for party in self.REF_ONLY}
            if self.is_bound:
                self.data = self.data.copy()
                for name, mode in modes.items():
                    self.data[name] = mode
            else:
                self.initial = {**self.initial, **modes}

    def party_rows(self):
        rows = super().party_rows()
        for row in rows:
            row["ref_only"] = row["name"] in self.REF_ONLY
        return rows

    def clean(self):
        for party in self.REF_ONLY:
            self.cleaned_data[f"{party}_mode"] = MODE_EXISTING
        return super().clean()

    def _target(self, name: str) -> str:
        party, _sep, rest = name.partition(".")
        if party in self.REF_ONLY:
            # A record of the registry: whatever the service says of it goes by its number.
            return f"{party}_id"
        target = name.replace(".", "_")
        if target not in self.fields and target in self.PARTIES:
            target = f"{target}_mode"
        return target

    def apply_error(self, err: AppError) -> None:
        """The service's messages by the fields (a REF_ONLY party's by its record number); a
        refusal of the law (which cites the article) above the form too."""
        placed = False
        for name, msgs in (err.fields or {}).items():
            target = self._target(name)
            if target in self.fields:
                for m in msgs:
                    if m not in self.errors.get(target, []):
                        self.add_error(target, m)
                placed = True
        if (not placed or err.code != "invalid") and err.message not in self.non_field_errors():
            self.add_error(None, err.message)


def _field(label, max_length=300, required=False, help_text=""):
    return forms.CharField(label=label, max_length=max_length, required=required,
                           help_text=help_text,
                           widget=forms.TextInput(attrs={"maxlength": max_length}))


class _Decision(EgovForm):
    """The court's or authority's decision noted (Luật Hộ tịch 2014, Điều 3.2)."""

    authority = _field(_("Court or authority that decided"), required=True)
    decision_number = _field(_("Number of the judgment or decision"), 50, required=True)
    decision_date = forms.DateField(label=_("Date the decision took effect"), widget=_date())


class MaritalStatusForm(EventForm):
    REF_ONLY = ("person",)
    PARTIES = {"person": (_("The person certified"), False, [])}
    purpose = _field(_("Purpose of the certificate"))


class RecognitionForm(EventForm):
    REF_ONLY = ("child",)
    PARTIES = {"child": (_("The child"), False, []),
               "parent": (_("The parent recognised"), False, _PARENT + FOREIGN_ID)}
    foreign_element = FOREIGN_ELEMENT["foreign_element"]()
    role = forms.ChoiceField(label=_("The parent is the child's"), widget=forms.RadioSelect,
                             choices=[(PartyRole.FATHER, _("Father")),
                                      (PartyRole.MOTHER, _("Mother"))])


class GuardianshipForm(EventForm):
    REF_ONLY = ("ward",)
    PARTIES = {"ward": (_("Ward"), False, []),
               "guardian": (_("Guardian"), False, _PERSON + FOREIGN_ID)}
    foreign_element = FOREIGN_ELEMENT["foreign_element"]()
    mode = forms.ChoiceField(label=_("Kind of guardianship"), widget=forms.RadioSelect,
                             initial="appointed",
                             choices=[("appointed", _("Appointed (cử người giám hộ)")),
                                      ("statutory", _("Statutory (giám hộ đương nhiên)"))])
    ward_ground = _field(_("Court decision (for an adult ward)"),
                        help_text=_("Bộ luật Dân sự 2015, Điều 47.1: an adult is under "
                                    "guardianship only by a court decision."))
    guardian_capable = forms.BooleanField(
        label=_("The guardian has full civil capacity"), required=False, initial=True,
        help_text=_("Bộ luật Dân sự 2015, Điều 49.1."))


class GuardianshipEndForm(EventForm):
    PARTIES: dict = {}
    guardianship_id = forms.TypedChoiceField(label=_("Guardianship"), coerce=int,
                                             choices=[])
    ground = _field(_("Ground for ending it"), required=True,
                   help_text=_("Bộ luật Dân sự 2015, Điều 62: the ward reaches full age or "
                               "capacity, dies, is adopted, …"))

    def __init__(self, *args, guardianships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardianship_id"].choices = [("", "—")] + [
            (g.pk, _("%(guardian)s, guardian of %(ward)s (since %(day)s)") % {
                "guardian": g.guardian.full_name, "ward": g.ward.full_name,
                "day": g.event.registered_on.strftime("%d/%m/%Y")}) for g in guardianships]


class ChangeForm(EventForm):
    REF_ONLY = ("person",)
    PARTIES = {"person": (_("The person whose data is changed"), False, [])}
    change_type = forms.ChoiceField(label=_("What is asked"), widget=forms.RadioSelect,
                                    choices=CHANGE_TYPE_CHOICES, initial="correction")
    field = forms.ChoiceField(label=_("Data"), choices=[("", "—"), *CHANGE_FIELD_CHOICES])
    new_value = _field(_("New value"), required=True,
                      help_text=_("A date as dd/mm/yyyy or yyyy-mm-dd."))
    ground = _field(_("Ground"), required=True)
    parents_consent = forms.BooleanField(label=_("The parents consent (a person under 18)"),
                                         required=False)
    person_consent = forms.BooleanField(
        label=_("The person consents (from 9 years for a name, 15 for the ethnicity)"),
        required=False)

    def clean_new_value(self):
        value = self.cleaned_data["new_value"]
        if self.cleaned_data.get("field") == "birth_date" and "/" in value:
            day, _s, rest = value.partition("/")
            month, _s, year = rest.partition("/")
            if day.isdigit() and month.isdigit() and year.isdigit():
                return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
        return value


class DivorceForm(EventForm, _Decision):
    REF_ONLY = ("husband", "wife")
    PARTIES = {"husband": (_("Husband"), False, []), "wife": (_("Wife"), False, [])}


class AdoptionForm(EventForm, _Decision):
    REF_ONLY = ("child",)
    PARTIES = {"child": (_("The child"), False, []),
               "adoptive_father": (_("Adoptive father"), True, _PARENT),
               "adoptive_mother": (_("Adoptive mother"), True, _PARENT)}
    relative_adoption = forms.BooleanField(
        label=_("Adopted by a step-parent, aunt or uncle"), required=False,
        help_text=_("Luật Nuôi con nuôi 2010, Điều 8, 14.3."))


class DeathDeclarationForm(EventForm, _Decision):
    REF_ONLY = ("person",)
    PARTIES = {"person": (_("The person declared dead"), False, [])}
    death_date = forms.DateField(label=_("Date of death fixed by the court"), widget=_date())


class _Reregistration(EgovForm):
    original_registered_on = forms.DateField(
        label=_("Date of the original registration"), widget=_date(),
        help_text=_("Before 1/1/2016 (NĐ 123/2015/NĐ-CP, Điều 24.1)."))
    original_place = _field(_("Where it was registered"), required=True)
    book_lost = forms.BooleanField(
        label=_("The book and the original papers are both lost"), required=False)


class ReBirthForm(BirthForm, _Reregistration):
    not_duplicate = None


class ReMarriageForm(MarriageForm, _Reregistration):
    # The re-registration's service (events_notes.reregister) takes no flag: a party of another
    # nationality still makes the marriage one with a foreign element (services/foreign.py).
    foreign_element = None


class ReDeathForm(DeathForm, _Reregistration):
    place = None
    cause = None
