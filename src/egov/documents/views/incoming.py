"""Pages of incoming documents under /documents/incoming/: the clerk's registration desk, the
list, the leader's queue with one-click assignment, the officer's work and the document page
(metadata, PDF preview, trail, assignees, actions). Thin: parse, call one service or selector,
render. Every page works without JavaScript (the PDF preview of the desk needs it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import F
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from egov.core import policy
from egov.core.errors import AppError, InvalidInput, NotFound, PermissionDenied
from egov.core.files import file_response
from egov.core.forms import apply_app_error
from egov.core.models import OrgUnit
from egov.core.pending_uploads import KeptFile

from ..forms_incoming import (
    AssignForm,
    CompleteForm,
    ForwardForm,
    ListFilterForm,
    ReassignForm,
    RegisterForm,
    ReturnForm,
)
from ..models import IncomingState
from ..selectors import incoming as sel
from ..selectors import replies as sel_replies
from ..services import incoming as svc
from ..services.returning import may_return

PAGE_SIZE = 50
PREVIEW_SALT = "egov.documents.incoming.preview"
PREVIEW_MAX_AGE = 15 * 60


def _cursor(request) -> str | None:
    return (request.GET.get("cursor") or "").strip() or None


def _get_or_404(request, pk: int):
    try:
        return sel.incoming_get(actor=request.user, id=pk)
    except NotFound:
        raise Http404 from None


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _register_agencies(user) -> list[OrgUnit]:
    """The agencies the user registers for (a superuser: every agency)."""
    if user.is_superuser:
        return list(OrgUnit.objects.filter(agency_id=F("pk")).order_by("name")[:500])
    ids = sorted({g.agency_id for g in policy.grants_for(user)
                  if g.action == svc.REGISTER and g.agency_id})
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("name"))


def _nav(user) -> dict:
    """Which tabs of the incoming pages the user gets (the views check again)."""
    return {"can_register": policy.can(user, svc.REGISTER),
            "is_leader": sel.leader_agency_ids(user) != []}


def _render(request, template: str, context: dict, status: int = 200):
    return render(request, template, {**context, "nav": _nav(request.user)}, status=status)


def _bad_cursor(request, url_name: str, err: AppError):
    messages.warning(request, err.message)
    query = request.GET.copy()
    query.pop("cursor", None)
    url = reverse(url_name)
    return redirect(url + ("?" + query.urlencode() if query else ""))


# --- list ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def incoming_list(request):
    form = ListFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    cursor = _cursor(request)
    try:
        page = sel.incoming_list(actor=request.user, cursor=cursor, limit=PAGE_SIZE,
                                 filters=filters)
    except InvalidInput as err:
        if err.code == "bad_cursor":
            return _bad_cursor(request, "documents:incoming_list", err)
        apply_app_error(form, err)
        page = sel.incoming_list(actor=request.user, limit=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("cursor", None)
    return _render(request, "documents/incoming/list.html", {
        "form": form, "page": page, "documents": page.items, "cursor": cursor,
        "filter_query": query.urlencode(), "handling_note": _handling_note(filters),
    })


def _handling_note(filters: dict) -> dict | None:
    """What the dashboard's link filtered (selectors.dashboard.handling_filter)."""
    from ..dashboard import bucket_labels
    from ..selectors.dashboard import default_period

    if not filters.get("handling"):
        return None
    start, end = default_period()
    unit = OrgUnit.objects.filter(pk=filters["unit"]).first() if filters.get("unit") else None
    return {"label": bucket_labels().get(filters["handling"], ""),
            "unit": unit.name if unit else "",
            "start": filters.get("period_from") or start, "end": filters.get("period_to") or end}


