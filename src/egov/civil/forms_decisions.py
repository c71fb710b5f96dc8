"""Forms of the registrar's pages for the other decisions noted (Luật Hộ tịch 2014, Điều
3.2–3.3; services/events_decisions.py, services/events_status.py): as forms_events.py they only
parse input, the services check everything and their messages go by the fields. Each shows its
own fields, then the decision (`DECISION_FIELDS`), in `decision_fields` order."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import _PARENT, BIGINT
from .forms_events import EventForm, _Decision, _field
from .models import PartyRole, Sex

DECISION_FIELDS = ("authority", "decision_number", "decision_date")


class _Noted(EventForm, _Decision):
    OWN: tuple[str, ...] = ()

    def decision_fields(self):
        return [self[name] for name in (*self.OWN, *DECISION_FIELDS)]


def _choice(label, choices, initial=None):
    return forms.ChoiceField(label=label, widget=forms.RadioSelect, choices=choices,
                             initial=initial)


def _event_id(label, help_text):
    return forms.IntegerField(label=label, required=False, min_value=1, max_value=BIGINT,
                              help_text=help_text)


class AdoptionEndForm(_Noted):
    REF_ONLY = ("child",)
    PARTIES = {"child": (_("The adopted child"), False, [])}
    OWN = ("adoption_event_id", "ground")
    adoption_event_id = _event_id(_("Number of the adoption event"),
                                  _("Leave empty for the child's one adoption in force."))
    ground = _field(_("Ground for ending it"),
                    help_text=_("Luật Nuôi con nuôi 2010, Điều 25."))


class AnnulmentForm(_Noted):
    REF_ONLY = ("husband", "wife")
    PARTIES = {"husband": (_("Husband"), False, []), "wife": (_("Wife"), False, [])}
    OWN = ("marriage_event_id",)
    marriage_event_id = _event_id(_("Number of the marriage event annulled"),
                                  _("Leave empty for the two persons' recorded marriage."))


NATIONALITY_CHOICES = [
    ("acquired", _("Acquired (nhập quốc tịch)")),
    ("restored", _("Restored (trở lại quốc tịch)")),
    ("renounced", _("Renounced (thôi quốc tịch)")),
    ("deprived", _("Deprived (tước quốc tịch)")),
    ("revoked", _("Grant revoked (hủy quyết định cho nhập quốc tịch)"))]


class NationalityForm(_Noted):
    REF_ONLY = ("person",)
    PARTIES = {"person": (_("The person"), False, [])}
    OWN = ("change_type", "nationality")
    change_type = _choice(_("Kind of change"), NATIONALITY_CHOICES, "acquired")
    nationality = _field(_("New nationality"), 80, required=True)


class ParentageForm(_Noted):
    REF_ONLY = ("child",)
    PARTIES = {"child": (_("The child"), False, []),
               "parent": (_("The parent in the decision"), False, _PARENT)}
    OWN = ("role", "finding")
    role = _choice(_("The parent is the child's"),
                   [(PartyRole.FATHER, _("Father")), (PartyRole.MOTHER, _("Mother"))])
    finding = _choice(_("The court found"),
                      [("parent", _("This person is the parent")),
                       ("not_parent", _("The recorded parent is not the parent"))], "parent")


class GenderForm(_Noted):
    REF_ONLY = ("person",)
    PARTIES = {"person": (_("The person"), False, [])}
    OWN = ("sex", "new_personal_id")
    sex = forms.ChoiceField(label=_("Sex re-determined"), choices=[("", "—"), *Sex.choices])
    new_personal_id = forms.CharField(
        label=_("New personal ID"), required=False, max_length=12,
        help_text=_("Only if the citizen obtained one (NĐ 70/2024/NĐ-CP, Điều 11.7.a)."),
        widget=forms.TextInput(attrs={"maxlength": 12, "inputmode": "numeric",
                                      "autocomplete": "off"}))


class PersonDecisionForm(_Noted):
    """A declaration or cancellation about one person: missing status, civil capacity, death."""

    REF_ONLY = ("person",)
    PARTIES = {"person": (_("The person"), False, [])}


class CapacityForm(PersonDecisionForm):
    OWN = ("capacity",)
    capacity = _choice(_("The court declared"), [
        ("lost", _("Lost civil capacity (Bộ luật Dân sự 2015, Điều 22)")),
        ("limited", _("Limited civil capacity (Bộ luật Dân sự 2015, Điều 24)"))], "lost")


class AbroadMarriageForm(_Noted):
    PARTIES = {"husband": (_("Husband"), False, _PARENT), "wife": (_("Wife"), False, _PARENT)}
    OWN = ("country",)
    country = _field(_("Country where it was done"), 80, required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].label = _("Foreign authority that decided")
        self.fields["decision_number"].label = _("Number of its certificate or decision")
        self.fields["decision_date"].label = self.DATE_LABEL

    DATE_LABEL = _("Date of the marriage")


class AbroadDivorceForm(AbroadMarriageForm):
    OWN = ("country", "dissolution")
    DATE_LABEL = _("Date the decision took effect")
    dissolution = _choice(_("What was decided"), [
        ("divorce", _("Divorce (ly hôn)")),
        ("annulment", _("Annulment of the marriage (hủy việc kết hôn)"))], "divorce")

