"""Reception sessions under /petitions/reception/ — the sổ tiếp công dân (Mẫu 03/TCD): the
sessions (keyset pages) and the form to open one (regular, or the leader's periodic reception
day); a session's register (13 columns) and the form to record a visit, which may create a
petition (services.intake), attach to an existing one, or record a refusal with its ground."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from egov.core import policy
from egov.core.errors import AppError, InvalidInput, NotFound
from egov.core.forms import apply_app_error
from egov.core.models import User

from ..forms_intake import SessionForm, VisitForm, parse_others, refusal_label
from ..selectors import reception as sel
from ..services import intake
from ..services import reception as svc


def _leaders(agencies) -> list[User]:
    """The people who may lead a periodic reception day: `petitions.head` on the agency."""
    ids = [a.pk for a in agencies]
    users = (User.objects.filter(is_active=True, positions__org_unit_id__in=ids)
             .distinct().order_by("full_name", "id")[:200])
    return [u for u in users if any(policy.can(u, "petitions.head", a) for a in agencies)]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_list(request):
    agencies = intake.desk_agencies(request.user)
    if not agencies:
        raise DjangoPermissionDenied
    leaders = _leaders(agencies)
    status = 200
    if request.method == "POST":
        form = SessionForm(request.POST, agencies=agencies, leaders=leaders)
        form.is_valid()
        d = getattr(form, "cleaned_data", {})
        agency = next((a for a in agencies if str(a.pk) == (d.get("agency") or "")),
                      agencies[0])
        try:
            if form.errors:
                raise InvalidInput(_("Check the highlighted fields."))
            session = svc.session_open(actor=request.user, agency=agency, kind=d["kind"],
                                       day=d.get("day"), place=d.get("place", ""),
                                       leader_id=d.get("leader") or None,
                                       note=d.get("note", ""))
        except AppError as err:
            if err.status == 403:
                raise DjangoPermissionDenied from None
            if err.fields or not form.errors:
                apply_app_error(form, err)
            status = 422
        else:
            return redirect("petitions:reception_session", pk=session.pk)
    else:
        form = SessionForm(agencies=agencies, leaders=leaders,
                           initial={"agency": str(agencies[0].pk)})
    try:
        page = sel.session_list(actor=request.user, cursor=request.GET.get("cursor"))
    except InvalidInput:
        raise Http404 from None
    return render(request, "petitions/reception/list.html", {
        "form": form, "page": page, "multiple_agencies": len(agencies) > 1,
    }, status=status)


def _session(request, pk: int):
    try:
        return sel.session_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _visit_field(name: str) -> str:
    if name.startswith("visitor."):
        return name.split(".", 1)[1]
    if name.startswith("others."):
        return "others"
    if name.startswith("letter_scans."):
        return "letter_scan"
    return {"content": "summary", "signers": "people", "create_petition": "outcome"}.get(
        name, name)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_detail(request, pk: int):
    session = _session(request, pk)
    may_record = intake.may_receive(request.user, session.agency)
    status = 200
    if request.method == "POST":
        if not may_record:
            raise DjangoPermissionDenied
        form = VisitForm(request.POST, request.FILES)
        form.is_valid()
        d = getattr(form, "cleaned_data", {})
        outcome = d.get("outcome") or "petition"
        try:
            if form.errors:
                raise InvalidInput(_("Check the highlighted fields."))
            svc.visit_record(
                actor=request.user, session=session, visitor=form.identity(),
                others=parse_others(d.get("others", "")), summary=d.get("summary", ""),
                kind=d.get("kind", ""), people=d.get("people"), oral=bool(d.get("oral")),
                previous_body=d.get("previous_body", ""), competent=d.get("competent"),
                guided_to=d.get("guided_to", ""), forwarded_to=d.get("forwarded_to", ""),
                follow_up=d.get("follow_up", ""), note=d.get("note", ""),
                refused=outcome == "refused", refusal_ground=d.get("refusal_ground", ""),
                create_petition=outcome == "petition",
                petition_code=d.get("petition_code", "") if outcome == "attach" else "",
                letter_scans=[d["letter_scan"]] if d.get("letter_scan") else [])
        except AppError as err:
            if err.status == 403:
                raise DjangoPermissionDenied from None
            err.fields = {_visit_field(k): v for k, v in err.fields.items()}
            if err.fields or not form.errors:
                apply_app_error(form, err)
            if err.status == 409:
                form.add_error(None, err.message)
            status = 409 if err.status == 409 else 422
        else:
            return redirect("petitions:reception_session", pk=session.pk)
    else:
        form = VisitForm(initial={"outcome": "petition"})
    visits = sel.session_visits(session)
    for v in visits:
        v.refusal_label = refusal_label(v.refusal_ground) if v.refused else ""
    return render(request, "petitions/reception/session.html", {
        "session": session, "visits": visits, "form": form,
        "may_record": may_record and session.closed_at is None,
    }, status=status)


@login_required
@require_POST
def session_close(request, pk: int):
    session = _session(request, pk)
    try:
        svc.session_close(actor=request.user, session=session)
    except AppError as err:
        if err.status == 403:
            raise DjangoPermissionDenied from None
    return redirect("petitions:reception_session", pk=session.pk)
