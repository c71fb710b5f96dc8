"""Signing API: sessions for the user's own USB token (egov.signing.user_token; the protocol is
in docs/sign-agent.md).

    POST /api/v1/signing/sessions                    the signer (session or Bearer auth)
         {"document_id": n, "certificate_id"?: m} → 201 {"session", "expires_at",
         "download_url", "upload_url", "agent_url", "agent_request"}
    GET  /api/v1/signing/sessions/{id}               the session's state (polling)
    GET  /api/v1/signing/sessions/t/{token}/file     the prepared PDF — no login, the token is
         the credential; single use, expires (404 unknown, 410 used or expired)
    POST /api/v1/signing/sessions/t/{token}/upload   multipart ``uploadfile`` — no login, no CSRF
         (token-bound); 200 {"Status": true, "Message", "FileName", "FileServer": "",
         "document", "state": "signed"} or 4xx {code, message, fields, "Status": false,
         "Message"} (the answer a VGCA-compatible agent expects, documents.md §17)
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status

from egov.core.api import BIGINT, ERRORS, ErrorOut, api
from egov.core.api_openapi import file_response
from egov.core.errors import AppError, InvalidInput, NotFound
from egov.core.schemas import InputSchema

from . import subjects, user_token
from .models import SigningCertificate

router = Router(tags=["signing"])

class SessionIn(InputSchema):
    document_id: int = Field(..., ge=1, le=BIGINT)
    certificate_id: int | None = Field(None, ge=1, le=BIGINT)


class SessionCreatedOut(Schema):
    session: int
    expires_at: dt.datetime
    download_url: str
    upload_url: str
    agent_url: str
    agent_request: dict


class SessionOut(Schema):
    session: int
    state: str
    error: str
    document: int
    document_state: str
    expires_at: dt.datetime
    downloaded_at: dt.datetime | None = None
    uploaded_at: dt.datetime | None = None


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@router.post("/signing/sessions", response={201: SessionCreatedOut, **ERRORS, 409: ErrorOut},
             summary="Start signing a document with your own USB token")
def session_create(request, payload: SessionIn):
    actor = request.auth
    kind = subjects.get_kind(user_token.DEFAULT_KIND)
    document = kind.get(actor, payload.document_id)
    certificate = None
    if payload.certificate_id is not None:
        certificate = SigningCertificate.objects.filter(pk=payload.certificate_id,
                                                        owner_user=actor).first()
        if certificate is None:
            raise InvalidInput(_("Choose one of your certificates."),
                               fields={"certificate_id": [_("Not one of your certificates.")]},
                               code="no_certificate")
    start = user_token.session_create(actor=actor, subject=document, kind=kind.kind,
                                      certificate=certificate, base_url=_base_url(request))
    return Status(201, {"session": start.session.pk, "expires_at": start.session.expires_at,
                        "download_url": start.download_url, "upload_url": start.upload_url,
                        "agent_url": start.agent_url, "agent_request": start.agent_request})


@router.get("/signing/sessions/{id}", response={200: SessionOut, **ERRORS},
            summary="The state of a signing session")
def session_detail(request, id: int = Path(..., ge=1, le=BIGINT)):
    session = user_token.session_get(actor=request.auth, session_id=id)
    subject = user_token.session_subject(session)
    state = subjects.get_kind(session.subject_kind).state(subject) if subject is not None else ""
    return {"session": session.pk, "state": session.state, "error": session.error,
            "document": session.subject_id, "document_state": state,
            "expires_at": session.expires_at, "downloaded_at": session.downloaded_at,
            "uploaded_at": session.uploaded_at}


def _vgca_error(request, err: AppError, status: int | None = None) -> HttpResponse:
    body = {**err.as_dict(), "Status": False, "Message": err.message, "FileName": "",
            "FileServer": ""}
    return api.create_response(request, body, status=status or err.status)


@router.get("/signing/sessions/t/{token}/file", auth=None,
            response={200: None, 404: ErrorOut, 410: ErrorOut},
            openapi_extra=file_response("application/pdf"),
            summary="Download the prepared PDF (single use; the signing agent)")
def session_file(request, token: str = Path(..., max_length=200)):
    try:
        session, data = user_token.session_download(token=token)
    except AppError as err:
        return _vgca_error(request, err)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="van-ban-{session.subject_id}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@router.post("/signing/sessions/t/{token}/upload", auth=None,
             response={200: dict, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                       410: ErrorOut, 413: ErrorOut, 422: ErrorOut},
             summary="Upload the signed PDF (multipart field uploadfile; the signing agent)")
def session_upload(request, token: str = Path(..., max_length=200)):
    upload = request.FILES.get("uploadfile")
    try:
        if upload is None:
            raise InvalidInput(_("Send the signed PDF as the multipart field uploadfile."),
                               fields={"uploadfile": [_("This field is required.")]})
        if upload.size > settings.EGOV_MAX_UPLOAD_BYTES:
            raise AppError("too_large", _("The file is too large."), status=413)
        data = upload.read()
        accepted = user_token.session_upload(token=token, data=data)
    except NotFound as err:
        return _vgca_error(request, err, 404)
    except AppError as err:
        return _vgca_error(request, err)
    return {"Status": True, "Message": str(_("The signed document was accepted.")),
            "FileName": accepted.signed_file.original_name, "FileServer": "",
            "document": accepted.session.subject_id,
            "state": subjects.get_kind(accepted.session.subject_kind).state(accepted.subject)}
