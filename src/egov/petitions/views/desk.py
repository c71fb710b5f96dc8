"""The intake page under /petitions/intake/ (reception officer, one-stop officer: holders of
`petitions.receive`): the petitioner (stored apart), the content, the kind if known, the
oral-statement flag, the scan of the letter and other attachments → a received petition and its
receipt (Mẫu 02/TCD). With ?document=<id> the page turns an incoming document of the Documents
module (a letter forwarded by another agency) into a petition.

/petitions/<id>/receipt.pdf: the receipt — the petitioner's copy to those who may read the
identity (the read is audited), a redacted copy to everyone else who may see the petition.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core import policy
from egov.core.errors import AppError, NotFound
from egov.core.files import file_response
from egov.core.forms import apply_app_error

from .. import pdf_receipt
from ..forms_intake import DeskIntakeForm, parse_others
from ..selectors import access
from ..selectors import public as public_sel
from ..services import intake
from .petition import get_petition

FIELD_MAP = {"letter_scans.0": "letter_scan", "attachments.0": "attachment",
             "document_id": "document"}


def _field(name: str) -> str:
    if name in FIELD_MAP:
        return FIELD_MAP[name]
    if name.startswith("others."):
        return "others"
    return name


def _document(request, document_id):
    """The incoming document to convert (Documents' own visibility rule), or None."""
    if not document_id:
        return None
    from egov.documents.selectors.incoming import incoming_get

    try:
        return incoming_get(actor=request.user, id=document_id)
    except NotFound:
        raise Http404 from None


def may_use_desk(user) -> bool:
    return bool(intake.desk_agencies(user))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def intake_page(request):
    agencies = intake.desk_agencies(request.user)
    if not agencies:
        raise DjangoPermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    document = _document(request, source.get("document") if str(source.get("document") or "")
                         .isdigit() else None)
    status = 200
    if request.method == "POST":
        form = DeskIntakeForm(request.POST, request.FILES, agencies=agencies)
        form.is_valid()
        d = getattr(form, "cleaned_data", {})
        agency = next((a for a in agencies if str(a.pk) == (d.get("agency") or "")),
                      agencies[0])
        try:
            if form.errors:
                raise AppError("invalid", _("Check the highlighted fields."))
            common = {"actor": request.user, "identity": form.identity(),
                      "others": parse_others(d.get("others", "")),
                      "content": d.get("content", ""), "kind": d.get("kind", ""),
                      "respondent": d.get("respondent", ""),
                      "attachments": [d["attachment"]] if d.get("attachment") else []}
            if document is not None:
                petition = intake.from_incoming_document(document_id=document.pk, **common)
            else:
                petition = intake.receive_at_desk(
                    agency=agency, channel=d.get("channel") or "reception",
                    oral=bool(d.get("oral")), subject=d.get("subject", ""),
                    letter_scans=[d["letter_scan"]] if d.get("letter_scan") else [],
                    **common)
        except AppError as err:
            if err.status == 403:
                raise DjangoPermissionDenied from None
            if err.status == 404:
                raise Http404 from None
            err.fields = {_field(k): v for k, v in err.fields.items()}
            if err.fields or not form.errors:
                apply_app_error(form, err)
            if err.status == 409:
                form.add_error(None, err.message)
            status = err.status if err.status in (409, 503) else 422
        else:
            return redirect("petitions:petition", pk=petition.pk)
    else:
        # A one-stop officer records what is handed in at the counter.
        onestop = any(g.action == "onestop.receive" for g in policy.grants_for(request.user))
        initial = {"channel": "onestop" if onestop else "reception",
                   "agency": str(agencies[0].pk)}
        if document is not None:
            initial.update(document=document.pk, content=document.subject)
        form = DeskIntakeForm(initial=initial, agencies=agencies)
    return render(request, "petitions/intake/desk.html", {
        "form": form, "document": document, "multiple_agencies": len(agencies) > 1,
    }, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def receipt_pdf(request, pk: int):
    petition = get_petition(request, pk)
    slip = public_sel.receipt_of(petition)
    if slip is None:
        raise Http404
    if access.identity_for(request.user, petition, purpose="receipt") is not None:
        return file_response(pdf_receipt.receipt_pdf_file(slip), inline=True)
    response = HttpResponse(pdf_receipt.render(slip, redacted=True),
                            content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{pdf_receipt.receipt_filename(slip).replace(".pdf", "-an.pdf")}"')
    return response
