"""Pages of issue 9 §1 under /documents/outgoing/: draft templates (.docx per document type and
per draft), the preview of a document as it will be issued, and the layout problems shown on
the document page (:func:`layout_context`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from egov.core.errors import AppError, NotFound, PermissionDenied

from .. import draft_templates as tpl
from .. import layout_check
from ..models import ApprovalStep, OutgoingState
from ..preview import preview_pdf
from ..selectors import outgoing as sel


def _get(request, pk: int):
    try:
        return sel.outgoing_get(actor=request.user, document_id=pk)
    except NotFound as err:
        raise Http404 from err


def docx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=tpl.DOCX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def pdf_inline(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def type_template(actor, type_code: str) -> tuple[bytes, str]:
    """The .docx of ``type_code`` for the actor's drafting unit and its agency; raises NotFound
    (unknown type, or an electronic copy which has no drafting template) or PermissionDenied."""
    units = sel.drafting_units(actor)
    if not units:
        raise PermissionDenied()
    doc_type = sel.document_types().filter(code=type_code, is_copy=False).first()
    if doc_type is None:
        raise NotFound()
    unit = units[0]
    data = tpl.data_for_type(doc_type=doc_type, agency=unit.agency, drafting_unit=unit)
    return tpl.build_docx(data), tpl.filename(data)


def document_template(document) -> tuple[bytes, str]:
    data = tpl.data_for_document(document)
    return tpl.build_docx(data), f"du-thao-{document.pk}.docx"


@login_required
@require_http_methods(["GET", "HEAD"])
def outgoing_template(request, type_code: str | None = None):
    """GET templates/?type=QD (the form on the drafting page) or templates/QD.docx."""
    code = type_code or (request.GET.get("type") or "").strip()[:20]
    if not code:
        messages.error(request, _("Choose the document type of the template."))
        return redirect("documents:outgoing_new")
    try:
        data, name = type_template(request.user, code)
    except PermissionDenied as err:
        raise DjangoPermissionDenied(err.message) from err
    except NotFound as err:
        raise Http404 from err
    return docx_response(data, name)


@login_required
@require_http_methods(["GET", "HEAD"])
def outgoing_document_template(request, pk: int):
    """The template filled with this draft's data (trích yếu, signer, capacity, recipients)."""
    data, name = document_template(_get(request, pk))
    return docx_response(data, name)


@xframe_options_sameorigin
@login_required
@require_http_methods(["GET", "HEAD"])
def outgoing_preview(request, pk: int):
    """The PDF as it will be issued (``?stage=sign`` before the leader signs, ``?stage=issue``
    before the clerk issues), marked as a preview; nothing is signed, numbered or logged."""
    document = _get(request, pk)
    stage = request.GET.get("stage") or ("issue" if document.state == OutgoingState.SIGNED
                                         else "sign")
    try:
        data = preview_pdf(document=document, stage=stage)
    except AppError as err:
        messages.error(request, err.message)
        return redirect("documents:outgoing_detail", pk=pk)
    return pdf_inline(data, f"xem-truoc-{document.pk}.pdf")


def layout_context(document, latest, *, next_step, can_issue: bool, is_signer: bool) -> dict:
    """For the document page: the layout problems of the PDF at the format review, before the
    signature and before the issue, and where the preview and the templates are offered."""
    if not layout_check.applies(document):
        return {}
    stage = None
    if document.state == OutgoingState.IN_REVIEW and next_step == ApprovalStep.FORMAT:
        stage = "review"
    elif document.state == OutgoingState.APPROVED and (is_signer or can_issue):
        stage = "sign" if is_signer else "issue"
    elif document.state == OutgoingState.SIGNED and can_issue:
        stage = "issue"
    stored = None
    if stage is not None:
        stored = (document.signed_file if document.signed_file_id and stage == "issue"
                  else (latest.pdf if latest is not None else None))
    report = (layout_check.check_stored(stored, document=document, stage=stage)
              if stored is not None else None)
    preview_stage = None
    if document.state == OutgoingState.APPROVED and is_signer:
        preview_stage = "sign"
    elif document.state in (OutgoingState.APPROVED, OutgoingState.SIGNED) and can_issue:
        preview_stage = "issue"
    return {
        "layout_stage": stage,
        "layout_problems": report.messages if report is not None else [],
        "layout_checked": report is not None,
        "preview_stage": preview_stage if report is None or report.ok else None,
        "can_template": document.state in (OutgoingState.DRAFT, OutgoingState.RETURNED,
                                           OutgoingState.IN_REVIEW),
    }


urlpatterns = [
    path("templates/", outgoing_template, name="outgoing_template"),
    path("templates/<str:type_code>.docx", outgoing_template, name="outgoing_template_type"),
    path("<int:pk>/template.docx", outgoing_document_template, name="outgoing_document_template"),
    path("<int:pk>/preview/", outgoing_preview, name="outgoing_preview"),
]
