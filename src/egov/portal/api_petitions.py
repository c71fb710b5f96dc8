"""The portal's public petition API (no login), added to the portal router (egov.portal.api):

    POST /api/v1/portal/petitions
        JSON {"full_name", "personal_id", "phone", "email", "address", "content", "kind"?,
        "agency_id"?} — or multipart/form-data with that object as the `data` field and the
        attachments as `files` (PDF, JPEG, PNG; egov.core.files limits) →
        201 {"code", "check", "receipt_url"}; bad input → 422 {"code", "message", "fields"},
        nothing written; too many sent from one client → 429 + Retry-After.
    GET /api/v1/portal/petitions/{code}?check=…
        → 200 {"code", "state", "received_at", "timeline": [{"at", "kind", "label"}], "due_at"?}
          — status and dates only; an unknown code, a wrong check and a missing check all
          answer the same 404; over the look-up limit → 429 + Retry-After.
    GET /public/petitions/{code}/receipt.pdf?check=… (egov.portal.views_petitions): the receipt.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import SuspiciousOperation
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from egov.core.api import ErrorOut, error_response
from egov.core.calendar import localtime
from egov.core.errors import AppError, InvalidInput, NotFound
from egov.core.jsonlimits import loads_limited
from egov.core.text import clean_data
from egov.core.throttle import client_ip
from egov.petitions.selectors import public as public_sel
from egov.petitions.services import intake

from . import limits_petitions as limits

router = Router(tags=["portal petitions"])

FIELDS = ("full_name", "personal_id", "phone", "email", "address", "content", "kind",
          "agency_id")


class PetitionSubmitOut(Schema):
    code: str
    check: str
    receipt_url: str


def receipt_url(code: str, check: str) -> str:
    return (reverse("public:petition_receipt", kwargs={"code": code}) + "?"
            + urlencode({"check": check}))


def _limited(request, scope: str):
    verdict = limits.hit(request, scope)
    if verdict.allowed:
        return None
    message = (_("Too many petitions sent. Try again later.") if scope == "submit"
               else _("Too many look-ups. Try again later."))
    response = error_response(request, 429, "rate_limited", message)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _json_body(request) -> dict:
    try:
        data = loads_limited(request.body or b"{}")
    except ValueError:
        raise AppError("malformed_body", _("The request body is not valid JSON."),
                       status=400) from None
    if not isinstance(data, dict):
        raise InvalidInput(_("The request body must be a JSON object."))
    return clean_data(data)


def _multipart(request) -> tuple[dict, list]:
    try:
        files, form = request.FILES, request.POST
    except (MultiPartParserError, SuspiciousOperation):
        raise AppError("malformed_body", _("The request body is not valid multipart form "
                                           "data."), status=400) from None
    if "data" not in form:
        raise InvalidInput(_("Check the highlighted fields."),
                           fields={"data": [_("This field is required.")]})
    try:
        data = loads_limited(form["data"], field="data")
    except (TypeError, ValueError):
        data = None
    if not isinstance(data, dict):
        raise InvalidInput(_("Check the highlighted fields."),
                           fields={"data": [_("Send the petition as a JSON object.")]})
    unknown = sorted(k for k in files if k != "files")
    if unknown:
        raise InvalidInput(_("Check the highlighted fields."),
                           fields={k[:64]: [_("Send the attachments as the field files.")]
                                   for k in unknown})
    return clean_data(data), files.getlist("files")


SUBMIT_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "required": ["full_name", "content"],
                                    "properties": {k: {"type": "string"} for k in FIELDS}}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["data"], "properties": {
        "data": {"type": "string", "description": "The petition as a JSON object"},
        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}}


@router.post("/petitions", auth=None, openapi_extra=SUBMIT_BODY,
             response={201: PetitionSubmitOut, 400: ErrorOut, 413: ErrorOut, 422: ErrorOut,
                       429: ErrorOut, 503: ErrorOut},
             summary="Send a petition (no login): the look-up code, check and receipt")
def petition_submit(request):
    limited = _limited(request, "submit")
    if limited is not None:
        return limited
    if request.content_type == "multipart/form-data":
        data, files = _multipart(request)
    else:
        data, files = _json_body(request), []
    unknown = sorted(k for k in data if k not in FIELDS)
    if unknown:
        raise InvalidInput(_("Check the highlighted fields."),
                           fields={k[:64]: [_("Unknown field.")] for k in unknown[:20]})
    petition = intake.submit_online(
        **{k: data.get(k) for k in FIELDS}, files=files,
        language=translation.get_language() or "vi", ip=client_ip(request))
    return Status(201, {"code": petition.code, "check": petition.lookup_check,
                        "receipt_url": receipt_url(petition.code, petition.lookup_check)})


def _iso(value: dt.datetime) -> str:
    return localtime(value).isoformat()


@router.get("/petitions/{code}", auth=None,
            response={200: dict, 404: ErrorOut, 429: ErrorOut},
            summary="The status of a petition by code and check (no login)")
def petition_lookup(request, code: str):
    """Status and dates only. A wrong or missing check answers exactly like an unknown code."""
    limited = _limited(request, "lookup")
    if limited is not None:
        return limited
    status = public_sel.public_status(code, request.GET.get("check"))
    if status is None:
        raise NotFound()
    out = {"code": status["code"], "state": status["state"],
           "received_at": _iso(status["received_at"]),
           "timeline": [{"at": _iso(e["at"]), "kind": e["kind"], "label": e["label"]}
                        for e in status["timeline"]]}
    if "due_at" in status:
        out["due_at"] = _iso(status["due_at"])
    return out
