"""Signing with the user's OWN USB token through a local signing agent (docs/sign-agent.md).

The server never sees the private key or the PIN. The subject's module (egov.signing.subjects;
for an outgoing document :func:`egov.documents.signing_flow.approval_input`) prepares the PDF
of the approved version; signing opens a :class:`SigningSession` with two
random, single-use, expiring URLs — one to download the prepared PDF, one to upload the signed
result — and hands the agent request to the browser, which passes it to the agent on
127.0.0.1 (``egov sign-agent`` or a compatible third-party agent such as the Ban Cơ yếu VGCA Sign
Service, documents.md §17). Only the SHA-256 of each token is stored, so a database leak does not
leak usable URLs.

The upload is accepted only when (Luật Giao dịch điện tử 2023 Điều 22-24: a secure digital
signature is created with the signer's key under a valid certificate, and changes after signing
are detectable; NĐ 30/2020 Điều 13.7: the signer signs the approved document):

(a) it starts with the prepared bytes exactly — the same document, changed only by an
    incremental update;
(b) :func:`egov.signing.verify.verify_pdf` finds every signature valid, trusted and intact, the
    new signature is in the session's field (``leader_signature`` for documents), covers the
    whole file and certifies, and the
    revision added to the prepared PDF holds only allowed changes (pyHanko difference analysis:
    form filling / signing of fields, no content change);
(c) the signing certificate is one of the actor's registered user-token certificates, valid
    now and not revoked (exactly the session's certificate if it names one);
(d) the subject's module accepts it (for documents: still APPROVED with the same latest version).

Then the module finishes the subject (:func:`egov.documents.signing_flow.approval_finish`
moves the document to SIGNED). Any failure rejects
the session with the reason and leaves the document untouched. Acceptances and rejections are
audited (``signing.session.accept`` / ``signing.session.reject``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import files
from egov.core.audit import audit_log
from egov.core.errors import AppError, InvalidInput, NotFound

from . import subjects
from .models import KeySource, SessionState, SigningCertificate, SigningSession

PURPOSE_APPROVAL = "approval"
DEFAULT_KIND = "documents.outgoing"  # the subject kind the API's document_id names
API_PREFIX = "/api/v1/signing/sessions/t"


class SessionGone(AppError):
    """The URL was used already, or it expired (HTTP 410)."""

    status = 410


@dataclass(frozen=True)
class SessionStart:
    session: SigningSession
    download_url: str
    upload_url: str
    agent_url: str
    agent_request: dict


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def download_path(token: str) -> str:
    return f"{API_PREFIX}/{token}/file"


def upload_path(token: str) -> str:
    return f"{API_PREFIX}/{token}/upload"


# ---------------------------------------------------------------- certificates

def user_token_certificates(user, *, now: dt.datetime | None = None):
    """The user's registered USB-token certificates usable today (newest first)."""
    now = now or timezone.now()
    return (SigningCertificate.objects
            .filter(owner_user=user, key_source=KeySource.USER_TOKEN, revoked_at__isnull=True,
                    not_before__lte=now, not_after__gte=now)
            .order_by("-not_before", "-pk"))


def has_user_token_certificate(user) -> bool:
    return bool(getattr(user, "pk", None)) and user_token_certificates(user).exists()


def _no_certificate() -> InvalidInput:
    return InvalidInput(_("No usable certificate of your own USB token is registered. Register "
                          "the certificate of your token first."),
                        fields={"certificate_id": [_("No usable certificate.")]},
                        code="no_certificate")


# ---------------------------------------------------------------- create

def _agent_request(*, actor, plan: subjects.TokenSigning, certificate, download_url,
                   upload_url) -> dict:
    from .selectors import appearance_image_for

    spec = plan.appearance
    image = getattr(spec, "image_png", None)
    if not image:
        row = appearance_image_for(user=actor, kind="signature")
        image = bytes(row.image_png) if row is not None else None
    return {
        "download_url": download_url,
        "upload_url": upload_url,
        "field": plan.field,
        "certify": plan.certify,
        "certificate_sha256": certificate.fingerprint_sha256,
        "reason": plan.reason,
        "location": plan.location,
        "appearance": {
            "name": spec.name,
            "title": spec.title,
            "box": [float(v) for v in spec.box],
            "page": spec.page,
            "image_png": base64.b64encode(image).decode() if image else None,
            # optional extension of the protocol: the caption size under the image
            "font_size": int(getattr(spec, "font_size", 9) or 9),
        },
    }


