"""The registrar's pages for the other events (issue 13): one form page per event, at
/civil/events/new/<kind>/ — the marital-status certificate, the recognition of parents and
children, guardianship and its end, the change, correction or supplement of data, the noted
divorce, adoption and court-declared death, and the re-registration of a birth, marriage or
death. They work as the birth/death/marriage pages (views/register.py): the services check
everything, their messages go by the fields, the law's refusals (with their article) above the
form, the values are kept and nothing is written on an error; a party is found in the registry
from the same page or typed as a new record; success redirects to the event's page.

A page opened from a person's page is prefilled with that person (?person=<id>, ?child=…,
?husband=…&wife=…, ?guardianship=…): a record the user may not read is simply not chosen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from egov.core import policy
from egov.core.errors import AppError, PermissionDenied

from .. import forms_events as fe
from ..forms import MODE_EXISTING
from ..models import Guardianship
from ..services import events, events_notes
from . import common, decisions
from .register import _chosen, _find


def _decision(c) -> dict:
    return {"authority": c["authority"], "decision_number": c["decision_number"],
            "decision_date": c["decision_date"], "registered_on": c.get("registered_on"),
            "details": common.fee_details(c)}


def _marital_status(user, form):
    c = form.cleaned_data
    return events.certify_marital_status(actor=user, person=form.spec("person"),
                                         purpose=c.get("purpose") or "",
                                         registered_on=c.get("registered_on"),
                                         details=common.fee_details(c))


def _recognition(user, form):
    c = form.cleaned_data
    return events.recognize(actor=user, child=form.spec("child"), parent=form.spec("parent"),
                            role=c["role"], registered_on=c.get("registered_on"),
                            foreign_element=bool(c.get("foreign_element")),
                            details=common.fee_details(c))


def _guardianship(user, form):
    c = form.cleaned_data
    return events.register_guardianship(
        actor=user, guardian=form.spec("guardian"), ward=form.spec("ward"), mode=c["mode"],
        ward_ground=c.get("ward_ground") or "", guardian_capable=bool(c.get("guardian_capable")),
        registered_on=c.get("registered_on"), foreign_element=bool(c.get("foreign_element")),
        details=common.fee_details(c))


def _guardianship_end(user, form):
    c = form.cleaned_data
    return events.end_guardianship(actor=user, guardianship_id=c["guardianship_id"],
                                   ground=c["ground"], registered_on=c.get("registered_on"),
                                   details=common.fee_details(c))


def _change(user, form):
    c = form.cleaned_data
    return events.register_change(
        actor=user, person=form.spec("person"), change_type=c["change_type"],
        field=c["field"], new_value=c["new_value"], ground=c["ground"],
        parents_consent=bool(c.get("parents_consent")),
        person_consent=bool(c.get("person_consent")), registered_on=c.get("registered_on"),
        details=common.fee_details(c))


def _divorce(user, form):
    return events_notes.note_divorce(actor=user, husband=form.spec("husband"),
                                     wife=form.spec("wife"), **_decision(form.cleaned_data))


def _adoption(user, form):
    return events_notes.note_adoption(
        actor=user, child=form.spec("child"), adoptive_father=form.spec("adoptive_father"),
        adoptive_mother=form.spec("adoptive_mother"),
        relative_adoption=bool(form.cleaned_data.get("relative_adoption")),
        **_decision(form.cleaned_data))


def _death_declaration(user, form):
    return events_notes.note_death_declaration(
        actor=user, person=form.spec("person"), death_date=form.cleaned_data["death_date"],
        **_decision(form.cleaned_data))


def _reregister(kind: str) -> Callable:
    def submit(user, form):
        c = form.cleaned_data
        if kind == "birth":
            data = {p: form.spec(p) for p in ("child", "mother", "father")}
        elif kind == "marriage":
            data = {"husband": form.spec("husband"), "wife": form.spec("wife"),
                    "both_present": bool(c.get("both_present"))}
        else:
            data = {"person": form.spec("person"), "death_date": c.get("death_date")}
        return events_notes.reregister(
            actor=user, kind=kind, original_registered_on=c["original_registered_on"],
            original_place=c["original_place"], book_lost=bool(c.get("book_lost")), data=data,
            registered_on=c.get("registered_on"), details=common.fee_details(c))
    return submit


@dataclass(frozen=True)
class Page:
    form: type
    title: str
    template: str
    submit: Callable
    basis: str = ""


_T = gettext_lazy
PAGES: dict[str, Page] = {
    "marital-status": Page(fe.MaritalStatusForm, _T("Certify marital status"),
                           "civil/events/marital_status.html", _marital_status,
                           "NĐ 123/2015/NĐ-CP, Điều 21–23"),
    "recognition": Page(fe.RecognitionForm, _T("Register a recognition of parent and child"),
                        "civil/events/recognition.html", _recognition,
                        "Luật Hộ tịch 2014, Điều 24–25"),
    "guardianship": Page(fe.GuardianshipForm, _T("Register a guardianship"),
                         "civil/events/guardianship.html", _guardianship,
                         "Luật Hộ tịch 2014, Điều 19–21"),
    "guardianship-end": Page(fe.GuardianshipEndForm, _T("End a guardianship"),
                             "civil/events/guardianship_end.html", _guardianship_end,
                             "Luật Hộ tịch 2014, Điều 22"),
    "change": Page(fe.ChangeForm, _T("Register a change, correction or supplement"),
                   "civil/events/change.html", _change, "Luật Hộ tịch 2014, Điều 26–29"),
    "divorce": Page(fe.DivorceForm, _T("Note a divorce"), "civil/events/note.html", _divorce,
                    "Luật Hộ tịch 2014, Điều 3.2"),
    "adoption": Page(fe.AdoptionForm, _T("Note an adoption"), "civil/events/note.html",
                     _adoption, "Luật Hộ tịch 2014, Điều 3.2"),
    "death-declaration": Page(fe.DeathDeclarationForm, _T("Note a court's declaration of death"),
                              "civil/events/note.html", _death_declaration,
                              "Luật Hộ tịch 2014, Điều 3.2"),
    "reregister-birth": Page(fe.ReBirthForm, _T("Re-register a birth"),
                             "civil/events/reregister.html", _reregister("birth"),
                             "NĐ 123/2015/NĐ-CP, Điều 24–26"),
    "reregister-marriage": Page(fe.ReMarriageForm, _T("Re-register a marriage"),
                                "civil/events/reregister.html", _reregister("marriage"),
                                "NĐ 123/2015/NĐ-CP, Điều 24, 27"),
    "reregister-death": Page(fe.ReDeathForm, _T("Re-register a death"),
                             "civil/events/reregister.html", _reregister("death"),
                             "NĐ 123/2015/NĐ-CP, Điều 24, 28"),
}
# The other decisions noted (Luật Hộ tịch 2014, Điều 3.2–3.3): views/decisions.py.
PAGES.update(decisions.pages(Page))


def _open_guardianships(user):
    return list(Guardianship.objects.filter(policy.unit_q(user, common.READ,
                                                          field="ward__commune"))
                .filter(ended_on__isnull=True)
                .select_related("guardian", "ward", "event").order_by("-event_id")[:200])


def _prefill(request, page: Page) -> dict:
    """?<party>=<record> from a person's page: that record chosen (shown only if readable)."""
    initial = {}
    for party in page.form.PARTIES:
        raw = str(request.GET.get(party) or "")
        if raw.isdigit() and len(raw) < 19:
            initial[f"{party}_mode"], initial[f"{party}_id"] = MODE_EXISTING, raw
    for name in ("field", "change_type", "role", "finding"):
        if request.GET.get(name):
            initial[name] = str(request.GET[name])[:32]
    raw = str(request.GET.get("guardianship") or "")
    if raw.isdigit() and len(raw) < 19:
        initial["guardianship_id"] = raw
    return initial


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def event_new(request, kind: str):
    page = PAGES.get(kind)
    if page is None:
        raise Http404
    user = request.user
    common.require_register(user)
    extra = ({"guardianships": _open_guardianships(user)}
             if page.form is fe.GuardianshipEndForm else {})
    status, found = 200, {}
    if request.method == "POST":
        data, found = _find(request, page.form, request.POST.copy())
        if found or data.get("pick"):
            # A search or a choice: the values come back, without error messages yet.
            form = page.form(initial={k: v for k, v in data.items()
                                      if k not in ("csrfmiddlewaretoken", "find", "pick")},
                             **extra)
        else:
            form = page.form(data, **extra)
            if form.is_valid():
                try:
                    event = page.submit(user, form)
                except PermissionDenied as err:
                    raise DjangoPermissionDenied(err.message) from err
                except AppError as err:
                    form.apply_error(err)
                else:
                    messages.success(request, _("Registered: Số %(n)d, Quyển số %(b)02d.")
                                     % {"n": event.entry_number, "b": event.book.number})
                    return redirect("civil:event", pk=event.pk)
            status = 422 if form.errors else 200
    else:
        form = page.form(initial=_prefill(request, page), **extra)
    chosen = _chosen(user, form)
    rows = form.party_rows()
    for row in rows:
        row["found"], row["chosen"] = found.get(row["name"]), chosen.get(row["name"])
    return render(request, page.template, {
        "form": form, "title": page.title, "basis": page.basis, "kind": kind, "rows": rows},
        status=status)
