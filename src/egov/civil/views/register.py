"""Registering a birth, a death or a marriage from the registrar's forms (issue 13). The
services (services/records.py) check everything; their messages go by the fields, the law's
refusals (with the article they cite) above the form, the values are kept and nothing is
written on an error. A party is found in the registry from the same page (button "Find": the
results come back with a "Choose" button each — no JavaScript needed) or typed as a new record.

Before a birth is saved, the likely duplicates of the child (services/duplicates.py) are shown;
it is saved only when there are none or the registrar ticks "this is not a duplicate"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core import policy
from egov.core.errors import AppError, InvalidInput, PermissionDenied

from ..forms import MODE_EXISTING, BirthForm, DeathForm, MarriageForm
from ..models import Person
from ..services import duplicates, records
from ..services import persons as person_service
from . import common

TEMPLATES = {BirthForm: "civil/register_birth.html", DeathForm: "civil/register_death.html",
             MarriageForm: "civil/register_marriage.html"}


def _find(request, form_class, data):
    """"Find" (find=<party>) and "Choose" (pick=<party>:<id>) buttons: the results of a search
    for one party, or the chosen record put in its fields. Returns (data, {party: results})."""
    found = {}
    pick = str(data.get("pick") or "")
    party, _sep, raw = pick.partition(":")
    if party in form_class.PARTIES and raw.isdigit() and len(raw) < 19:
        data[f"{party}_id"], data[f"{party}_mode"] = raw, MODE_EXISTING
    party = str(data.get("find") or "")
    if party in form_class.PARTIES:
        q = " ".join(str(data.get(f"{party}_q") or "").split())[:200]
        data[f"{party}_mode"] = MODE_EXISTING
        try:
            found[party] = person_service.person_search(actor=request.user, q=q,
                                                        limit=10).items if q else []
        except InvalidInput:
            found[party] = []
    return data, found


def _chosen(user, form) -> dict:
    """{party: Person} of the existing records chosen (shown by name on the form)."""
    out = {}
    data = form.data if form.is_bound else form.initial
    for party in form.PARTIES:
        raw = str(data.get(f"{party}_id") or "")
        if data.get(f"{party}_mode") == MODE_EXISTING and raw.isdigit() and len(raw) < 19:
            person = Person.objects.select_related("commune").filter(pk=int(raw)).first()
            if person is not None and policy.can(user, common.READ, person.commune):
                out[party] = person
    return out


def _register(user, form):
    c = form.cleaned_data
    fee = {"fee_exemption": c["fee_exemption"]} if c.get("fee_exemption") else {}
    if isinstance(form, BirthForm):
        return records.register_birth(actor=user, child=form.spec("child"),
                                      mother=form.spec("mother"), father=form.spec("father"),
                                      registered_on=c.get("registered_on"),
                                      details=fee or None)
    if isinstance(form, DeathForm):
        details = {k: c[k] for k in ("place", "cause") if c.get(k)}
        return records.register_death(actor=user, person=form.spec("person"),
                                      death_date=c.get("death_date"),
                                      registered_on=c.get("registered_on"),
                                      details={**details, **fee})
    return records.register_marriage(actor=user, husband=form.spec("husband"),
                                     wife=form.spec("wife"), both_present=c["both_present"],
                                     registered_on=c.get("registered_on"), details=fee or None,
                                     foreign_element=bool(c.get("foreign_element")))


def _duplicates(user, form) -> list:
    """The child's likely duplicates, unless the registrar confirmed it is not one."""
    if form.cleaned_data.get("not_duplicate"):
        return []
    mother = None
    mother_id = form.cleaned_data.get("mother_id")
    if form.cleaned_data.get("mother_mode") == MODE_EXISTING and mother_id:
        mother = Person.objects.select_related("commune").filter(pk=mother_id).first()
        if mother is not None and not policy.can(user, common.READ, mother.commune):
            mother = None
    return list(duplicates.likely_duplicates(actor=user, spec=form.spec("child"),
                                             mother=mother))


def _page(request, form_class, title: str):
    user = request.user
    common.require_register(user)
    status, found, dups = 200, {}, []
    if request.method == "POST":
        data, found = _find(request, form_class, request.POST.copy())
        if found or data.get("pick"):
            # A search or a choice: the values come back, without error messages yet.
            form = form_class(initial={k: v for k, v in data.items()
                                       if k not in ("csrfmiddlewaretoken", "find", "pick")})
        else:
            form = form_class(data)
            if form.is_valid():
                if isinstance(form, BirthForm):
                    dups = _duplicates(user, form)
                if not dups:
                    try:
                        event = _register(user, form)
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
        form = form_class()
    chosen = _chosen(user, form)
    rows = form.party_rows()
    for row in rows:
        row["found"], row["chosen"] = found.get(row["name"]), chosen.get(row["name"])
    return render(request, TEMPLATES[form_class], {
        "form": form, "title": title, "duplicates": dups, "rows": rows}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def birth_new(request):
    return _page(request, BirthForm, _("Register a birth"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def death_new(request):
    return _page(request, DeathForm, _("Register a death"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def marriage_new(request):
    return _page(request, MarriageForm, _("Register a marriage"))