# --- registration desk --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def incoming_new(request):
    agencies = _register_agencies(request.user)
    if not agencies:
        raise DjangoPermissionDenied
    status = 200
    duplicate = None
    kept = KeptFile(request, "file")  # the PDF survives form errors (core.pending_uploads)
    if request.method == "POST":
        form = RegisterForm(request.POST, request.FILES, agencies=agencies)
        if form.is_valid():
            agency = form.chosen_agency()
            upload = kept.upload(form.cleaned_data.get("file"))
            try:
                if agency is None:
                    raise InvalidInput(_("Check the highlighted fields."),
                                       fields={"agency": [_("Choose the agency.")]})
                document = svc.incoming_register(
                    actor=request.user, agency=agency, file=upload, data=form.service_data(),
                    confirm_duplicate=form.cleaned_data.get("confirm_duplicate", False))
            except AppError as err:
                if err.code == "duplicate":
                    duplicate = {"message": err.message,
                                 "id": (err.fields.get("duplicate_of") or [""])[0]}
                else:
                    apply_app_error(form, err)
                if "file" in err.fields or err.code == "secret_document":
                    kept.drop()  # the file is refused, or must not be kept (Điều 5)
                else:
                    kept.keep(upload)
                if kept.expired:
                    form.add_error("file", kept.context()["kept_expired_message"])
            else:
                kept.done()
                messages.success(request, _(
                    "Registered: arrival number %(number)s. Register the next document or "
                    "open the one just registered.") % {"number": document.arrival_number})
                request.session["doc_incoming_last"] = document.pk
                return redirect("documents:incoming_new")
        elif "file" not in form.errors and form.data.get("secrecy") in ("", "none", None):
            kept.keep(kept.upload(request.FILES.get("file")))
        status = 422
    else:
        form = RegisterForm(agencies=agencies)
    last_id = request.session.get("doc_incoming_last")
    return _render(request, "documents/incoming/new.html", {
        "form": form, "duplicate": duplicate, "last_id": last_id, **kept.context(),
    }, status=status)


# --- leader's queue -----------------------------------------------------------------------------


def _assign_form(document, *, units, people, data=None, with_lead=True, taken=()):
    return AssignForm(data, prefix=f"doc{document.pk}", units=units, people=people,
                      with_lead=with_lead, taken=taken, initial={"due_date": getattr(
                          document, "default_due", None) or svc.default_due_date(document)})


def _taken_units(assignments) -> set[int]:
    """Units with an open assignment of the document (not offered again; the service refuses
    them too)."""
    return {a.assignee_unit_id for a in assignments
            if a.parent_id is None and a.state == "open" and a.assignee_unit_id
            and not a.assignee_user_id}


@login_required
@require_http_methods(["GET", "HEAD"])
def incoming_queue(request):
    if sel.leader_agency_ids(request.user) == []:
        raise DjangoPermissionDenied
    cursor = _cursor(request)
    try:
        page = sel.incoming_leader_queue(actor=request.user, cursor=cursor, limit=PAGE_SIZE)
    except InvalidInput as err:
        return _bad_cursor(request, "documents:incoming_queue", err)
    agencies = {d.agency_id: d.agency for d in page.items}
    units = sel.assignable_units(list(agencies.values()))
    rows = [{"document": d, "form": _assign_form(d, units=units.get(d.agency_id, []),
                                                 people=())}
            for d in page.items]
    return _render(request, "documents/incoming/queue.html", {
        "rows": rows, "page": page, "cursor": cursor})


# --- officer's work -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def incoming_mine(request):
    cursor = _cursor(request)
    try:
        page = sel.incoming_my_assignments(actor=request.user, cursor=cursor, limit=PAGE_SIZE)
    except InvalidInput as err:
        return _bad_cursor(request, "documents:incoming_mine", err)
    return _render(request, "documents/incoming/mine.html", {
        "page": page, "assignments": page.items, "cursor": cursor})


# --- the document page --------------------------------------------------------------------------


