"""Draft templates and the preview in the API (issue 9 §1; egov.documents.draft_templates,
egov.documents.preview)."""

from __future__ import annotations

from ninja import Path, Query, Router

from egov.core.api import BIGINT, ERRORS, ErrorOut
from egov.core.api_openapi import file_response

from .. import draft_templates as tpl
from ..selectors import outgoing as sel
from ..views.outgoing_layout import docx_response, pdf_inline, type_template

router = Router(tags=["outgoing documents"])
ERRORS_409 = {**ERRORS, 409: ErrorOut}


@router.get("/outgoing/templates/{type_code}.docx", response={**ERRORS},
            openapi_extra=file_response(tpl.DOCX, description="The .docx template"),
            summary="The draft template of a document type")
def outgoing_type_template(request, type_code: str = Path(..., max_length=20,
                                                           pattern=r"^[A-Za-z_]+$")):
    """A .docx in the layout of NĐ 30/2020 Phụ lục I for the type (e.g. `QD`, `CV`), with the
    heading of the caller's agency, "Số:      /<ký hiệu>", the place-and-date line and the
    signer block. 404 for an unknown type or a copy type."""
    data, name = type_template(request.auth, type_code)
    return docx_response(data, name)


@router.get("/outgoing/{id}/template.docx", response={**ERRORS},
            openapi_extra=file_response(tpl.DOCX, description="The .docx template"),
            summary="The draft template filled with one draft's data")
def outgoing_document_template(request, id: int = Path(..., ge=1, le=BIGINT)):
    """The template with the draft's trích yếu, signer, capacity and recipients (Kính gửi for
    a công văn, Nơi nhận)."""
    from ..views.outgoing_layout import document_template

    data, name = document_template(sel.outgoing_get(actor=request.auth, document_id=id))
    return docx_response(data, name)


@router.get("/outgoing/{id}/preview", response={**ERRORS_409},
            openapi_extra=file_response("application/pdf", description="The preview PDF"),
            summary="Preview the PDF as it will be issued")
def outgoing_preview(request, id: int = Path(..., ge=1, le=BIGINT),
                     stage: str = Query("sign", pattern="^(sign|issue)$")):
    """The PDF with a placeholder number ("Số: …/QĐ-UBND"), the date, the signature image,
    the seal and the verification mark where the issue puts them, watermarked "BẢN XEM TRƯỚC —
    KHÔNG CÓ GIÁ TRỊ PHÁP LÝ". Nothing is signed, numbered or logged. `stage=sign` before the
    leader signs, `stage=issue` before the clerk issues. 409 `layout` names what is missing."""
    from ..preview import preview_pdf

    doc = sel.outgoing_get(actor=request.auth, document_id=id)
    return pdf_inline(preview_pdf(document=doc, stage=stage), f"xem-truoc-{doc.pk}.pdf")
