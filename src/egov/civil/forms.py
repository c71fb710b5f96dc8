"""Forms of the registrar's pages. They only parse input: the services (services/records.py)
check everything, and their messages are put next to the fields (`apply_error`).

A party (mother, father, husband, wife, the deceased) is either an existing record — chosen from
a search on the same page, or its record number typed — or the fields of a new record: the field
"<party>_mode" says which ("existing", "new", or "none" for a parent not declared)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.errors import AppError
from egov.core.forms import EgovForm

from .models import EventKind, Sex

BIGINT = 2**63 - 1
MODE_NONE, MODE_EXISTING, MODE_NEW = "none", "existing", "new"


def _date(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


def _text(label, max_length=300, required=False, help_text="", **attrs):
    return forms.CharField(label=label, max_length=max_length, required=required,
                           help_text=help_text,
                           widget=forms.TextInput(attrs={"maxlength": max_length, **attrs}))


# (field suffix, factory) of a new person's fields; the child and the deceased also have a sex.
PERSON_FIELDS = {
    "full_name": lambda: _text(_("Full name"), 200, autocomplete="off", spellcheck="false"),
    "sex": lambda: forms.ChoiceField(label=_("Sex"), required=False,
                                     choices=[("", "—"), *Sex.choices]),
    "birth_date": lambda: forms.DateField(label=_("Date of birth"), required=False,
                                          widget=_date()),
    "personal_id": lambda: forms.CharField(
        label=_("Personal ID"), required=False, max_length=12,
        help_text=_("12 digits, if the person has one."),
        widget=forms.TextInput(attrs={"maxlength": 12, "inputmode": "numeric",
                                      "autocomplete": "off"})),
    "birth_place": lambda: _text(_("Place of birth")),
    "hometown": lambda: _text(_("Home town (quê quán)")),
    "ethnicity": lambda: _text(_("Ethnicity"), 80),
    "nationality": lambda: _text(_("Nationality"), 80),
    "residence": lambda: _text(_("Residence")),
    # A foreign party (services/foreign.py): a passport or travel document, its issuing country.
    "identity_document": lambda: _text(
        _("Identity document (passport no.)"), 100, autocomplete="off",
        help_text=_("A foreign party: passport or travel document and its number.")),
    "identity_document_country": lambda: _text(_("Issuing country"), 80),
}
SPEC_KEYS = list(PERSON_FIELDS)


class PartyForm(EgovForm):
    """A form with some parties, each under its own prefix "<party>_…"; `PARTIES` maps a party
    to (its label, may it be left out, the fields of a new record)."""

    PARTIES: dict[str, tuple] = {}
    KIND = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for party, (label, optional, keys) in self.PARTIES.items():
            modes = ([(MODE_NONE, _("Not declared"))] if optional else []) + [
                (MODE_NEW, _("A new record")), (MODE_EXISTING, _("A person in the registry"))]
            if party != "child":
                self.fields[f"{party}_mode"] = forms.ChoiceField(
                    label=label, choices=modes, widget=forms.RadioSelect,
                    initial=MODE_NONE if optional else MODE_NEW)
                self.fields[f"{party}_id"] = forms.IntegerField(
                    label=_("Record number"), required=False, min_value=1, max_value=BIGINT,
                    help_text=_("Find the person below, or type the number of their record."))
                self.fields[f"{party}_q"] = forms.CharField(
                    label=_("Find by name or personal ID"), required=False, max_length=200,
                    widget=forms.TextInput(attrs={"type": "search", "maxlength": 200}))
            for key in keys:
                self.fields[f"{party}_{key}"] = PERSON_FIELDS[key]()
        self.order_fields(["registered_on"])

    def party_rows(self):
        """[(party, label, optional, mode field, id field, q field, [new-record fields])]"""
        rows = []
        for party, (label, optional, keys) in self.PARTIES.items():
            get = self.fields.get
            rows.append({
                "name": party, "label": label, "optional": optional,
                "mode": self[f"{party}_mode"] if get(f"{party}_mode") else None,
                "id": self[f"{party}_id"] if get(f"{party}_id") else None,
                "q": self[f"{party}_q"] if get(f"{party}_q") else None,
                "fields": [self[f"{party}_{k}"] for k in keys]})
        return rows

    def error_summary(self) -> list[tuple[str, str, str]]:
        """[(field id, label, message)] for the summary above the form: a party's field is named
        with its party ("Wife — Full name"), or the summary would list "Full name" twice."""
        out = []
        for field in self.visible_fields():
            party = next((p for p in self.PARTIES if field.name.startswith(f"{p}_")), None)
            label = str(field.label)
            if party and field.name != f"{party}_mode":
                label = f"{self.PARTIES[party][0]} — {label}"
            out += [(field.auto_id, label, str(error)) for error in field.errors]
        return out

    def clean(self):
        cleaned = super().clean()
        for party, (_label, _optional, keys) in self.PARTIES.items():
            mode = cleaned.get(f"{party}_mode", MODE_NEW)
            # A new record needs a name; the child's and the deceased's also a sex (the form
            # asks it: a parent's or a spouse's follows from the role), the child a birth date.
            needed = ["full_name"] + [k for k in ("sex",) if k in keys]
            if party == "child":
                needed.append("birth_date")
            for key in needed if mode == MODE_NEW else ():
                name = f"{party}_{key}"
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("This field is required."))
            if cleaned.get(f"{party}_mode") == MODE_EXISTING and not cleaned.get(f"{party}_id") \
                    and f"{party}_id" not in self.errors:
                self.add_error(f"{party}_id", _("Choose the person from the search results, "
                                                "or type the number of their record."))
        return cleaned

    def spec(self, party: str) -> dict | None:
        """The service's spec of a party: {"id": …}, the new record's fields, or None."""
        c = self.cleaned_data
        mode = c.get(f"{party}_mode", MODE_NEW)
        if mode == MODE_NONE:
            return None
        if mode == MODE_EXISTING:
            return {"id": c.get(f"{party}_id")}
        out = {}
        for key in self.PARTIES[party][2]:
            value = c.get(f"{party}_{key}")
            if value not in (None, ""):
                out[key] = value.isoformat() if hasattr(value, "isoformat") else value
        return out

    def apply_error(self, err: AppError) -> None:
        """The service's messages by the fields: "mother.full_name" → mother_full_name,
        "mother.id" → mother_id, "mother" → mother_mode; the rest above the form."""
        placed = False
        for name, msgs in (err.fields or {}).items():
            target = name.replace(".", "_")
            if target not in self.fields and target in self.PARTIES:
                target = f"{target}_mode"
            if target in self.fields:
                for m in msgs:
                    self.add_error(target, m)
                placed = True
        if not placed or err.code not in ("invalid",):
            # A refusal of the law: its message (which cites the article) above the form too.
            if err.message not in self.non_field_errors():
                self.add_error(None, err.message)


REGISTERED_ON = {
    "registered_on": lambda: forms.DateField(
        label=_("Registration date"), required=False, widget=_date(),
        help_text=_("Today if left empty."))}

def fee_exemption_field():
    """The ground of exemption from the fee shown by the papers (Luật Hộ tịch 2014, Điều 11.1.a;
    services/fees.py)."""
    from .models import FeeGround

    grounds = (FeeGround.MERITORIOUS_FAMILY, FeeGround.POOR_HOUSEHOLD, FeeGround.DISABILITY)
    return forms.ChoiceField(label=_("Exempt from the fee (Luật Hộ tịch 2014, Điều 11.1.a)"),
                             required=False,
                             choices=[("", _("No ground"))] + [(g.value, g.label)
                                                               for g in grounds])


_CHILD = ["full_name", "sex", "birth_date", "birth_place", "hometown", "ethnicity",
          "nationality", "personal_id"]
_PARENT = ["full_name", "birth_date", "personal_id", "ethnicity", "nationality", "residence"]
_PERSON = ["full_name", "sex", "birth_date", "personal_id", "ethnicity", "nationality",
           "residence"]
# The parties of the events with a foreign element (marriage, recognition, guardianship): the
# identity document of a foreign party too (Luật Hộ tịch 2014, Điều 17.2).
FOREIGN_ID = ["identity_document", "identity_document_country"]
FOREIGN_ELEMENT = {
    "foreign_element": lambda: forms.BooleanField(
        label=_("With a foreign element (có yếu tố nước ngoài)"), required=False,
        help_text=_("A party is a foreigner or a Vietnamese citizen settled abroad; a party of "
                    "another nationality makes it so anyway."))}


class BirthForm(PartyForm):
    KIND = EventKind.BIRTH
    PARTIES = {"child": (_("The child"), False, _CHILD),
               "mother": (_("Mother"), True, _PARENT),
               "father": (_("Father"), True, _PARENT)}
    registered_on = REGISTERED_ON["registered_on"]()
    fee_exemption = fee_exemption_field()
    not_duplicate = forms.BooleanField(
        label=_("I have checked: this is not a duplicate of a registered person"),
        required=False)

    def spec(self, party):
        if party == "child":
            c, out = self.cleaned_data, {}
            for key in _CHILD:
                value = c.get(f"child_{key}")
                if value not in (None, ""):
                    out[key] = value.isoformat() if hasattr(value, "isoformat") else value
            return out
        return super().spec(party)


class DeathForm(PartyForm):
    KIND = EventKind.DEATH
    PARTIES = {"person": (_("The deceased"), False, _PERSON)}
    death_date = forms.DateField(label=_("Date of death"), widget=_date())
    registered_on = REGISTERED_ON["registered_on"]()
    fee_exemption = fee_exemption_field()
    place = _text(_("Place of death"))
    cause = _text(_("Cause of death"))


class MarriageForm(PartyForm):
    KIND = EventKind.MARRIAGE
    PARTIES = {"husband": (_("Husband"), False, _PARENT + FOREIGN_ID),
               "wife": (_("Wife"), False, _PARENT + FOREIGN_ID)}
    registered_on = REGISTERED_ON["registered_on"]()
    foreign_element = FOREIGN_ELEMENT["foreign_element"]()
    fee_exemption = fee_exemption_field()
    both_present = forms.BooleanField(
        label=_("Both parties are present"), required=False, initial=True,
        help_text=_("Luật Hộ tịch 2014, Điều 18.2: both parties are present at the "
                    "registration."))


class SearchForm(EgovForm):
    q = forms.CharField(label=_("Name or personal ID"), required=False, max_length=200,
                        help_text=_("A name with or without diacritics, or the 12-digit ID."),
                        widget=forms.TextInput(attrs={"type": "search", "maxlength": 200}))
    born = forms.CharField(label=_("Date or year of birth"), required=False, max_length=10,
                           help_text=_("DD/MM/YYYY, or the year alone."),
                           widget=forms.TextInput(attrs={"maxlength": 10, "inputmode": "numeric"}))
    father = forms.CharField(label=_("Father's name"), required=False, max_length=200,
                             widget=forms.TextInput(attrs={"maxlength": 200}))
    mother = forms.CharField(label=_("Mother's name"), required=False, max_length=200,
                             widget=forms.TextInput(attrs={"maxlength": 200}))
    cursor = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    CRITERIA = ("q", "born", "father", "mother")


class BookFilterForm(EgovForm):
    kind = forms.ChoiceField(label=_("Kind of event"), required=False,
                             choices=[("", _("All")), *EventKind.choices])
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=9999)