def _token_kind(kind: str) -> subjects.SubjectKind:
    found = [k for k in subjects.with_hook("token_prepare") if k.kind == kind]
    if not found:
        raise NotFound()
    return found[0]


def session_create(*, actor, subject, kind: str = DEFAULT_KIND,
                   certificate: SigningCertificate | None = None,
                   base_url: str) -> SessionStart:
    """Open a signing session for ``subject`` (of the registered ``kind``; for documents the
    signer of an APPROVED document); ``base_url`` is the scheme and host the agent reaches the
    server at (e.g. ``https://egov.example.vn``)."""
    hooks = _token_kind(kind)
    hooks.token_check(actor, subject)
    usable = list(user_token_certificates(actor))
    if certificate is not None:
        if certificate.pk not in {c.pk for c in usable}:
            raise _no_certificate()
        chosen = certificate
    elif usable:
        chosen = usable[0]
    else:
        raise _no_certificate()
    plan = hooks.token_prepare(actor, subject)
    prepared = plan.prepared
    stem = (plan.original.original_name or "van-ban.pdf").rsplit(".", 1)[0]
    stored = files.file_store(actor=actor, upload=(f"{stem}-chuan-bi-ky.pdf", prepared),
                              require={files.PDF}, derived_from=plan.original,
                              derivation="prepared")
    download_token = secrets.token_urlsafe(32)
    upload_token = secrets.token_urlsafe(32)
    base = base_url.rstrip("/")
    download_url = base + download_path(download_token)
    upload_url = base + upload_path(upload_token)
    with transaction.atomic():
        session = SigningSession.objects.create(
            purpose=PURPOSE_APPROVAL, subject_kind=kind, subject_id=subject.pk,
            field_name=plan.field, actor=actor, certificate=certificate,
            prepared_file=stored, prepared_sha256=hashlib.sha256(prepared).hexdigest(),
            download_token_hash=_hash(download_token), upload_token_hash=_hash(upload_token),
            expires_at=timezone.now() + dt.timedelta(seconds=settings.EGOV_SIGN_SESSION_TTL),
        )
        audit_log(actor=actor, action="signing.session.create", obj=session,
                  details={**plan.details, "kind": kind, "subject": subject.pk,
                           "certificate": certificate.pk if certificate else None,
                           "prepared_sha256": session.prepared_sha256,
                           "expires_at": session.expires_at})
    request = _agent_request(actor=actor, plan=plan, certificate=chosen,
                             download_url=download_url, upload_url=upload_url)
    return SessionStart(session=session, download_url=download_url, upload_url=upload_url,
                        agent_url=settings.EGOV_SIGN_AGENT_URL, agent_request=request)


def session_subject(session: SigningSession):
    """The subject the session signs (egov.signing.subjects), or None."""
    return subjects.load(session.subject_kind, session.subject_id)


def session_get(*, actor, session_id: int) -> SigningSession:
    session = (SigningSession.objects
               .filter(pk=session_id, actor_id=getattr(actor, "pk", None)).first())
    if session is None:
        raise NotFound()
    _expire_if_due(session)
    return session


def _expire_if_due(session: SigningSession) -> None:
    if (session.state in (SessionState.PENDING, SessionState.DOWNLOADED)
            and session.uploaded_at is None and timezone.now() > session.expires_at):
        SigningSession.objects.filter(pk=session.pk, state=session.state).update(
            state=SessionState.EXPIRED)
        session.state = SessionState.EXPIRED


# ---------------------------------------------------------------- download

def _gone_used() -> SessionGone:
    return SessionGone("session_used", _("This signing link has been used already. Start the "
                                         "signing again from the document page."))


def _gone_expired() -> SessionGone:
    return SessionGone("session_expired", _("This signing link has expired. Start the signing "
                                            "again from the document page."))


