"""Pages of outgoing documents (văn bản đi) under /documents/outgoing/.

Thin: parse, call one service or selector, render. Every action is a POST form that works
without JavaScript; permissions are checked by the services (and again here to decide which
buttons to show).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from egov.core import files, policy
from egov.core.errors import AppError, InvalidInput, NotFound, PermissionDenied
from egov.core.pending_uploads import KeptFile
from egov.core.text import clean_field

from .. import deadlines
from .. import verification_codes as _codes
from ..forms_outgoing import (
    CommentForm,
    OutgoingDraftForm,
    RecallForm,
    ReviewForm,
    VersionForm,
    apply_service_error,
)
from ..models import ApprovalStep, OutgoingState
from ..replying import reply_initial
from ..selectors import outgoing as sel
from ..services import outgoing as svc
from .outgoing_confirm import urlpatterns as _confirm_urls

PAGE_SIZE = 30


def _cursor(request) -> str | None:
    return (request.GET.get("cursor") or "").strip() or None


def _get(request, pk: int):
    try:
        return sel.outgoing_get(actor=request.user, document_id=pk)
    except NotFound as err:
        raise Http404 from err


def _fail(request, err: AppError, pk: int):
    if isinstance(err, PermissionDenied):
        raise DjangoPermissionDenied(err.message)
    if isinstance(err, NotFound):
        raise Http404
    messages.error(request, err.message)
    for msgs in err.fields.values():
        for msg in msgs:
            if msg != err.message:
                messages.error(request, msg)
    return redirect("documents:outgoing_detail", pk=pk)


def _page(request, fetch, **kwargs):
    """One keyset page; a bad cursor becomes a warning and the first page."""
    cursor = _cursor(request)
    try:
        return fetch(actor=request.user, cursor=cursor, limit=PAGE_SIZE, **kwargs), cursor
    except InvalidInput as err:
        if err.code != "bad_cursor" or not cursor:
            raise
        messages.warning(request, err.message)
        return fetch(actor=request.user, cursor=None, limit=PAGE_SIZE, **kwargs), None


# --- lists --------------------------------------------------------------------------------------

TABS = ("mine", "all")


@login_required
@require_http_methods(["GET", "HEAD"])
def outgoing_list(request):
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "mine"
    state = request.GET.get("state") or ""
    if state not in OutgoingState.values:
        state = ""
    filters = {"mine": tab == "mine", "state": state}
    page, cursor = _page(request, sel.outgoing_list, filters=filters)
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(request, "documents/outgoing/list.html", {
        "page": page, "items": page.items, "cursor": cursor, "tab": tab, "state": state,
        "states": OutgoingState.choices, "query": query.urlencode(),
        "can_draft": policy.can(request.user, "documents.draft"),
    })


@login_required
@require_http_methods(["GET", "HEAD"])
def outgoing_reviews(request):
    page, cursor = _page(request, sel.outgoing_review_queue)
    return render(request, "documents/outgoing/reviews.html",
                  {"page": page, "items": page.items, "cursor": cursor})


@login_required
@require_http_methods(["GET", "HEAD"])
def outgoing_queue(request):
    if not policy.can(request.user, "documents.issue"):
        raise DjangoPermissionDenied
    page, cursor = _page(request, sel.outgoing_clerk_queue)
    deadlines.annotate_issue_due(page.items)  # NĐ 30/2020 Điều 18.1
    return render(request, "documents/outgoing/queue.html",
                  {"page": page, "items": page.items, "cursor": cursor})


# --- drafting -----------------------------------------------------------------------------------


def _reply_ids(request) -> list[int]:
    ids = []
    for raw in request.GET.getlist("reply_to") + request.POST.getlist("in_reply_to"):
        if raw.isdigit() and len(raw) < 19:
            ids.append(int(raw))
    return ids


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def outgoing_new(request):
    units = sel.drafting_units(request.user)
    if not units:
        raise DjangoPermissionDenied
    unit = units[0]
    agency = unit.agency
    replies = sel.reply_choices(request.user, agency, include=_reply_ids(request))
    kwargs = {"types": sel.document_types(), "signers": sel.signer_choices(agency),
              "agencies": sel.recipient_agency_choices(agency), "replies": replies}
    replaces = None
    replaces_raw = request.GET.get("replaces") or request.POST.get("replaces_id") or ""
    if replaces_raw.isdigit() and len(replaces_raw) < 19:
        try:
            replaces = sel.outgoing_get(actor=request.user, document_id=int(replaces_raw))
        except NotFound:
            replaces = None
    status = 200
    kept = KeptFile(request, "file")  # the draft survives form errors (core.pending_uploads)
    if request.method == "POST":
        form = OutgoingDraftForm(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            upload = kept.upload(form.cleaned_data.get("file"))
            try:
                document = svc.outgoing_create(
                    actor=request.user, data={**form.service_data(), "drafting_unit_id": unit.pk},
                    file=upload,
                    attachments=form.cleaned_data.get("attachments") or [],
                )
            except PermissionDenied as err:
                raise DjangoPermissionDenied(err.message) from err
            except AppError as err:
                apply_service_error(form, err)
                if "file" in err.fields:
                    kept.drop()
                else:
                    kept.keep(upload)
            else:
                kept.done()
                messages.success(request, _("The draft is saved. Submit it for review when it is "
                                            "ready."))
                return redirect("documents:outgoing_detail", pk=document.pk)
        elif "file" not in form.errors:
            kept.keep(kept.upload(request.FILES.get("file")))
        status = 422
    else:
        initial = {"urgency": "normal", "copies": 1,
                   "in_reply_to": [str(i) for i in _reply_ids(request)]}
        reply_to = [d for d in replies if d.pk in _reply_ids(request)]
        if len(reply_to) == 1:  # "Soạn văn bản trả lời" on the incoming page (replying.py)
            initial.update(reply_initial(reply_to[0], agency_ids=set(
                kwargs["agencies"].values_list("pk", flat=True))))
        if replaces is not None:
            initial.update({"type_code": replaces.doc_type.code, "replaces_id": replaces.pk,
                            "subject": replaces.subject,
                            "signer_id": str(replaces.signer_id),
                            "recipients_units": [str(r.unit_id) for r in replaces.recipients.all()
                                                 if r.unit_id]})
        form = OutgoingDraftForm(initial=initial, **kwargs)
    return render(request, "documents/outgoing/new.html",
                  {"form": form, "agency": agency, "unit": unit, "replaces": replaces,
                   **kept.context()}, status=status)


# --- the document page --------------------------------------------------------------------------


def _versions(document) -> list:
    comments: dict[int | None, list] = {}
    for c in document.comments.all():
        comments.setdefault(c.version_id, []).append(c)
    rows = []
    for v in document.versions.all():
        v.comment_list = comments.get(v.pk, [])
        rows.append(v)
    rows.reverse()
    return rows, comments.get(None, [])


def _trail_rows(request, document) -> list:
    return sel.outgoing_trail(actor=request.user, document=document)


@login_required
@require_http_methods(["GET", "HEAD"])
def outgoing_detail(request, pk: int):
    document = _get(request, pk)
    user = request.user
    latest = sel.latest_version(document)
    next_step = sel.review_next_step(document, latest)
    frozen = document.state in sel.FROZEN
    versions, general_comments = _versions(document)
    current = sel.current_approvals(document, latest)
    recipients = sel.outgoing_delivery(document)
    preview = document.issued_file if document.issued_file_id else (
        latest.pdf if latest is not None and latest.pdf_id else None)
    if document.state in sel.AWAITING_ISSUE:
        deadlines.annotate_issue_due([document])  # NĐ 30/2020 Điều 18.1
    context = {
        "document": document, "latest": latest, "versions": versions,
        "general_comments": general_comments,
        "approvals": list(document.approvals.all()),

        "next_step": next_step,
        "next_step_label": ApprovalStep(next_step).label if next_step else "",
        "step_rows": [{"value": value, "label": label,
                       "approval": current.get(value), "waiting": value == next_step}
                      for value, label in ApprovalStep.choices],
        "recipients": recipients,
        "events": _trail_rows(request, document),
        "preview": preview,
        # The verification code of an issued document (egov.documents.verification_codes).
        "verification_code": (_codes.codes_of(document).order_by("pk").first()
                              if document.issued_at else None),
        "is_drafter": user.pk == document.drafter_id,
        "can_submit": (not frozen and user.pk == document.drafter_id
                       and document.state in (OutgoingState.DRAFT, OutgoingState.RETURNED)),
        "can_review": (not frozen and next_step is not None
                       and sel.may_review(user, document, next_step)),
        "can_add_version": (not frozen and document.state in svc.EDITABLE
                            and sel.may_edit(user, document)),
        "can_issue": (not frozen and document.state in sel.AWAITING_ISSUE
                      and policy.can(user, "documents.issue", document.agency)),
        "can_recall": (document.state == OutgoingState.ISSUED
                       and policy.can(user, "documents.recall", document.agency)),
        "can_retry": (document.state == OutgoingState.ISSUED
                      and policy.can(user, "documents.issue", document.agency)
                      and any(r.get("error") and not r.get("delivered_at")
                              for r in recipients)),
        "can_comment": not frozen,
        # The signer's own USB token through the local signing agent (egov.signing.user_token).
        "can_sign_token": (document.state == OutgoingState.APPROVED
                           and user.pk == document.signer_id
                           and _has_token_certificate(user)),
        # The signer's key held by the server (key file or HSM): after a confirmation page.
        "can_sign_server": (document.state == OutgoingState.APPROVED
                            and user.pk == document.signer_id
                            and _has_server_certificate(user)),
        # "Ký duyệt": the signer approves and signs in one step (views/outgoing_confirm.py).
        "can_approve_sign": (not frozen and next_step == ApprovalStep.SIGNER
                             and user.pk == document.signer_id
                             and _has_server_certificate(user)),
        "sign_agent_url": settings.EGOV_SIGN_AGENT_URL,
        "review_form": ReviewForm(initial={"step": next_step}) if next_step else None,
        "version_form": VersionForm(), "comment_form": CommentForm(),
        "recall_form": RecallForm(),
    }
    # Issue 9 §1: layout problems, the preview and the draft template (views/outgoing_layout).
    from .outgoing_layout import layout_context

    context.update(layout_context(document, latest, next_step=next_step,
                                  can_issue=context["can_issue"],
                                  is_signer=user.pk == document.signer_id))
    from ..page_extensions import panels_for  # other modules' panels (directives…)

    context["extra_panels"] = panels_for("outgoing", actor=user, document=document)
    return render(request, "documents/outgoing/detail.html", context)


def _has_server_certificate(user) -> bool:
    from egov.signing.selectors import usable_certificate

    return usable_certificate(user=user) is not None


def _has_token_certificate(user) -> bool:
    from egov.signing.user_token import has_user_token_certificate

    return has_user_token_certificate(user)


# --- actions ------------------------------------------------------------------------------------


def _act(request, pk: int, call, message) -> HttpResponse:
    """Run one service on the document; on success flash `message` (a string, or a function of
    the document), on an AppError flash it back by `_fail`; return to the document page."""
    document = _get(request, pk)
    try:
        call(document)
    except AppError as err:
        return _fail(request, err, pk)
    messages.success(request, message(document) if callable(message) else message)
    return redirect("documents:outgoing_detail", pk=pk)


@login_required
@require_POST
def outgoing_submit_view(request, pk: int):
    return _act(request, pk,
                lambda d: svc.outgoing_submit(actor=request.user, document=d),
                _("The draft is submitted for review."))


@login_required
@require_POST
def outgoing_review_view(request, pk: int):
    returned = request.POST.get("decision") == "returned"
    return _act(request, pk,
                lambda d: svc.outgoing_review(actor=request.user, document=d,
                                              step=request.POST.get("step", ""),
                                              decision=request.POST.get("decision", ""),
                                              comment=clean_field(
                                                  request.POST.get("comment", ""), "comment")),
                _("The draft is returned to the drafter.") if returned
                else _("Your approval is recorded."))


@login_required
@require_POST
def outgoing_recall_view(request, pk: int):
    return _act(request, pk,
                lambda d: svc.outgoing_recall(actor=request.user, document=d,
                                              reason=clean_field(
                                                  request.POST.get("reason", ""), "reason")),
                _("The document is recalled; the recipients are told."))


@login_required
@require_POST
def outgoing_retry_view(request, pk: int):
    return _act(request, pk,
                lambda d: svc.outgoing_retry_dispatch(actor=request.user, document=d),
                _("The failed deliveries were tried again."))


@login_required
@require_POST
def outgoing_version_view(request, pk: int):
    document = _get(request, pk)
    form = VersionForm(request.POST, request.FILES)
    form.is_valid()
    try:
        version = svc.outgoing_add_version(actor=request.user, document=document,
                                           file=form.cleaned_data.get("file"),
                                           note=form.cleaned_data.get("note", ""))
    except AppError as err:
        return _fail(request, err, pk)
    messages.success(request, _("Version %(n)d is saved.") % {"n": version.number})
    return redirect("documents:outgoing_detail", pk=pk)


@login_required
@require_POST
def outgoing_comment_view(request, pk: int):
    document = _get(request, pk)
    form = CommentForm(request.POST)
    form.is_valid()
    version = None
    number = form.cleaned_data.get("version")
    if number:
        version = next((v for v in document.versions.all() if v.number == number), None)
    try:
        svc.outgoing_comment(actor=request.user, document=document, version=version,
                             text=form.cleaned_data.get("text", ""))
    except AppError as err:
        return _fail(request, err, pk)
    messages.success(request, _("Your comment is saved."))
    return redirect(reverse("documents:outgoing_detail", args=[pk]) + "#comments")


# --- files --------------------------------------------------------------------------------------


def _file_response(stored, *, download: bool):
    return files.file_response(stored, inline=not download)


@xframe_options_sameorigin
@login_required
@require_http_methods(["GET", "HEAD"])
def outgoing_version_file(request, pk: int, number: int, kind: str):
    document = _get(request, pk)
    version = next((v for v in document.versions.all() if v.number == number), None)
    if version is None:
        raise Http404
    stored = version.pdf if kind == "pdf" else version.file
    if stored is None:
        raise Http404
    return _file_response(stored, download=request.GET.get("download") == "1"
                          or stored.content_type != files.PDF)


@xframe_options_sameorigin
@login_required
@require_http_methods(["GET", "HEAD"])
def outgoing_issued_file(request, pk: int):
    document = _get(request, pk)
    stored = document.issued_file or document.signed_file
    if stored is None:
        raise Http404
    return _file_response(stored, download=request.GET.get("download") == "1")


@login_required
@require_http_methods(["GET", "HEAD"])
def outgoing_attachment_file(request, pk: int, attachment_id: int):
    document = _get(request, pk)
    attachment = next((a for a in document.attachments.all() if a.pk == attachment_id), None)
    if attachment is None:
        raise Http404
    return _file_response(attachment.file, download=True)


urlpatterns = [
    path("", outgoing_list, name="outgoing_list"),
    path("new/", outgoing_new, name="outgoing_new"),
    path("reviews/", outgoing_reviews, name="outgoing_reviews"),
    path("queue/", outgoing_queue, name="outgoing_queue"),
    path("<int:pk>/", outgoing_detail, name="outgoing_detail"),
    path("<int:pk>/submit/", outgoing_submit_view, name="outgoing_submit"),
    path("<int:pk>/review/", outgoing_review_view, name="outgoing_review"),
    # sign/, issue/ (confirmation pages): views/outgoing_confirm.py; preview/: views/outgoing_layout.py
    *_confirm_urls,
    path("<int:pk>/recall/", outgoing_recall_view, name="outgoing_recall"),
    path("<int:pk>/dispatch/", outgoing_retry_view, name="outgoing_dispatch"),
    path("<int:pk>/versions/", outgoing_version_view, name="outgoing_version_add"),
    path("<int:pk>/comments/", outgoing_comment_view, name="outgoing_comment_add"),
    path("<int:pk>/versions/<int:number>/file/", outgoing_version_file, {"kind": "file"},
         name="outgoing_version_file"),
    path("<int:pk>/versions/<int:number>/pdf/", outgoing_version_file, {"kind": "pdf"},
         name="outgoing_version_pdf"),
    path("<int:pk>/issued.pdf", outgoing_issued_file, name="outgoing_issued_file"),
    path("<int:pk>/attachments/<int:attachment_id>/", outgoing_attachment_file,
         name="outgoing_attachment"),
]