def _detail(request, document, *, bound: dict | None = None, status: int = 200):
    """Render the document page; `bound` = {"assign": form} or {(op, assignment id): form}
    to show a submitted form with its errors."""
    bound = bound or {}
    assignments = sel.incoming_assignee_states(document)
    actions = sel.incoming_actions(actor=request.user, document=document,
                                   assignments=assignments)
    withdrawn = document.state == IncomingState.CANCELLED
    units = []
    people = []
    if not withdrawn and (actions["can_assign"] or actions["ops"]):
        units = sel.assignable_units([document.agency]).get(document.agency_id, [])
        people = sel.agency_people(document.agency)
    assign_form = None
    if actions["can_assign"]:
        assign_form = bound.get("assign") or _assign_form(
            document, units=units, people=people, with_lead=not actions["has_open_lead"],
            taken=_taken_units(assignments))
    reassignable = [a.assignee_unit for a in assignments
                    if "reassign" in actions["ops"].get(a.pk, ())]
    unit_people = sel.people_by_unit(reassignable)
    panels = []
    for a in assignments:
        ops = actions["ops"].get(a.pk)
        if not ops:
            continue
        panel = {"assignment": a}
        if "reassign" in ops:
            panel["reassign"] = bound.get(("reassign", a.pk)) or ReassignForm(
                prefix=f"re{a.pk}", people=unit_people.get(a.assignee_unit_id, []),
                initial={"due_date": a.due_date})
        if "complete" in ops:
            panel["complete"] = bound.get(("complete", a.pk)) or CompleteForm(prefix=f"co{a.pk}")
            panel["forward"] = bound.get(("forward", a.pk)) or ForwardForm(
                prefix=f"fw{a.pk}", units=units, people=people)
            panel["return"] = bound.get(("return", a.pk)) or ReturnForm(prefix=f"rt{a.pk}")
        panels.append(panel)
    events = sel.with_display_dates(sel.incoming_trail(actor=request.user, document=document))
    preview = signing.dumps({"d": document.pk, "u": request.user.pk}, salt=PREVIEW_SALT)
    replies = sel_replies.replies_of(actor=request.user, document=document)
    from ..page_extensions import panels_for  # other modules' panels (directives…)

    return _render(request, "documents/incoming/detail.html", {
        "extra_panels": panels_for("incoming", actor=request.user, document=document),
        "replies": replies, "can_reply": sel_replies.may_reply(request.user, document),
        "doc": document, "withdrawn": withdrawn, "assignments": assignments,
        "assign_form": assign_form, "panels": panels, "events": events,
        "preview_token": preview, "has_open_lead": actions["has_open_lead"],
        # NĐ 30/2020 Điều 21.2 (egov.documents.services.returning)
        "can_return": not withdrawn and may_return(request.user, document),
    }, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def incoming_detail(request, pk: int):
    document = _get_or_404(request, pk)
    svc.incoming_viewed(actor=request.user, document=document)
    return _detail(request, document)


@login_required
@xframe_options_sameorigin
@require_http_methods(["GET", "HEAD"])
def incoming_file(request, pk: int):
    """The PDF. With the page's preview token (`t`, bound to this user and document, 15
    minutes) it is shown inline in the page's preview — the page view is already in the trail;
    otherwise it is a download and recorded as one."""
    document = _get_or_404(request, pk)
    if document.state == IncomingState.CANCELLED or document.file_id is None:
        raise Http404
    inline = False
    token = request.GET.get("t")
    if token and not request.GET.get("download"):
        try:
            claim = signing.loads(token, salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
        except signing.BadSignature:
            claim = None
        inline = claim == {"d": document.pk, "u": request.user.pk}
    if not inline:
        svc.incoming_downloaded(actor=request.user, document=document)
    return file_response(document.file, inline=inline, content_type="application/pdf")


@login_required
@require_POST
def incoming_assign_view(request, pk: int):
    document = _get_or_404(request, pk)
    actions = sel.incoming_actions(actor=request.user, document=document, assignments=list(
        document.assignments.all()))
    if not actions["can_assign"]:
        raise DjangoPermissionDenied
    units = sel.assignable_units([document.agency]).get(document.agency_id, [])
    people = sel.agency_people(document.agency)
    form = _assign_form(document, units=units, people=people, data=request.POST,
                        with_lead=not actions["has_open_lead"],
                        taken=_taken_units(document.assignments.all()))
    if form.is_valid():
        try:
            created = svc.incoming_assign(actor=request.user, document=document,
                                          instruction=form.cleaned_data["instruction"],
                                          assignments=form.service_assignments())
        except PermissionDenied:
            raise DjangoPermissionDenied from None
        except AppError as err:
            form.apply_error(err)
        else:
            messages.success(request, _("Assigned to %(names)s.") % {"names": ", ".join(
                svc._assignee_label(a) for a in created)})
            return HttpResponseRedirect(_safe_next(request, reverse(
                "documents:incoming_detail", args=[document.pk])))
    document = _get_or_404(request, pk)
    return _detail(request, document, bound={"assign": form}, status=422)


OPS = {
    "reassign": ("re", ReassignForm),
    "complete": ("co", CompleteForm),
    "forward": ("fw", ForwardForm),
    "return": ("rt", ReturnForm),
}


@login_required
@require_POST
def assignment_action(request, pk: int, aid: int, op: str):
    if op not in OPS:
        raise Http404
    document = _get_or_404(request, pk)
    try:
        assignment = sel.assignment_get(actor=request.user, document_id=document.pk, id=aid)
    except NotFound:
        raise Http404 from None
    prefix, form_class = OPS[op]
    kwargs = {}
    if op == "reassign":
        if assignment.assignee_unit is None:
            raise Http404
        kwargs["people"] = sel.people_of(assignment.assignee_unit)
    elif op == "forward":
        kwargs["units"] = sel.assignable_units([document.agency]).get(document.agency_id, [])
        kwargs["people"] = sel.agency_people(document.agency)
    form = form_class(request.POST, prefix=f"{prefix}{aid}", **kwargs)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if op == "reassign":
                svc.assignment_reassign(actor=request.user, assignment=assignment,
                                        to_user_id=data["to_user_id"] or None,
                                        instruction=data["instruction"],
                                        due_date=data["due_date"])
                done = _("Passed on.")
            elif op == "complete":
                svc.assignment_complete(actor=request.user, assignment=assignment,
                                        result=data["result"])
                done = _("Marked as done.")
            elif op == "forward":
                svc.assignment_forward(actor=request.user, assignment=assignment,
                                       to_unit_id=data["to_unit_id"] or None,
                                       to_user_id=data["to_user_id"] or None,
                                       reason=data["reason"])
                done = _("Forwarded.")
            else:
                svc.assignment_return(actor=request.user, assignment=assignment,
                                      reason=data["reason"])
                done = _("Returned.")
        except PermissionDenied:
            raise DjangoPermissionDenied from None
        except AppError as err:
            apply_app_error(form, err)
        else:
            messages.success(request, done)
            return redirect("documents:incoming_detail", pk=document.pk)
    document = _get_or_404(request, pk)
    return _detail(request, document, bound={(op, aid): form}, status=422)


urlpatterns = [
    path("", incoming_list, name="incoming_list"),
    path("new/", incoming_new, name="incoming_new"),
    path("queue/", incoming_queue, name="incoming_queue"),
    path("mine/", incoming_mine, name="incoming_mine"),
    path("<int:pk>/", incoming_detail, name="incoming_detail"),
    path("<int:pk>/file/", incoming_file, name="incoming_file"),
    path("<int:pk>/assign/", incoming_assign_view, name="incoming_assign"),
    path("<int:pk>/assignments/<int:aid>/<slug:op>/", assignment_action,
         name="incoming_assignment_action"),
]