def session_download(*, token: str) -> tuple[SigningSession, bytes]:
    """The prepared PDF for the download token — once, before expiry (404 unknown, 410 used or
    expired)."""
    error = None
    with transaction.atomic():
        session = (SigningSession.objects.select_for_update()
                   .filter(download_token_hash=_hash(token or "")).first())
        if session is None:
            raise NotFound()
        if session.downloaded_at is not None or session.state != SessionState.PENDING:
            error = _gone_used()
        elif timezone.now() > session.expires_at:
            session.state = SessionState.EXPIRED
            session.save(update_fields=["state"])
            error = _gone_expired()
        else:
            session.downloaded_at = timezone.now()
            session.state = SessionState.DOWNLOADED
            session.save(update_fields=["downloaded_at", "state"])
    if error is not None:
        raise error
    with files.file_open(session.prepared_file) as fh:
        data = fh.read()
    if hashlib.sha256(data).hexdigest() != session.prepared_sha256:
        raise AppError("prepared_changed", _("The prepared file was changed on the server."),
                       status=409)
    return session, data


# ---------------------------------------------------------------- upload

class _Refused(Exception):
    def __init__(self, code: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, str(message), status


def _consume_upload(token: str) -> SigningSession:
    """Lock, check and mark the upload token used (in its own transaction, before the slow
    verification, so a second upload is refused even while the first is being checked)."""
    error = None
    with transaction.atomic():
        session = (SigningSession.objects.select_for_update(of=("self",))
                   .select_related("actor", "certificate", "prepared_file")
                   .filter(upload_token_hash=_hash(token or "")).first())
        if session is None:
            raise NotFound()
        if session.uploaded_at is not None or session.state not in (
                SessionState.PENDING, SessionState.DOWNLOADED):
            error = _gone_used()
        elif timezone.now() > session.expires_at:
            session.state = SessionState.EXPIRED
            session.save(update_fields=["state"])
            error = _gone_expired()
        else:
            session.uploaded_at = timezone.now()
            session.save(update_fields=["uploaded_at"])
    if error is not None:
        raise error
    return session


def _signing_diff_policy():
    """pyHanko's default difference policy, except that the catalogue may gain ``/Perms`` and
    the form its ``/SigFlags``: a certifying signature adds its DocMDP entry there (PDF 32000-1
    §12.8.4) in the very revision it signs. Everything else — page content, resources, annotations other than signature
    widgets — must stay as prepared."""
    from pyhanko.sign.diff_analysis import (
        CatalogModificationRule,
        DocInfoRule,
        DSSCompareRule,
        FormUpdatingRule,
        GenericFieldModificationRule,
        MetadataUpdateRule,
        ModificationLevel,
        ObjectStreamRule,
        SigFieldCreationRule,
        SigFieldModificationRule,
        StandardDiffPolicy,
        XrefStreamRule,
    )
    from pyhanko.sign.diff_analysis.constants import (
        ACROFORM_EXEMPT_STRICT_COMPARISON,
        ROOT_EXEMPT_STRICT_COMPARISON,
    )

    lta = ModificationLevel.LTA_UPDATES
    return StandardDiffPolicy(
        global_rules=[
            CatalogModificationRule(ignored_keys=ROOT_EXEMPT_STRICT_COMPARISON | {"/Perms"}),
            DocInfoRule().as_qualified(lta),
            XrefStreamRule().as_qualified(lta),
            ObjectStreamRule().as_qualified(lta),
            DSSCompareRule().as_qualified(lta),
            MetadataUpdateRule().as_qualified(lta),
        ],
        # /SigFlags: the first signature sets SignaturesExist | AppendOnly (§12.7.2).
        form_rule=FormUpdatingRule(
            field_rules=[SigFieldCreationRule(), SigFieldModificationRule(),
                         GenericFieldModificationRule()],
            ignored_acroform_keys=ACROFORM_EXEMPT_STRICT_COMPARISON | {"/SigFlags"}),
    )


def _signature_checks(session: SigningSession, prepared: bytes, data: bytes) -> str:
    """(b) and (c): returns the fingerprint of the new signature's certificate or raises."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.fields import MDPPerm

    from .verify import NotAPdf, verify_pdf

    try:
        report = verify_pdf(data)
    except NotAPdf as exc:
        raise _Refused("not_a_pdf", str(exc)) from None
    if not report.signatures:
        raise _Refused("not_signed", _("The uploaded file carries no digital signature."))
    bad = [s for s in report.signatures if not (s.valid and s.trusted and s.intact)]
    if bad or not report.valid:
        reasons = "; ".join(report.reasons[:3]) or _("a signature is not valid")
        raise _Refused("signature_invalid", _("The signature is not valid: %(reasons)s")
                       % {"reasons": reasons})
    new = [s for s in report.signatures if s.kind == "signature"][-1]
    if new.field != session.field_name:
        raise _Refused("wrong_field", _("The signature must be in the field %(field)s, not "
                                        "%(other)s.") % {"field": session.field_name,
                                                         "other": new.field or "?"})
    if not new.whole_file:
        raise _Refused("not_whole_file", _("The signature does not cover the whole file."))
    if not new.certifying:
        raise _Refused("not_certifying", _("The signer's signature must certify the document."))

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    base_revision = PdfFileReader(io.BytesIO(prepared), strict=False).xrefs.total_revisions - 1
    # The revision(s) the agent added may only fill or sign form fields (and add long-term
    # validation data): no change to the approved content (PDF 32000-1 §12.8.2.2).
    diff = _signing_diff_policy().review_file(reader, base_revision, doc_mdp=MDPPerm.FILL_FORMS)
    level = getattr(diff, "modification_level", None)
    if level is None or level > ModificationLevel.FORM_FILLING:
        raise _Refused("disallowed_changes", _("The signed file changes the content of the "
                                               "approved document."))
    embedded = [e for e in reader.embedded_regular_signatures if e.field_name == session.field_name]
    if len(embedded) != 1:
        raise _Refused("wrong_field", _("The document must carry exactly one signature of the "
                                        "signer."))
    fingerprint = hashlib.sha256(embedded[0].signer_cert.dump()).hexdigest()
    allowed = {c.fingerprint_sha256 for c in user_token_certificates(session.actor)}
    if session.certificate_id is not None:
        allowed &= {session.certificate.fingerprint_sha256}
    if fingerprint not in allowed:
        raise _Refused("wrong_signer", _("The document was signed with a certificate that is not "
                                         "a registered, valid certificate of the expected "
                                         "signer."), status=403)
    return fingerprint


@dataclass(frozen=True)
class Accepted:
    """The result of an accepted upload: the session, its subject and the stored signed PDF."""

    session: SigningSession
    subject: object
    signed_file: object


def session_upload(*, token: str, data: bytes) -> Accepted:
    """Accept the signed PDF for the upload token (see the module docstring); the subject's
    module finishes the subject (a document becomes SIGNED). Raises NotFound / SessionGone /
    AppError (the session is REJECTED)."""
    session = _consume_upload(token)
    subject = session_subject(session)
    fingerprint = ""
    try:
        if subject is None:
            raise _Refused("subject_gone", _("The document no longer exists."), status=409)
        with files.file_open(session.prepared_file) as fh:
            prepared = fh.read()
        # (a) the same document, incrementally updated (ISO 32000-1 §7.5.6).
        if not data or len(data) <= len(prepared) or not data.startswith(prepared):
            raise _Refused("not_same_document", _("The uploaded file is not the prepared "
                                                  "document with a signature added."))
        fingerprint = _signature_checks(session, prepared, data)
        # (d) the module accepts it (for documents: still the same approved version).
        try:
            signed_file = _token_kind(session.subject_kind).token_finish(
                session.actor, subject, session.prepared_file.derived_from_id, data)
        except AppError as err:
            raise _Refused(err.code, err.message, status=err.status) from None
    except _Refused as refused:
        with transaction.atomic():
            SigningSession.objects.filter(pk=session.pk).update(
                state=SessionState.REJECTED, error=f"{refused.code}: {refused.message}"[:500])
            audit_log(actor=session.actor, action="signing.session.reject", obj=session,
                      details={"document": session.subject_id, "code": refused.code,
                               "reason": refused.message[:300],
                               "uploaded_sha256": hashlib.sha256(data or b"").hexdigest(),
                               "certificate_sha256": fingerprint})
        raise AppError(refused.code, refused.message, status=refused.status) from None
    with transaction.atomic():
        SigningSession.objects.filter(pk=session.pk).update(
            state=SessionState.COMPLETED, result_file=signed_file, error="")
        audit_log(actor=session.actor, action="signing.session.accept", obj=session,
                  details={"document": session.subject_id, "certificate_sha256": fingerprint,
                           "signed_sha256": signed_file.sha256})
    return Accepted(session=session, subject=subject, signed_file=signed_file)
