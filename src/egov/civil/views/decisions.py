"""The registrar's pages for the other decisions noted (Luật Hộ tịch 2014, Điều 3.2–3.3): one
form page each at /civil/events/new/<kind>/, served by `other_events.event_new` (these are
added to its PAGES) — the services check everything, their messages go by the fields."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _T

from .. import forms_decisions as fd
from ..services import events_decisions as ed
from ..services import events_status as es
from .common import fee_details

TEMPLATE = "civil/events/decision.html"
LHT = "Luật Hộ tịch 2014, Điều 3.2"


def _decision(form) -> dict:
    c = form.cleaned_data
    return {"authority": c["authority"], "decision_number": c["decision_number"],
            "decision_date": c["decision_date"], "registered_on": c.get("registered_on"),
            "details": fee_details(c)}


def _adoption_end(user, form):
    c = form.cleaned_data
    return ed.note_adoption_end(actor=user, child=form.spec("child"),
                                adoption_event_id=c.get("adoption_event_id"),
                                ground=c.get("ground") or "", **_decision(form))


def _annulment(user, form):
    return ed.note_annulment(actor=user, husband=form.spec("husband"), wife=form.spec("wife"),
                             marriage_event_id=form.cleaned_data.get("marriage_event_id"),
                             **_decision(form))


def _nationality(user, form):
    c = form.cleaned_data
    return es.note_nationality(actor=user, person=form.spec("person"),
                               change_type=c["change_type"], nationality=c["nationality"],
                               **_decision(form))


def _parentage(user, form):
    c = form.cleaned_data
    return ed.note_parentage(actor=user, child=form.spec("child"), parent=form.spec("parent"),
                             role=c["role"], finding=c["finding"], **_decision(form))


def _gender(user, form):
    c = form.cleaned_data
    return es.note_gender(actor=user, person=form.spec("person"), sex=c["sex"],
                          new_personal_id=c.get("new_personal_id") or "", **_decision(form))


def _capacity(user, form):
    return es.note_capacity(actor=user, person=form.spec("person"),
                            capacity=form.cleaned_data["capacity"], **_decision(form))


def _person(service):
    def submit(user, form):
        return service(actor=user, person=form.spec("person"), **_decision(form))
    return submit


def _abroad_marriage(user, form):
    return ed.note_abroad_marriage(actor=user, husband=form.spec("husband"),
                                   wife=form.spec("wife"), country=form.cleaned_data["country"],
                                   **_decision(form))


def _abroad_divorce(user, form):
    c = form.cleaned_data
    return ed.note_abroad_divorce(actor=user, husband=form.spec("husband"),
                                  wife=form.spec("wife"), country=c["country"],
                                  dissolution=c["dissolution"], **_decision(form))


def pages(page) -> dict:
    """{slug: page(form, title, template, submit, basis)} of the decisions' pages."""
    rows = [
        ("adoption-end", fd.AdoptionEndForm, _T("Note the termination of an adoption"),
         _adoption_end, f"{LHT}; Luật Nuôi con nuôi 2010, Điều 25–27"),
        ("annulment", fd.AnnulmentForm, _T("Note the annulment of an unlawful marriage"),
         _annulment, f"{LHT}; Luật Hôn nhân và gia đình 2014, Điều 11"),
        ("nationality", fd.NationalityForm, _T("Note a change of nationality"), _nationality,
         f"{LHT}; Luật Quốc tịch Việt Nam 2008"),
        ("parentage", fd.ParentageForm, _T("Note a court's determination of parentage"),
         _parentage, f"{LHT}; Luật Hôn nhân và gia đình 2014, Điều 88–89, 101"),
        ("gender", fd.GenderForm, _T("Note a gender re-determination"), _gender,
         f"{LHT}; Bộ luật Dân sự 2015, Điều 36"),
        ("missing", fd.PersonDecisionForm, _T("Note a declaration of missing status"),
         _person(es.note_missing), f"{LHT}; Bộ luật Dân sự 2015, Điều 68"),
        ("missing-end", fd.PersonDecisionForm,
         _T("Note the cancellation of a declaration of missing status"),
         _person(es.note_missing_end), f"{LHT}; Bộ luật Dân sự 2015, Điều 70"),
        ("capacity", fd.CapacityForm, _T("Note a declaration of lost or limited civil capacity"),
         _capacity, f"{LHT}; Bộ luật Dân sự 2015, Điều 22, 24"),
        ("capacity-end", fd.PersonDecisionForm,
         _T("Note the cancellation of a declaration on civil capacity"),
         _person(es.note_capacity_end), f"{LHT}; Bộ luật Dân sự 2015, Điều 22.1, 24.1"),
        ("death-undone", fd.PersonDecisionForm,
         _T("Note the cancellation of a court's declaration of death"),
         _person(es.note_death_undone), f"{LHT}; Bộ luật Dân sự 2015, Điều 73"),
        ("abroad-marriage", fd.AbroadMarriageForm, _T("Note a marriage done abroad"),
         _abroad_marriage, "Luật Hộ tịch 2014, Điều 3.3; NĐ 120/2025/NĐ-CP, Phụ lục mục I.1.d"),
        ("abroad-divorce", fd.AbroadDivorceForm,
         _T("Note a divorce or annulment done abroad"), _abroad_divorce,
         "Luật Hộ tịch 2014, Điều 3.3; NĐ 120/2025/NĐ-CP, Phụ lục mục I.1.d"),
    ]
    return {slug: page(form, title, TEMPLATE, submit, basis)
            for slug, form, title, submit, basis in rows}
