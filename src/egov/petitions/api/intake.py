"""Staff intake API under /api/v1/petitions/ (token or session):

    POST /api/v1/petitions/intake
        JSON {"agency_id"?, "channel": "reception"|"onestop"|"post", "identity": {"full_name",
        "personal_id", "phone", "email", "address"}, "others": [...], "content", "kind"?,
        "oral"?, "subject"?, "respondent"?, "signers"?} — or multipart with that object as the
        `data` field, the scans of the letter as `letter_scans` and other files as
        `attachments` → 201 {"id", "code", "check", "receipt_url"}
    POST /api/v1/petitions/intake/from-document
        {"document_id", "identity", "others"?, "content"?, "kind"?, "respondent"?}
        → 201 the same; 409 `already_converted`; 404 for a document the caller cannot see.

Bad input → 422 with the fields; no `petitions.receive` on the agency → 403.
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from egov.core.api import ERRORS, ErrorOut
from egov.core.errors import AppError, InvalidInput, PermissionDenied
from egov.core.jsonlimits import loads_limited
from egov.core.text import clean_data

from ..services import intake

router = Router(tags=["petitions intake"])
DESK_KEYS = ("channel", "identity", "others", "content", "kind", "oral", "subject",
             "respondent", "signers")
DOCUMENT_KEYS = ("identity", "others", "content", "kind", "respondent")


class PetitionIntakeOut(Schema):
    id: int
    code: str
    check: str
    receipt_url: str


def _out(petition) -> dict:
    return {"id": petition.pk, "code": petition.code, "check": petition.lookup_check,
            "receipt_url": reverse("petitions:receipt_pdf", kwargs={"pk": petition.pk})}


def _body(request) -> tuple[dict, dict]:
    if request.content_type == "multipart/form-data":
        try:
            files, form = request.FILES, request.POST
        except (MultiPartParserError, SuspiciousOperation):
            raise AppError("malformed_body", _("The request body is not valid multipart form "
                                               "data."), status=400) from None
        try:
            data = loads_limited(form.get("data") or "", field="data")
        except (TypeError, ValueError):
            data = None
        if not isinstance(data, dict):
            raise InvalidInput(_("Check the highlighted fields."),
                               fields={"data": [_("Send the petition as a JSON object.")]})
        return clean_data(data), {"letter_scans": files.getlist("letter_scans"),
                                  "attachments": files.getlist("attachments")}
    try:
        data = loads_limited(request.body or b"{}")
    except ValueError:
        raise AppError("malformed_body", _("The request body is not valid JSON."),
                       status=400) from None
    if not isinstance(data, dict):
        raise InvalidInput(_("The request body must be a JSON object."))
    return clean_data(data), {}


def _agency(actor, agency_id):
    agencies = intake.desk_agencies(actor)
    if not agencies:
        raise PermissionDenied()
    if agency_id in (None, ""):
        return agencies[0]
    for a in agencies:
        if str(a.pk) == str(agency_id):
            return a
    raise InvalidInput(_("Check the highlighted fields."),
                       fields={"agency_id": [_("Choose one of the agencies offered.")]})


BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "required": ["identity", "content"]}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["data"], "properties": {
        "data": {"type": "string", "description": "The petition as a JSON object"},
        "letter_scans": {"type": "array", "items": {"type": "string", "format": "binary"}},
        "attachments": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}}


@router.post("/intake", response={201: PetitionIntakeOut, **ERRORS}, openapi_extra=BODY,
             summary="Receive a petition at the desk or the one-stop counter")
def intake_desk(request):
    data, files = _body(request)
    agency = _agency(request.auth, data.get("agency_id"))
    petition = intake.receive_at_desk(
        actor=request.auth, agency=agency, **{k: data[k] for k in DESK_KEYS if k in data},
        letter_scans=files.get("letter_scans", []), attachments=files.get("attachments", []))
    return Status(201, _out(petition))


@router.post("/intake/from-document", response={201: PetitionIntakeOut, 409: ErrorOut, **ERRORS},
             summary="Turn an incoming document (a forwarded letter) into a petition")
def intake_document(request):
    data, files = _body(request)
    petition = intake.from_incoming_document(
        actor=request.auth, document_id=data.get("document_id"),
        **{k: data[k] for k in DOCUMENT_KEYS if k in data},
        attachments=files.get("attachments", []))
    return Status(201, _out(petition))
