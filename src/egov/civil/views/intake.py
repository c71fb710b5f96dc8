"""The registrar's intake pages (issue 13): the one-stop dossiers of civil-status procedures
waiting in the registrar's communes, nearest deadline first, and one dossier with the form that
registers its event (egov.civil.services.intake) — the law's refusals by their fields (422),
nothing written."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from egov.core import policy
from egov.core.errors import AppError, InvalidInput, NotFound

from ..models import Person
from ..services import duplicates, intake
from ..services.records import REGISTER

TEXT, DATE, SEX = "text", "date", "sex"
# kind → [(party, [(field, label, input type)])]
PERSON = [("full_name", _("full name"), TEXT), ("sex", _("sex"), SEX),
          ("birth_date", _("date of birth"), DATE), ("personal_id", _("personal ID"), TEXT)]
FOREIGN = [("nationality", _("nationality"), TEXT),
           ("identity_document", _("identity document (passport, number)"), TEXT)]
FORMS = {
    "birth": [("child", _("Child"), [("full_name", _("full name"), TEXT),
                                     ("sex", _("sex"), SEX),
                                     ("birth_date", _("date of birth"), DATE),
                                     ("birth_place", _("place of birth"), TEXT)]),
              ("mother", _("Mother"), [f for f in PERSON if f[0] != "sex"]),
              ("father", _("Father"), [f for f in PERSON if f[0] != "sex"])],
    "death": [("person", _("Deceased"), PERSON)],
    # A party of another nationality gives an identity document (Luật Hộ tịch 2014, Điều 17.2).
    "marriage": [("husband", _("Husband"), [f for f in PERSON if f[0] != "sex"] + FOREIGN),
                 ("wife", _("Wife"), [f for f in PERSON if f[0] != "sex"] + FOREIGN)],
}
REQUIRED = {"child", "person", "husband", "wife"}


def _data(kind: str, post, prefilled: dict) -> dict:
    data: dict = {}
    for party, _label, fields in FORMS[kind]:
        values = {name: post.get(f"{party}_{name}", "").strip() for name, _l, _t in fields}
        values = {k: v for k, v in values.items() if v}
        if party in prefilled and not values:
            data[party] = prefilled[party]
        elif values or party in REQUIRED:
            data[party] = values
    if kind == "death":
        data["death_date"] = post.get("death_date", "").strip() or None
    if kind == "marriage":
        data["both_present"] = post.get("both_present") == "on"
    return data


def _duplicates(user, kind: str, data: dict, post) -> list:
    """A birth's likely duplicates before it is saved, as on the registrar's birth form (issue
    13: "the registrar sees the likely duplicates before saving"), unless the registrar ticked
    that the child is not one of them. Input the checks refuse is left to the registration,
    which answers it by the fields."""
    child = data.get("child") or {}
    if kind != "birth" or post.get("not_duplicate") == "on" or not child.get("full_name"):
        return []
    mother_id = (data.get("mother") or {}).get("id")
    mother = Person.objects.filter(pk=mother_id).first() if mother_id else None
    try:
        return list(duplicates.likely_duplicates(actor=user, spec=child, mother=mother))
    except InvalidInput:
        return []


def _may_use(user) -> bool:
    return policy.can(user, REGISTER)


@login_required
def intake_list(request):
    if not _may_use(request.user):
        raise PermissionDenied  # 403: the page exists, registering is not this user's
    cursor = (request.GET.get("cursor") or "")[:1000] or None
    try:
        page = intake.intake_page(actor=request.user, cursor=cursor)
    except InvalidInput:  # a stale or forged cursor: the first page
        page = intake.intake_page(actor=request.user)
    return render(request, "civil/intake/list.html", {"rows": page.items, "page": page})


@login_required
def intake_detail(request, pk: int):
    try:
        row = intake.intake_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    prefilled = intake.prefill(row)
    errors: dict[str, list[str]] = {}
    message, status, dups = "", 200, []
    if request.method == "POST":
        data = _data(row.kind, request.POST, prefilled)
        dups = _duplicates(request.user, row.kind, data, request.POST)
    if request.method == "POST" and not dups:
        try:
            intake.intake_register(actor=request.user, pk=row.pk, data=data)
        except InvalidInput as exc:
            message, status = exc.message, 422
            errors = {k.replace(".", "_"): v for k, v in (exc.fields or {}).items()}
        except AppError as exc:
            message, status = exc.message, exc.status
        else:
            return redirect("civil:intake_list")
    parties = [{"key": party, "label": label, "prefilled": party in prefilled,
                "fields": [{"name": f"{party}_{name}", "label": lab, "type": kind,
                            "value": request.POST.get(f"{party}_{name}", ""),
                            "errors": errors.get(f"{party}_{name}", [])}
                           for name, lab, kind in fields],
                "errors": errors.get(party, []) + errors.get(f"{party}_id", [])}
               for party, label, fields in FORMS[row.kind]]
    return render(request, "civil/intake/detail.html", {
        "row": row, "dossier": row.dossier, "parties": parties, "message": message,
        "errors": errors, "declarant": prefilled.get("declarant"),
        "death_date": request.POST.get("death_date", ""), "duplicates": dups,
    }, status=status)
